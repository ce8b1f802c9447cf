/**
 * What the README's `func start` section relies on, checked against the app's own files: Core
 * Tools finds the compiled functions through package.json `main`, the host and its Durable
 * extension through host.json, and the settings template points at Azurite and at the emulator's
 * defaults, so `func start` next to `npm run start:storage` and `npm run start:emulator` runs
 * the same app as the local host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARM_THROTTLE_LIMITS, SEED_SUBSCRIPTION_ID } from '../../local/arm-emulator';
import { resolveOptions } from '../../local/arm-emulator/options';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

describe('func start against the local storage and emulator', () => {
  const pkg = read('package.json');
  const host = read('host.json');
  const values: Record<string, string> = read('local.settings.template.json').Values;
  const emulator = resolveOptions();

  it('has the npm scripts the README names', () => {
    expect(pkg.scripts['start:storage']).toContain('--only storage');
    expect(pkg.scripts['start:emulator']).toContain('--only emulator');
    expect(pkg.scripts.build).toBeDefined();
  });

  it('finds every function in the compiled output package.json main names, and a v2 host.json with the extension bundle', () => {
    expect(pkg.main).toBe('dist/functions/*.js');
    const sources = fs.readdirSync(path.join(root, 'functions')).filter((file) => file.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(fs.existsSync(path.join(root, 'dist/functions', source.replace(/\.ts$/, '.js')))).toBe(true);
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
    expect(host.extensions.durableTask.storageProvider.connectionName).toBe('AzureWebJobsStorage');
  });

  it("points the template's Values at Azurite and at the emulator's defaults", () => {
    expect(values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    expect(values.AzureWebJobsStorage).toBe('UseDevelopmentStorage=true');
    expect(values.STATE_STORAGE_CONNECTION_STRING).toBe('UseDevelopmentStorage=true');
    const armEndpoint = `https://${emulator.host}:${emulator.port}`;
    expect(values.ARM_ENDPOINT).toBe(armEndpoint);
    expect(values.IDENTITY_ENDPOINT).toBe(`${armEndpoint}/msi/token`);
    expect(values.IDENTITY_HEADER).toBe(emulator.identityHeader);
    expect(values.AZURE_SUBSCRIPTION_ID).toBe(SEED_SUBSCRIPTION_ID);
    expect(values.PRICES_ENDPOINT.startsWith(armEndpoint)).toBe(true);
    expect(values.AUTH_MODE).toBe('key');
    expect(values.HUB_API_KEY).toBe('local-key');
    // The app paces its ARM writes within the emulator's (and ARM's) write bucket.
    expect(Number(values.ARM_WRITE_BURST)).toBeLessThanOrEqual(ARM_THROTTLE_LIMITS.writes.burst);
  });

  it('says how in the README: the settings file, the CA for Node, and the commands', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### With Azure Functions Core Tools (`func start`)'));
    expect(section.length).toBeGreaterThan(100);
    for (const needle of ['cp local.settings.template.json local.settings.json', 'NODE_EXTRA_CA_CERTS="$PWD/.local/tls/ca.pem" func start', 'npm run start:storage', 'npm run start:emulator', 'npm run build']) {
      expect(section).toContain(needle);
    }
    expect(fs.readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n')).toContain('local.settings.json');
  });
});
