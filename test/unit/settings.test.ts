import { loadSettings, SettingsError } from '../../shared/config/settings';

const minimal = { AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-00000000a4b1', STATE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' };

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
        AML_IDLE_TIME_BEFORE_SHUTDOWN: '90 minutes',
        IDLE_SWEEP_SCHEDULE: '*/5 * * * *',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems.join('\n');
    for (const name of ['AZURE_SUBSCRIPTION_ID: missing', 'PROJECT_ACCESS', 'ARM_ENDPOINT', 'IDLE_STOP_MINUTES_GPU',
      'AML_IDLE_TIME_BEFORE_SHUTDOWN', 'IDLE_SWEEP_SCHEDULE', 'STATE_STORAGE_CONNECTION_STRING']) {
      expect(problems).toContain(name);
    }
  });
});
