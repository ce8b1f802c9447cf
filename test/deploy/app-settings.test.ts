/**
 * The Function App's app settings in azuredeploy.json against the code's own settings schema
 * (documentedSettings(), derived from SETTINGS_SCHEMA): every setting the configuration module
 * reads is set, template defaults equal code defaults, and the settings a deployment produces
 * pass loadSettings. Storage is reached with the managed identity only, as Flex Consumption wants it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentedSettings } from '../../shared/config/settings-template';
import { loadSettings } from '../../shared/config/settings';
import { evaluateValue } from './support/arm-expression-evaluator';
import { REPO_ROOT, type JsonObject } from './support/arm-schemas';
import { onlyResource, TEST_CLIENT, TEST_SUBSCRIPTION, TEST_TENANT } from './support/arm-template';
import { appSettingsOf, evaluatedAppSettings, mainTemplate, parameterBehind } from './support/site-settings';

/** Settings the code reads that the template deliberately leaves unset, and why. */
const NOT_SET_BY_TEMPLATE: Record<string, string> = {
  STATE_STORAGE_CONNECTION_STRING: 'a connection string carries the account key; STATE_TABLE_ENDPOINT reaches the table with the managed identity',
};

/** App settings for the Functions host and the Azure SDK rather than for the app's configuration module. */
const PLATFORM_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AZURE_CLIENT_ID',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  // The host refuses request bodies over the API's 64 KiB limit before they are buffered (default 100 MB).
  'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT',
];

/**
 * The security model's settings (hub key, Entra ID tokens with app roles Hub and Admin). The
 * template sets them whether or not the code in this checkout reads them yet.
 */
const SECURITY_MODEL_SETTINGS = ['AUTH_MODE', 'HUB_API_KEY', 'ENTRA_TENANT_ID', 'ENTRA_API_CLIENT_ID', 'ENTRA_AUDIENCE', 'ENTRA_ISSUER', 'ENTRA_JWKS_URI'];

/** What App Service does with "@Microsoft.KeyVault(VaultName=v;SecretName=s)": the secret's value, read with the identity. */
function resolveKeyVaultReferences(values: Record<string, string>, secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => {
      const reference = /^@Microsoft\.KeyVault\(VaultName=([^;]+);SecretName=([^)]+)\)$/.exec(value);
      return [name, reference ? secrets[`${reference[1]}/${reference[2]}`] ?? value : value];
    }),
  );
}

const HUB_KEY = 'generated-hub-key-0123456789';

/** The app settings after a deployment with `values`, with the hub key stored and resolved. */
function deployedSettings(values: Record<string, unknown> = {}): Record<string, string> {
  const { settings: raw, deployment } = evaluatedAppSettings(template, values);
  // The secret the template writes, under its full name "<vault>/<secret>".
  const secret = String(evaluateValue(onlyResource(template, 'Microsoft.KeyVault/vaults/secrets').name, deployment));
  return resolveKeyVaultReferences(raw, { [secret]: HUB_KEY });
}

/** Flex Consumption rejects or ignores these: the runtime and the package come from functionAppConfig. */
const NOT_ON_FLEX_CONSUMPTION = [
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY',
  'FUNCTIONS_WORKER_PROCESS_COUNT',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
];

/** Names of `documented` that `names` lacks, excluding the deliberate exceptions. */
function missingSettings(names: string[], documented: string[]): string[] {
  return documented.filter((name) => !names.includes(name) && !(name in NOT_SET_BY_TEMPLATE));
}

const template = mainTemplate();
const settings = appSettingsOf(template);
const names = settings.map((setting) => setting.name);
const documented = documentedSettings();

describe('settings the code reads', () => {
  it('are all set by the template, except those deliberately left out', () => {
    expect(missingSettings(names, documented.map((setting) => setting.name))).toEqual([]);
  });

  it('would report a new setting that the template lacks', () => {
    expect(missingSettings(names, [...documented.map((setting) => setting.name), 'SOME_NEW_SETTING'])).toEqual(['SOME_NEW_SETTING']);
  });

  it.each(Object.entries(NOT_SET_BY_TEMPLATE))('leave %s unset (%s)', (name) => {
    expect(documented.map((setting) => setting.name)).toContain(name);
    expect(names).not.toContain(name);
  });

  it.each(documented.filter((setting) => setting.default !== null).map((setting) => [setting.name, setting.default] as const))(
    '%s defaults to the code default %p',
    (name, codeDefault) => {
      const { settings: values } = evaluatedAppSettings(template);
      expect(values[name]).toBe(codeDefault);
    },
  );

  it('are each bound to a parameter described with the setting name, unless computed by the template', () => {
    const computed = new Set(['STATE_TABLE_ENDPOINT', 'HUB_API_KEY', 'ENTRA_AUDIENCE']);
    const unbound = settings
      .filter(({ name }) => documented.some((setting) => setting.name === name) && !computed.has(name))
      .filter(({ name, value }) => {
        const parameter = parameterBehind(value);
        return parameter === undefined || !(template.parameters[parameter]?.metadata?.description ?? '').includes(`App setting ${name}`);
      });
    expect(unbound.map(({ name }) => name)).toEqual([]);
  });

  it('pass the code\'s own validation (loadSettings) as deployed with the defaults', () => {
    const { deployment } = evaluatedAppSettings(template);
    const loaded = loadSettings(deployedSettings());
    expect(loaded.subscriptionId).toBe(TEST_SUBSCRIPTION);
    const storageName = evaluateValue(onlyResource(template, 'Microsoft.Storage/storageAccounts').name, deployment);
    expect(loaded.state).toEqual({ connectionString: undefined, tableEndpoint: `https://${String(storageName)}.table.core.windows.net`, tableName: 'servers' });
    expect(loaded.armEndpoint).toBe('https://management.azure.com');
  });

  it('pass loadSettings with parameters at other values too', () => {
    const values = deployedSettings({
      projectsSubscriptionId: '99999999-8888-4777-8666-555555555555',
      armEndpoint: 'https://management.usgovcloudapi.net',
      projectAccess: 'tag:jupyterhub',
      sizeGpuCandidates: 'Standard_NC24ads_A100_v4',
      idleStopMinutesGpu: 15,
      stateTableName: 'hubservers',
    });
    const loaded = loadSettings(values);
    expect(loaded).toMatchObject({
      subscriptionId: '99999999-8888-4777-8666-555555555555',
      armEndpoint: 'https://management.usgovcloudapi.net',
      projectAccess: { mode: 'tag', tag: 'jupyterhub' },
      sizeCandidates: { GPU: ['Standard_NC24ads_A100_v4'] },
      idleStopMinutes: { GPU: 15 },
      state: { tableName: 'hubservers' },
    });
  });
});

describe('every app setting', () => {
  it('is accounted for: a setting the code reads, a platform setting, or a security-model setting', () => {
    const known = new Set([...documented.map((setting) => setting.name), ...PLATFORM_SETTINGS, ...SECURITY_MODEL_SETTINGS]);
    expect(names.filter((name) => !known.has(name))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('leaves out what Flex Consumption does not allow', () => {
    expect(names.filter((name) => NOT_ON_FLEX_CONSUMPTION.includes(name))).toEqual([]);
  });
});

describe('identity-based storage', () => {
  const { settings: values } = evaluatedAppSettings(template);
  const storage = onlyResource(template, 'Microsoft.Storage/storageAccounts');

  it('connects the Functions host and Durable Functions with the user-assigned identity, never a key', () => {
    expect(values.AzureWebJobsStorage__credential).toBe('managedidentity');
    expect(values.AzureWebJobsStorage__clientId).toBe(TEST_CLIENT);
    expect(names).not.toContain('AzureWebJobsStorage');
    expect(names.filter((name) => /^AzureWebJobsStorage__/.test(name)).sort()).toEqual([
      'AzureWebJobsStorage__accountName',
      'AzureWebJobsStorage__clientId',
      'AzureWebJobsStorage__credential',
    ]);
  });

  it('names the storage account the template creates, for the host and for the state table', () => {
    const { deployment } = evaluatedAppSettings(template);
    const storageName = String(evaluateValue(storage.name, deployment));
    expect(values.AzureWebJobsStorage__accountName).toBe(storageName);
    expect(values.STATE_TABLE_ENDPOINT).toBe(`https://${storageName}.table.core.windows.net`);
  });

  it('is what the Durable Functions storage provider in host.json uses', () => {
    const host = JSON.parse(readFileSync(join(REPO_ROOT, 'host.json'), 'utf8')) as { extensions: { durableTask: { storageProvider: { type: string; connectionName: string } } } };
    expect(host.extensions.durableTask.storageProvider).toMatchObject({ type: 'AzureStorage', connectionName: 'AzureWebJobsStorage' });
  });

  it('gives DefaultAzureCredential the user-assigned identity', () => {
    expect(values.AZURE_CLIENT_ID).toBe(TEST_CLIENT);
  });

  it('turns shared-key access off on the account', () => {
    expect(storage.properties).toMatchObject({ allowSharedKeyAccess: false, defaultToOAuthAuthentication: true, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2' });
  });
});

describe('security model settings', () => {
  it('are set, with the hub key by default and the subscription tenant', () => {
    const { settings: values } = evaluatedAppSettings(template);
    expect(names).toEqual(expect.arrayContaining(SECURITY_MODEL_SETTINGS));
    expect(values).toMatchObject({ AUTH_MODE: 'key', ENTRA_TENANT_ID: TEST_TENANT, ENTRA_API_CLIENT_ID: '', ENTRA_AUDIENCE: '', ENTRA_ISSUER: '', ENTRA_JWKS_URI: '' });
    expect(template.parameters.authMode.allowedValues).toEqual(['key', 'key-or-entra', 'entra']);
  });

  it('read the hub key from the Key Vault the template creates, with the identity, never from a literal', () => {
    const { settings: values, deployment } = evaluatedAppSettings(template);
    const vault = String(evaluateValue(onlyResource(template, 'Microsoft.KeyVault/vaults').name, deployment));
    expect(vault).toMatch(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/);
    expect(values.HUB_API_KEY).toBe(`@Microsoft.KeyVault(VaultName=${vault};SecretName=hub-api-key)`);
    expect(evaluateValue(onlyResource(template, 'Microsoft.KeyVault/vaults/secrets').name, deployment)).toBe(`${vault}/hub-api-key`);
    const site = onlyResource(template, 'Microsoft.Web/sites');
    expect((site.properties as JsonObject).keyVaultReferenceIdentity).toBe("[variables('identityId')]");
    // The app starts after the secret is written, so the reference resolves on its first start.
    expect(site.dependsOn).toContain("[resourceId('Microsoft.KeyVault/vaults/secrets', variables('keyVaultName'), variables('hubApiKeySecretName'))]");
    expect(deployedSettings().HUB_API_KEY).toBe(HUB_KEY);
  });

  it('work for Entra ID tokens once an API app is registered', () => {
    const values = deployedSettings({ authMode: 'entra', entraApiClientId: '12345678-1234-4234-8234-123456789abc' });
    expect(loadSettings(values)).toMatchObject({ auth: { mode: 'entra' } });
  });

  it('derive the audience from the API app client id unless one is given', () => {
    const clientId = '12345678-1234-4234-8234-123456789abc';
    expect(evaluatedAppSettings(template, { entraApiClientId: clientId }).settings.ENTRA_AUDIENCE).toBe(`api://${clientId}`);
    expect(evaluatedAppSettings(template, { entraApiClientId: clientId, entraAudience: 'api://aml-jupyterhub' }).settings.ENTRA_AUDIENCE).toBe('api://aml-jupyterhub');
  });
});

describe('names Azure will accept', () => {
  it.each(['amljh', 'abc', 'Contoso2024'])('baseName %s gives valid storage account and Function App names', (baseName) => {
    const { deployment } = evaluatedAppSettings(template, { baseName });
    const storageName = String(evaluateValue(onlyResource(template, 'Microsoft.Storage/storageAccounts').name, deployment));
    expect(storageName).toMatch(/^[a-z0-9]{3,24}$/);
    const functionAppName = String(evaluateValue(onlyResource(template, 'Microsoft.Web/sites').name, deployment));
    // The host id is the app name cut to 32 characters; staying under it keeps host ids distinct.
    expect(functionAppName).toMatch(/^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/);
    const vaultName = String(evaluateValue(onlyResource(template, 'Microsoft.KeyVault/vaults').name, deployment));
    expect(vaultName).toMatch(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/);
    expect(template.parameters.baseName.maxLength).toBe(11);
  });

  it('gives each resource group its own names', () => {
    const names = (resourceGroup: string) => {
      const deployment = { ...evaluatedAppSettings(template).deployment, resourceGroup };
      return [onlyResource(template, 'Microsoft.Storage/storageAccounts').name, onlyResource(template, 'Microsoft.Web/sites').name].map((name) => evaluateValue(name, deployment));
    };
    expect(names('hub-prod')).not.toEqual(names('hub-test'));
  });
});

describe('Flex Consumption', () => {
  const site = onlyResource(template, 'Microsoft.Web/sites');
  const plan = onlyResource(template, 'Microsoft.Web/serverfarms');
  const config = (site.properties as JsonObject).functionAppConfig as JsonObject;

  it('runs Node.js 22 on Linux in an FC1 plan', () => {
    expect(plan).toMatchObject({ kind: 'functionapp', sku: { name: 'FC1', tier: 'FlexConsumption' }, properties: { reserved: true } });
    expect(site.kind).toBe('functionapp,linux');
    expect(config.runtime).toEqual({ name: 'node', version: '22' });
  });

  it('deploys from the package container with the user-assigned identity', () => {
    expect(config.deployment).toEqual({
      storage: {
        type: 'blobContainer',
        value: "[format('{0}/{1}', variables('blobEndpoint'), variables('packageContainer'))]",
        authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: "[variables('identityId')]" },
      },
    });
    expect(site.identity).toEqual({ type: 'UserAssigned', userAssignedIdentities: { "[variables('identityId')]": {} } });
  });
});
