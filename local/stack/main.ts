/**
 * `npm start`: storage, the ARM emulator and the local Functions host, each a child process (so
 * one can be killed and restarted while the others carry on), with one start-up banner.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { documentedSettings } from '../../shared/config/settings-template';
import { ensureJupyterPython } from '../arm-emulator';
import { optionsFromEnv } from '../arm-emulator/options';
import { ensureCertificates } from '../tls';
import { DEFAULT_AZURITE_PORTS, toConnectionString } from '../storage';
import { DEFAULT_AUDIENCE, DEFAULT_TOKEN_ISSUER_PORT, issuerUrl, KEYS_PATH } from '../token-issuer';
import { startChildService, type ChildService } from '../process/child-service';
import { portAccepts, urlAnswers } from './probes';
import { DEFAULT_FUNCTIONS_KEY, emulatorDurations, hostEnvironment, trustBundle } from './stack-environment';
import { parseStackOptions, USAGE, type StackOptions, type StackPiece } from './stack-options';
import { stackBanner } from './stack-banner';

const REPO = resolve(__dirname, '..', '..', '..');
const script = (piece: string) => join(REPO, 'dist', 'local', piece, 'main.js');

async function main(): Promise<void> {
  const options = parseStackOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const dataDir = resolve(options.dataDir);
  if (options.reset) resetDataDir(dataDir);
  const services: ChildService[] = [];
  const stopAll = async () => {
    for (const service of [...services].reverse()) await service.stop();
  };
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      console.log(`\n${signal}: stopping the host, the emulator and storage…`);
      stopAll().then(() => process.exit(0), () => process.exit(1));
    });
  }
  try {
    await startStack(options, dataDir, services);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startStack(options: StackOptions, dataDir: string, services: ChildService[]): Promise<void> {
  const runs = (piece: StackPiece) => options.only === null || options.only === piece;
  await refuseBusyPorts([
    ...(runs('storage') ? Object.values(DEFAULT_AZURITE_PORTS) : []),
    ...(runs('emulator') && !options.azure ? [options.emulatorPort, options.emulatorLabPort] : []),
    ...(runs('host') ? [options.port, DEFAULT_TOKEN_ISSUER_PORT] : []),
  ]);
  const tls = await ensureCertificates(join(dataDir, 'tls'));
  if (runs('storage')) services.push(await startChildService({
    name: 'storage',
    script: script('storage'),
    args: ['--location', join(dataDir, 'azurite')],
    ready: () => portAccepts(DEFAULT_AZURITE_PORTS.table),
  }));
  const emulatorUrl = options.azure ? null : `https://127.0.0.1:${options.emulatorPort}`;
  const labUrl = options.azure ? null : `http://127.0.0.1:${options.emulatorLabPort}`;
  const jupyterVenv = join(dataDir, JUPYTER_ENVIRONMENT);
  if (emulatorUrl && runs('emulator')) {
    // Created here, with its progress on screen, so the emulator's readiness wait is not spent on pip.
    if (options.jupyter) await ensureJupyterPython({ python: process.env.EMULATOR_JUPYTER_PYTHON || null, venvDir: jupyterVenv, log: (line) => console.log(line) });
    services.push(await startChildService({
      name: 'arm-emulator',
      script: script('arm-emulator'),
      env: {
        ...process.env,
        EMULATOR_PORT: String(options.emulatorPort),
        EMULATOR_LAB_PORT: String(options.emulatorLabPort),
        EMULATOR_DATA_DIR: join(dataDir, 'arm-emulator'),
        EMULATOR_TLS_DIR: join(dataDir, 'tls'),
        ...(options.jupyter ? { EMULATOR_JUPYTER: '1', EMULATOR_JUPYTER_VENV: jupyterVenv } : {}),
      },
      ready: () => urlAnswers(`${emulatorUrl}/_emulator/stats`, tls.caPath),
    }));
  }
  // The local token issuer runs beside the host: the app accepts its tokens as well as the key.
  const tokenIssuer = { issuer: issuerUrl(DEFAULT_TOKEN_ISSUER_PORT), jwksUri: issuerUrl(DEFAULT_TOKEN_ISSUER_PORT) + KEYS_PATH, audience: DEFAULT_AUDIENCE };
  const tokenIssuerDir = join(dataDir, 'token-issuer');
  if (runs('host')) services.push(await startChildService({
    name: 'token-issuer',
    script: script('token-issuer'),
    args: ['serve', '--port', String(DEFAULT_TOKEN_ISSUER_PORT), '--data-dir', tokenIssuerDir],
    ready: () => urlAnswers(tokenIssuer.jwksUri),
  }));
  const functionsKey = process.env.FUNCTIONS_KEY || DEFAULT_FUNCTIONS_KEY;
  const caFile = trustBundle(tls.caPath, process.env.NODE_EXTRA_CA_CERTS, join(dataDir, 'tls', 'trust-bundle.pem'));
  const env = hostEnvironment(
    { storageConnectionString: toConnectionString(DEFAULT_AZURITE_PORTS), emulatorUrl, caFile, functionsKey, tokenIssuer },
    process.env,
    { ...settingDefaults(), ...(emulatorUrl ? emulatorDurations(optionsFromEnv(process.env)) : {}) },
  );
  env.LOCAL_HOST_BANNER = '0';
  const controlPlane = `http://127.0.0.1:${options.port}`;
  if (runs('host')) services.push(await startChildService({
    name: 'host',
    script: script('host'),
    args: ['--app', REPO, '--port', String(options.port)],
    env,
    ready: () => urlAnswers(`${controlPlane}/api/health`),
  }));
  if (options.only !== null) {
    console.log(`${options.only} is running (Ctrl-C stops it).`);
    return;
  }
  const mintCommand = `node ${join('dist', 'local', 'token-issuer', 'main.js')} mint --data-dir ${tokenIssuerDir}`;
  console.log(stackBanner({ controlPlane, emulatorUrl, labUrl, jupyter: options.jupyter, functionsKey, dataDir, subscriptionId: env.AZURE_SUBSCRIPTION_ID ?? '(not set)', tokenIssuer: tokenIssuer.issuer, mintCommand }));
}

/** The JupyterLab environment under the data folder: not data, and minutes to download again. */
const JUPYTER_ENVIRONMENT = 'jupyter';

/** --reset: everything in the data folder but the JupyterLab environment. */
function resetDataDir(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  for (const entry of readdirSync(dataDir)) {
    if (entry !== JUPYTER_ENVIRONMENT) rmSync(join(dataDir, entry), { recursive: true, force: true });
  }
}

/** A readiness probe would mistake another program on our port for our own service. */
async function refuseBusyPorts(ports: number[]): Promise<void> {
  const busy = [];
  for (const port of ports) if (await portAccepts(port)) busy.push(port);
  if (busy.length > 0) {
    throw new Error(`port(s) ${busy.join(', ')} already in use on 127.0.0.1 — is another 'npm start' running?`);
  }
}

/**
 * Azure's host resolves %NAME% in trigger metadata from app settings only (the deployment template
 * sets them all); the local host does the same, so the stack passes every documented default.
 */
function settingDefaults(): Record<string, string> {
  return Object.fromEntries(documentedSettings().flatMap((setting) => (setting.default === null ? [] : [[setting.name, setting.default]])));
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
