/**
 * The Flex Consumption deployment package: what the zip holds, that it is small and the same bytes
 * every time, and that the local host, loading the unzipped package on its own (outside the
 * repository, so nothing resolves from the repository's node_modules), registers every function
 * the source build registers and serves requests.
 *
 * `npm run package` is `npm run build` followed by the packager; the test runs the packager on the
 * build `npm test` has just made, because rebuilding dist/ here would race the other test files
 * that load it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { productionPackages } from '../../local/package';
import { startHostProcess, type HostProcess } from '../local/support/host-process';
import { REPO_ROOT } from './support/arm-schemas';
import { bannerFunctions, copyPackagingInputs, extractZip, loadedCounts, readZip, runPackager } from './support/deployment-package';

interface Manifest {
  main: string;
  scripts?: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const repoManifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
const MAX_BYTES = 15 * 1024 * 1024;

let work: string;
let zipFile: string;
let packagerOutput: string;
let entries: Record<string, Uint8Array>;
let paths: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'aml-package-'));
  zipFile = join(work, 'aml-jupyterhub.zip');
  packagerOutput = runPackager(zipFile, { env: { TZ: 'UTC' } });
  entries = readZip(zipFile);
  paths = Object.keys(entries);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const text = (path: string) => new TextDecoder().decode(entries[path]);

describe('npm run package', () => {
  it('builds, then writes the zip with the packager', () => {
    expect(repoManifest.scripts?.package).toBe('npm run build && node dist/local/package/main.js');
  });

  it('reports the zip, its size and its digest', () => {
    expect(packagerOutput).toContain(zipFile);
    expect(packagerOutput).toMatch(new RegExp(`sha256 ${sha256(zipFile)}`));
  });
});

describe('the zip', () => {
  it('holds host.json as it is in the repository', () => {
    expect(text('host.json')).toBe(readFileSync(join(REPO_ROOT, 'host.json'), 'utf8'));
  });

  it('holds a package.json with the worker entry point and the dependencies, without scripts or dev dependencies', () => {
    const manifest = JSON.parse(text('package.json')) as Manifest;
    expect(manifest.main).toBe(repoManifest.main);
    expect(manifest.dependencies).toEqual(repoManifest.dependencies);
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
  });

  it('holds every compiled function file', () => {
    const compiled = readdirSync(join(REPO_ROOT, 'dist', 'functions')).filter((file) => file.endsWith('.js'));
    expect(paths.filter((path) => /^dist\/functions\/[^/]+\.js$/.test(path)).sort()).toEqual(compiled.map((file) => `dist/functions/${file}`).sort());
    expect(paths.some((path) => path.startsWith('dist/shared/') && path.endsWith('.js'))).toBe(true);
  });

  it('holds nothing but the runtime files: no local runtime, tests, sources, maps or settings files', () => {
    expect(paths.filter((path) => !/^(host\.json|package\.json|dist\/$|dist\/(functions|shared)\/|node_modules\/)/.test(path))).toEqual([]);
    expect(paths.filter((path) => /\.(ts|map|md)$/.test(path) || /local\.settings/.test(path))).toEqual([]);
  });

  it('holds each production dependency', () => {
    for (const name of Object.keys(repoManifest.dependencies)) expect(paths).toContain(`node_modules/${name}/package.json`);
  });

  it('holds no development dependency', () => {
    const production = new Set(productionPackages(REPO_ROOT).map((pkg) => pkg.name));
    const devOnly = Object.keys(repoManifest.devDependencies ?? {}).filter((name) => !production.has(name));
    expect(devOnly).toEqual(expect.arrayContaining(['jest', 'typescript', 'azurite', 'ts-jest', 'fflate']));
    const packaged = devOnly.filter((name) => paths.some((path) => path.startsWith(`node_modules/${name}/`)));
    expect(packaged).toEqual([]);
  });

  it('is small', () => {
    expect(readFileSync(zipFile).byteLength).toBeLessThan(MAX_BYTES);
  });

  it('is the same bytes when built from a fresh copy with new file times, in another time zone', () => {
    const copy = join(work, 'copy');
    copyPackagingInputs(copy);
    const again = join(work, 'again.zip');
    runPackager(again, { root: copy, env: { TZ: 'Pacific/Auckland' } });
    expect(sha256(again)).toBe(sha256(zipFile));
  });
});

describe('the unzipped package in the local host', () => {
  let azurite: AzuriteHandle;
  let packaged: HostProcess;
  let source: HostProcess;
  const appDir = () => join(work, 'app');

  // The same key for the host's function-key check and the app's own (AUTH_MODE key).
  const key = 'package-test-key-0123456789';
  const hostEnv = (tableName: string) => ({
    FUNCTIONS_KEY: key,
    HUB_API_KEY: key,
    AzureWebJobsStorage: azurite.connectionString,
    STATE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    STATE_TABLE_NAME: tableName,
    AZURE_SUBSCRIPTION_ID: '00000000-0000-4000-8000-000000000001',
    IDLE_SWEEP_SCHEDULE: '0 0 0 1 1 *',
    LOCAL_HOST_BANNER: '1',
  });

  async function untilBanner(host: HostProcess): Promise<string> {
    for (let waited = 0; waited < 10_000 && !host.output().includes('\nFunction key:'); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return host.output();
  }

  beforeAll(async () => {
    extractZip(zipFile, appDir());
    azurite = await startAzurite({ inMemory: true });
    [packaged, source] = await Promise.all([
      startHostProcess({ appDir: appDir(), env: hostEnv('packagedservers') }),
      startHostProcess({ appDir: REPO_ROOT, env: hostEnv('sourceservers') }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([packaged?.stop(), source?.stop()]);
    await azurite?.stop();
  });

  it('loads from outside the repository, so every module comes from the package', () => {
    expect(relative(REPO_ROOT, appDir()).startsWith('..')).toBe(true);
  });

  it('registers every function the source registers, with the same triggers and routes', async () => {
    const fromPackage = bannerFunctions(await untilBanner(packaged), packaged.url);
    const fromSource = bannerFunctions(await untilBanner(source), source.url);
    expect(fromSource.length).toBeGreaterThan(0);
    expect(fromPackage).toEqual(fromSource);
  });

  it('loads every compiled function file and registers as many functions as the source', async () => {
    const files = readdirSync(join(REPO_ROOT, 'dist', 'functions')).filter((file) => file.endsWith('.js')).length;
    expect(loadedCounts(await untilBanner(packaged))).toEqual({ ...loadedCounts(await untilBanner(source)), files });
  });

  it('starts with a valid configuration and serves the API', async () => {
    const health = await fetch(`${packaged.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const missing = await fetch(`${packaged.url}/api/no-such-route`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const listing = await fetch(`${packaged.url}/api/servers?limit=1`, { headers: { 'x-functions-key': key } });
    expect(listing.status).toBe(200);
    expect(await listing.json()).toMatchObject({ servers: [] });
    expect(packaged.output()).not.toMatch(/Invalid configuration|Worker was unable to load/);
  });
});
