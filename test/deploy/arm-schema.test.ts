/**
 * Every template's top level against the deployment template schema, and every resource against
 * its provider's schema at its apiVersion, from ../shared/arm-schemas (see support/arm-schemas.ts
 * for how each schema is chosen). The validator's own strictness is tested too, so a pass means
 * something.
 */
import { ArmSchemaValidator, locateResourceSchema, SCHEMAS_DIR, type ArmResource, type JsonObject } from './support/arm-schemas';
import { loadTemplate, onlyResource, SCHEMA_BY_SCOPE, TEMPLATES } from './support/arm-template';
import { existsSync } from 'node:fs';

/**
 * Resource types the shared schema subset does not cover, with the checks made instead. The subset
 * holds seven providers from 2022 on: Application Insights components exist only at 2020-02-02
 * (stable), and Microsoft.KeyVault is not among the seven. When a schema is added to
 * ../shared/arm-schemas, the test below fails until the entry is removed, so the resource is then
 * validated like every other.
 */
const NOT_IN_SUBSET: Record<string, (resource: ArmResource) => void> = {
  'Microsoft.Insights/components@2020-02-02': (resource) => {
    expect(resource).toMatchObject({ kind: 'web', properties: { Application_Type: 'web', IngestionMode: 'LogAnalytics', DisableLocalAuth: true } });
    expect(Object.keys(resource).sort()).toEqual(['apiVersion', 'comments', 'dependsOn', 'kind', 'location', 'name', 'properties', 'tags', 'type']);
    expect(Object.keys(resource.properties as JsonObject).sort()).toEqual(['Application_Type', 'DisableLocalAuth', 'IngestionMode', 'WorkspaceResourceId']);
    expect((resource.properties as JsonObject).WorkspaceResourceId).toMatch(/^\[resourceId\('Microsoft\.OperationalInsights\/workspaces', /);
  },
  // Microsoft.Resources is not among the seven either: the nested deployment that grants the subnet
  // joiner role on COMPUTE_SUBNET_ID's network (in its own resource group); its inner resource is checked.
  'Microsoft.Resources/deployments@2022-09-01': (resource) => {
    expect(Object.keys(resource).sort()).toEqual(['apiVersion', 'comments', 'condition', 'dependsOn', 'name', 'properties', 'resourceGroup', 'type']);
    const properties = resource.properties as JsonObject;
    expect(Object.keys(properties).sort()).toEqual(['mode', 'template']);
    expect(properties.mode).toBe('Incremental');
    const inner = properties.template as { $schema: string; resources: JsonObject[] };
    expect(inner.$schema).toBe('https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#');
    expect(inner.resources.map((r) => `${String(r.type)}@${String(r.apiVersion)}`)).toEqual(['Microsoft.Authorization/roleAssignments@2022-04-01']);
  },
  'Microsoft.KeyVault/vaults@2023-07-01': (resource) => {
    expect(Object.keys(resource).sort()).toEqual(['apiVersion', 'comments', 'location', 'name', 'properties', 'tags', 'type']);
    expect(resource.properties).toEqual({
      tenantId: '[subscription().tenantId]',
      sku: { family: 'A', name: 'standard' },
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 7,
      publicNetworkAccess: 'Enabled',
    });
  },
  'Microsoft.KeyVault/vaults/secrets@2023-07-01': (resource) => {
    expect(Object.keys(resource).sort()).toEqual(['apiVersion', 'comments', 'condition', 'dependsOn', 'name', 'properties', 'type']);
    expect(Object.keys(resource.properties as JsonObject).sort()).toEqual(['contentType', 'value']);
    expect(resource.name).toMatch(/^\[format\('\{0\}\/\{1\}', /);
  },
};

const validator = new ArmSchemaValidator();

it('finds the deployment schemas (ARM_SCHEMAS_DIR)', () => {
  expect(existsSync(SCHEMAS_DIR)).toBe(true);
});

describe.each(TEMPLATES)('$file', ({ file, scope }) => {
  const template = loadTemplate(file);

  it(`declares the ${scope} deployment schema`, () => {
    expect(template.$schema).toBe(SCHEMA_BY_SCOPE[scope]);
  });

  it('has a top level (parameters, variables, outputs, contentVersion) the deployment template schema accepts', async () => {
    const result = await validator.validateTopLevel(template);
    expect(result.errors).toEqual([]);
  });

  it('puts every resource at the top level (no nested child resources to validate separately)', () => {
    expect(template.resources.filter((resource) => 'resources' in resource)).toEqual([]);
  });

  it.each(template.resources.map((resource) => [`${resource.type}@${resource.apiVersion} ${resource.name}`, resource] as const))(
    '%s matches its provider schema',
    async (_label, resource) => {
      const key = `${resource.type}@${resource.apiVersion}`;
      const substitute = NOT_IN_SUBSET[key];
      if (substitute) {
        expect(() => locateResourceSchema(resource, scope)).toThrow(/^No schema for/);
        substitute(resource);
        return;
      }
      const result = await validator.validateResource(resource, scope);
      expect(result.errors).toEqual([]);
    },
  );
});

describe('the schema check itself', () => {
  const main = loadTemplate('azuredeploy.json');
  const site = onlyResource(main, 'Microsoft.Web/sites');
  const roleAssignment = main.resources.find((resource) => resource.type === 'Microsoft.Authorization/roleAssignments') as ArmResource;
  const clone = <T>(value: T): T => structuredClone(value);

  it('picks the provider file and section by type, apiVersion and scope', () => {
    expect(locateResourceSchema(site, 'resourceGroup')).toMatchObject({ file: '2024-04-01/Microsoft.Web.json', section: 'resourceDefinitions', definition: 'sites' });
    const container = onlyResource(main, 'Microsoft.Storage/storageAccounts/blobServices/containers');
    expect(locateResourceSchema(container, 'resourceGroup').definition).toBe('storageAccounts_blobServices_containers');
    expect(locateResourceSchema(roleAssignment, 'resourceGroup')).toMatchObject({ file: '2022-04-01/Microsoft.Authorization.json', section: 'resourceDefinitions' });
    const { scope: _scope, ...atSubscription } = roleAssignment;
    expect(locateResourceSchema(atSubscription as ArmResource, 'subscription').section).toBe('subscription_resourceDefinitions');
  });

  it('rejects an apiVersion the schemas do not have', () => {
    expect(() => locateResourceSchema({ ...site, apiVersion: '2099-01-01' }, 'resourceGroup')).toThrow(/No schema for any type at apiVersion 2099-01-01/);
  });

  it('rejects a misspelt property inside a provider definition', async () => {
    const bad = clone(site) as JsonObject & ArmResource;
    const properties = bad.properties as JsonObject;
    properties.functionAppConfg = properties.functionAppConfig;
    delete properties.functionAppConfig;
    const result = await validator.validateResource(bad, 'resourceGroup');
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/additionalProperty.*functionAppConfg/);
  });

  it('rejects a value outside an enum, and a wrong type where no expression is given', async () => {
    const bad = clone(site) as JsonObject & ArmResource;
    const config = (bad.properties as JsonObject).functionAppConfig as JsonObject;
    (config.runtime as JsonObject).name = 'nodejs';
    (config.scaleAndConcurrency as JsonObject).instanceMemoryMB = '2048';
    const result = await validator.validateResource(bad, 'resourceGroup');
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/runtime\/name/);
    expect(result.errors.join('\n')).toMatch(/instanceMemoryMB/);
  });

  it('rejects a missing required property and an unknown top-level key', async () => {
    const bad = clone(roleAssignment) as JsonObject & ArmResource;
    delete (bad.properties as JsonObject).principalId;
    bad.locaton = 'westeurope';
    const result = await validator.validateResource(bad, 'resourceGroup');
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/principalId/);
    expect(result.errors.join('\n')).toMatch(/\/locaton is not a property/);
  });

  it('accepts an expression wherever a value may be computed at deployment', async () => {
    const computed = clone(site) as JsonObject & ArmResource;
    const config = (computed.properties as JsonObject).functionAppConfig as JsonObject;
    config.runtime = "[variables('runtime')]";
    (computed.properties as JsonObject).httpsOnly = "[parameters('httpsOnly')]";
    expect((await validator.validateResource(computed, 'resourceGroup')).errors).toEqual([]);
  });

  it('rejects a malformed top level', async () => {
    const result = await validator.validateTopLevel({ ...clone(main), contentVersion: '1.0', parameters: { x: { type: 'text' } } });
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/contentVersion/);
    expect(result.errors.join('\n')).toMatch(/parameters\/x\/type/);
  });
});
