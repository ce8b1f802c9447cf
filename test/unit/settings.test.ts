import { loadSettings, SettingsError } from '../../shared/config/settings';

const minimal = { AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-00000000a4b1', STATE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', HUB_API_KEY: 'a-hub-key-for-tests' };

describe('settings', () => {
  it('applies documented defaults', () => {
    const settings = loadSettings(minimal);
    expect(settings.armEndpoint).toBe('https://management.azure.com');
    expect(settings.projectAccess).toEqual({ mode: 'all' });
    expect(settings.sizeCandidates.GPU).toEqual(['Standard_NC4as_T4_v3', 'Standard_NC6s_v3']);
    expect(settings.idleStopMinutes.GPU).toBe(30);
    expect(settings.idleSweepSchedule).toBe('0 */5 * * * *');
  });

  it('parses the access rule and lists', () => {
    const settings = loadSettings({ ...minimal, PROJECT_ACCESS: 'tag:jupyterhub', SIZE_SMALL_CANDIDATES: 'Standard_B2s, Standard_DS1_v2' });
    expect(settings.projectAccess).toEqual({ mode: 'tag', tag: 'jupyterhub' });
    expect(settings.sizeCandidates.Small).toEqual(['Standard_B2s', 'Standard_DS1_v2']);
  });

  it('reports every bad or missing setting at once, by name', () => {
    let error: unknown;
    try {
      loadSettings({
        PROJECT_ACCESS: 'everyone',
        ARM_ENDPOINT: 'http://insecure',
        IDLE_STOP_MINUTES_GPU: '-3',
        IDLE_SHUTDOWN_FLOOR_MINUTES: '-1',
        ORPHAN_DELETE_AFTER_HOURS: '0',
        IDLE_SWEEP_SCHEDULE: '*/5 * * * *',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems.join('\n');
    for (const name of ['AZURE_SUBSCRIPTION_ID: missing', 'PROJECT_ACCESS', 'ARM_ENDPOINT', 'IDLE_STOP_MINUTES_GPU',
      'IDLE_SHUTDOWN_FLOOR_MINUTES', 'ORPHAN_DELETE_AFTER_HOURS', 'IDLE_SWEEP_SCHEDULE', 'STATE_STORAGE_CONNECTION_STRING']) {
      expect(problems).toContain(name);
    }
  });
});

describe('caller settings', () => {
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const { HUB_API_KEY: _key, ...withoutKey } = minimal;
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadSettings(env);
      return [];
    } catch (error) {
      return (error as SettingsError).problems;
    }
  };

  it('defaults to the key, which key mode needs', () => {
    expect(loadSettings(minimal).auth).toEqual({ mode: 'key', hubApiKey: 'a-hub-key-for-tests', entra: null });
    expect(problemsOf(withoutKey)).toEqual(["HUB_API_KEY: missing (AUTH_MODE is 'key')"]);
  });

  it('derives the issuer and key set from the tenant, and accepts the audience and the client id', () => {
    const clientId = '12345678-1234-4234-8234-123456789abc';
    const { auth } = loadSettings({ ...withoutKey, AUTH_MODE: 'entra', ENTRA_TENANT_ID: tenant, ENTRA_API_CLIENT_ID: clientId, ENTRA_AUDIENCE: `api://${clientId}` });
    expect(auth).toEqual({
      mode: 'entra',
      hubApiKey: null,
      entra: {
        issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
        jwksUri: `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
        audiences: [`api://${clientId}`, clientId],
      },
    });
  });

  it('takes an issuer and key set by configuration only (the local token issuer)', () => {
    const { auth } = loadSettings({ ...minimal, AUTH_MODE: 'key-or-entra', ENTRA_ISSUER: 'http://127.0.0.1:7073', ENTRA_JWKS_URI: 'http://127.0.0.1:7073/discovery/v2.0/keys', ENTRA_AUDIENCE: 'api://local-api' });
    expect(auth.entra).toEqual({ issuer: 'http://127.0.0.1:7073', jwksUri: 'http://127.0.0.1:7073/discovery/v2.0/keys', audiences: ['api://local-api'] });
    expect(auth.hubApiKey).toBe('a-hub-key-for-tests');
  });

  it('lists every missing piece of a token mode in one message', () => {
    expect(problemsOf({ ...withoutKey, AUTH_MODE: 'key-or-entra' })).toEqual([
      "HUB_API_KEY: missing (AUTH_MODE is 'key-or-entra')",
      "ENTRA_TENANT_ID: missing (AUTH_MODE is 'key-or-entra'; or set both ENTRA_ISSUER and ENTRA_JWKS_URI)",
      "ENTRA_AUDIENCE / ENTRA_API_CLIENT_ID: set at least one (AUTH_MODE is 'key-or-entra')",
    ]);
  });

  it('refuses an unknown mode and a key set fetched over plain http from elsewhere', () => {
    const problems = problemsOf({ ...minimal, AUTH_MODE: 'none', ENTRA_JWKS_URI: 'http://keys.example.com/keys' }).join('\n');
    expect(problems).toContain('AUTH_MODE');
    expect(problems).toContain('ENTRA_JWKS_URI: must be an https URL (or http on 127.0.0.1)');
  });
});

describe('HUB_API_KEY', () => {
  it('refuses an unresolved Key Vault reference rather than accept its text as the key', () => {
    expect(() => loadSettings({ ...minimal, AUTH_MODE: 'key', HUB_API_KEY: '@Microsoft.KeyVault(VaultName=kv;SecretName=hub-api-key)' }))
      .toThrow(/HUB_API_KEY: is an unresolved Key Vault reference/);
  });
});
