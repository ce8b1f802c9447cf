/**
 * Who gets which rights. The control plane's identity holds the storage data roles the Functions
 * runtime and Durable Functions need, the telemetry publisher role, and on projects only the
 * custom least-privilege roles of deploy/access-roles.json; every built-in role id is the real one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateValue, type Deployment } from './support/arm-expression-evaluator';
import { REPO_ROOT, type ArmResource, type JsonObject } from './support/arm-schemas';
import { allStrings, fakeDeployment, loadTemplate, requiredParameterValues, resourcesOfType, TEMPLATES, TEST_PRINCIPAL, TEST_SUBSCRIPTION, type ArmTemplate } from './support/arm-template';
import { BUILT_IN_ROLES, NEVER_GRANTED, roleKey, roleNameOf } from './support/built-in-roles';

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

interface Grant {
  scope: string;
  role: string;
  principalId: unknown;
  principalType: unknown;
  name: unknown;
}

/**
 * Role assignments of a template as evaluated (those whose condition holds): the scope's resource
 * type, the role's name (built-in) or id.
 */
function grantsOf(template: ArmTemplate, deployment: Deployment): Grant[] {
  const deployed = resourcesOfType(template, 'Microsoft.Authorization/roleAssignments').filter(
    (assignment) => !('condition' in assignment) || evaluateValue(assignment.condition, deployment) === true,
  );
  return deployed.map((assignment) => {
    const properties = evaluateValue(assignment.properties, deployment) as JsonObject;
    const roleId = String(properties.roleDefinitionId).split('/').pop() ?? '';
    // A scope is "<namespace>/<type>/<name>" (or a full resource id): keep the resource type.
    const scope = 'scope' in assignment ? String(evaluateValue(assignment.scope, deployment)).replace(/^.*\/providers\//, '').split('/').slice(0, -1).join('/') : 'deployment scope';
    return { scope, role: roleNameOf(roleId) ?? roleId, principalId: properties.principalId, principalType: properties.principalType, name: evaluateValue(assignment.name, deployment) };
  });
}

describe('built-in role ids', () => {
  it('are the real ones, each under its own name (table checked against Azure\'s built-in roles list)', () => {
    expect(BUILT_IN_ROLES).toMatchObject({
      'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
      'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
      'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
    });
    expect(new Set(Object.values(BUILT_IN_ROLES)).size).toBe(Object.keys(BUILT_IN_ROLES).length);
  });

  it.each(TEMPLATES)('are the only GUIDs written in $file', ({ file }) => {
    const guids = allStrings(loadTemplate(file)).flatMap(({ text }) => text.match(GUID) ?? []);
    expect(guids.filter((guid) => roleNameOf(guid) === undefined)).toEqual([]);
  });

  it('sit in azuredeploy.json under keys named after the role', () => {
    const roleIds = loadTemplate('azuredeploy.json').variables.roleIds as Record<string, string>;
    for (const [key, id] of Object.entries(roleIds)) expect(roleKey(roleNameOf(id) ?? 'unknown role')).toBe(key);
  });
});

describe('azuredeploy.json role assignments', () => {
  const template = loadTemplate('azuredeploy.json');
  const deployment = fakeDeployment(template);
  const grants = grantsOf(template, deployment);

  it('give the identity exactly the data roles the Functions host and Durable Functions need, telemetry publishing and reading its key', () => {
    expect(grants.map(({ scope, role }) => `${scope}: ${role}`).sort()).toEqual([
      'Microsoft.Insights/components: Monitoring Metrics Publisher',
      'Microsoft.KeyVault/vaults: Key Vault Secrets User',
      'Microsoft.Storage/storageAccounts: Storage Blob Data Owner',
      'Microsoft.Storage/storageAccounts: Storage Queue Data Contributor',
      'Microsoft.Storage/storageAccounts: Storage Table Data Contributor',
    ]);
  });

  it('let the admin who deploys manage the hub API key only when named', () => {
    const admin = '12121212-3434-4565-8787-909090909090';
    const extra = grantsOf(template, fakeDeployment(template, { keyVaultAdminPrincipalId: admin })).filter((grant) => grant.principalId === admin);
    expect(extra.map(({ scope, role }) => `${scope}: ${role}`)).toEqual(['Microsoft.KeyVault/vaults: Key Vault Secrets Officer']);
    expect(grants.some((grant) => grant.role === 'Key Vault Secrets Officer')).toBe(false);
  });

  it('grant to the user-assigned identity as a service principal', () => {
    for (const grant of grants) expect(grant).toMatchObject({ principalId: TEST_PRINCIPAL, principalType: 'ServicePrincipal' });
  });

  it('have names that are stable across redeployments and distinct from each other', () => {
    const again = grantsOf(template, fakeDeployment(template)).map((grant) => grant.name);
    expect(again).toEqual(grants.map((grant) => grant.name));
    expect(new Set(again).size).toBe(grants.length);
  });

  it.each(Object.entries(NEVER_GRANTED))('never grant %s (%s)', (role) => {
    expect(grants.map((grant) => grant.role)).not.toContain(role);
  });

  it("come before the Function App starts, so the host reaches storage and its key on its first start", () => {
    const site = resourcesOfType(template, 'Microsoft.Web/sites')[0];
    const dependsOn = (site.dependsOn as string[]).join('\n');
    const forTheIdentity = Object.keys(template.variables.roleIds as object).filter((key) => key !== 'keyVaultSecretsOfficer');
    for (const key of forTheIdentity) expect(dependsOn).toContain(`variables('roleIds').${key}`);
  });
});

/** What each action of the project role is for; anything more is a privilege the code does not use. */
const PROJECT_OPERATOR_ACTIONS: Record<string, string> = {
  'Microsoft.Resources/subscriptions/resourceGroups/read': 'list the projects (resource groups) with their region and tags',
  'Microsoft.MachineLearningServices/workspaces/read': "check that a project has its same-named workspace; read the workspace's region",
  'Microsoft.MachineLearningServices/workspaces/checkComputeNameAvailability/action': 'Azure ML checks the new compute name with the caller\'s rights when an instance is created',
  'Microsoft.MachineLearningServices/workspaces/computes/read': 'poll an instance, list a project\'s instances in the idle sweep',
  'Microsoft.MachineLearningServices/workspaces/computes/write': 'create a compute instance for a user (spawn)',
  'Microsoft.MachineLearningServices/workspaces/computes/delete': 'delete a server',
  'Microsoft.MachineLearningServices/workspaces/computes/start/action': 'start a stopped server',
  'Microsoft.MachineLearningServices/workspaces/computes/stop/action': 'stop a server (user, idle, max runtime, admin)',
  'Microsoft.Authorization/roleAssignments/read': "PROJECT_ACCESS rbac: read the user's role assignments on the project",
  'Microsoft.Authorization/roleDefinitions/read': 'PROJECT_ACCESS rbac: read what those roles allow',
};

/** Azure ML serves these only at subscription scope (/subscriptions/{id}/providers/.../locations/{region}/...). */
const REGION_READER_ACTIONS: Record<string, string> = {
  'Microsoft.MachineLearningServices/locations/vmSizes/read': 'the VM sizes a region offers, to choose a size label\'s first available candidate',
  'Microsoft.MachineLearningServices/locations/computeOperationsStatus/read': 'the status of a create, start, stop or delete the SDK polls once after sending it',
};

describe('deploy/access-roles.json custom roles', () => {
  const template = loadTemplate('deploy/access-roles.json');
  const deployment = fakeDeployment(template, requiredParameterValues(template));
  const definitions = resourcesOfType(template, 'Microsoft.Authorization/roleDefinitions').map((definition) => evaluateValue(definition, deployment) as ArmResource & { properties: { roleName: string; permissions: Array<Record<string, string[]>>; assignableScopes: string[] } });
  const byName = (prefix: string) => {
    const found = definitions.find((definition) => definition.properties.roleName.startsWith(prefix));
    if (!found) throw new Error(`No role ${prefix}`);
    return found;
  };

  it('grant on projects exactly the actions the control plane calls, each for a stated reason', () => {
    const role = byName('AML JupyterHub project operator');
    expect(role.properties.permissions).toEqual([{ actions: Object.keys(PROJECT_OPERATOR_ACTIONS), notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it('grant on the subscription only the region-level reads Azure ML serves there', () => {
    const role = byName('AML JupyterHub region reader');
    expect(role.properties.permissions).toEqual([{ actions: Object.keys(REGION_READER_ACTIONS), notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it('contain no wildcard, no keys or secrets, no workspace or authorization writes', () => {
    const actions = definitions.flatMap((definition) => definition.properties.permissions.flatMap((permission) => permission.actions));
    expect(actions.filter((action) => /\*|listKeys|listSecrets|\/keys\/|Microsoft\.Authorization\/.*\/(write|delete)|workspaces\/(write|delete)$/i.test(action))).toEqual([]);
  });

  it('are custom roles assignable in this subscription only, with names unique to it', () => {
    for (const definition of definitions) {
      expect(definition.properties).toMatchObject({ type: 'CustomRole', assignableScopes: [`/subscriptions/${TEST_SUBSCRIPTION}`] });
      expect(definition.properties.roleName).toContain(TEST_SUBSCRIPTION);
    }
  });

  it('assign only the region reader at subscription scope', () => {
    const grants = grantsOf(template, deployment);
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ scope: 'deployment scope', principalId: TEST_PRINCIPAL, principalType: 'ServicePrincipal' });
    expect(grants[0].role).toBe(byName('AML JupyterHub region reader').name);
  });
});

describe('deploy/project-access.json', () => {
  const template = loadTemplate('deploy/project-access.json');
  const roles = loadTemplate('deploy/access-roles.json');

  it('assigns, by default, the project operator role that access-roles.json creates', () => {
    const deployment = fakeDeployment(template, requiredParameterValues(template));
    const rolesDeployment = fakeDeployment(roles, requiredParameterValues(roles));
    expect(deployment.parameters.roleDefinitionId).toBe(evaluateValue(roles.outputs.projectOperatorRoleDefinitionId.value, rolesDeployment));
  });

  it('lands on the project resource group it is deployed to, once per project', () => {
    const [assignment] = resourcesOfType(template, 'Microsoft.Authorization/roleAssignments');
    expect('scope' in assignment).toBe(false);
    const nameIn = (resourceGroup: string) => evaluateValue(assignment.name, { ...fakeDeployment(template, requiredParameterValues(template)), resourceGroup });
    expect(nameIn('climate-lab')).not.toBe(nameIn('ocean-lab'));
    expect(nameIn('climate-lab')).toBe(nameIn('climate-lab'));
  });
});

describe('deploy/entra-app-roles.json', () => {
  interface AppRoleManifest {
    id: string;
    value: string;
    allowedMemberTypes: string[];
    isEnabled: boolean;
    description: string;
  }
  const roles = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy', 'entra-app-roles.json'), 'utf8')) as AppRoleManifest[];

  it('defines the app roles of the security model, Hub for applications and Admin for people or applications', () => {
    expect(roles.map(({ value, allowedMemberTypes, isEnabled }) => ({ value, allowedMemberTypes, isEnabled }))).toEqual([
      { value: 'Hub', allowedMemberTypes: ['Application'], isEnabled: true },
      { value: 'Admin', allowedMemberTypes: ['User', 'Application'], isEnabled: true },
    ]);
  });

  it('gives each role its own id and a description', () => {
    expect(new Set(roles.map((role) => role.id)).size).toBe(roles.length);
    for (const role of roles) {
      expect(role.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(role.description.length).toBeGreaterThan(20);
    }
  });
});
