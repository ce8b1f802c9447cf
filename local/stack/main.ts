/**
 * `npm start`: storage, the ARM emulator and the local Functions host, each a child process (so
 * one can be killed and restarted while the others carry on), with one start-up banner.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureCertificates } from '../tls';
import { DEFAULT_AZURITE_PORTS, toConnectionString } from '../storage';
import { startChildService, type ChildService } from './child-service';
import { portAccepts, urlAnswers } from './probes';
import { DEFAULT_FUNCTIONS_KEY, hostEnvironment } from './stack-environment';
import { parseStackOptions, USAGE, type StackOptions } from './stack-options';
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
  if (options.reset) rmSync(dataDir, { recursive: true, force: true });
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
  const tls = await ensureCertificates(join(dataDir, 'tls'));
  services.push(await startChildService({
    name: 'storage',
    script: script('storage'),
    args: ['--location', join(dataDir, 'azurite')],
    ready: () => portAccepts(DEFAULT_AZURITE_PORTS.table),
  }));
  const emulatorUrl = options.azure ? null : `https://127.0.0.1:${options.emulatorPort}`;
  if (emulatorUrl) {
    services.push(await startChildService({
      name: 'arm-emulator',
      script: script('arm-emulator'),
      env: { ...process.env, EMULATOR_PORT: String(options.emulatorPort), EMULATOR_DATA_DIR: join(dataDir, 'arm-emulator'), EMULATOR_TLS_DIR: join(dataDir, 'tls') },
      ready: () => urlAnswers(`${emulatorUrl}/_emulator/stats`, tls.caPath),
    }));
  }
  const functionsKey = process.env.FUNCTIONS_KEY || DEFAULT_FUNCTIONS_KEY;
  const env = hostEnvironment(
    { storageConnectionString: toConnectionString(DEFAULT_AZURITE_PORTS), emulatorUrl, caFile: tls.caPath, functionsKey },
    process.env,
  );
  env.LOCAL_HOST_BANNER = '0';
  const controlPlane = `http://127.0.0.1:${options.port}`;
  services.push(await startChildService({
    name: 'host',
    script: script('host'),
    args: ['--app', REPO, '--port', String(options.port)],
    env,
    ready: () => urlAnswers(`${controlPlane}/api/health`),
  }));
  console.log(stackBanner({ controlPlane, emulatorUrl, functionsKey, dataDir, subscriptionId: env.AZURE_SUBSCRIPTION_ID ?? '(not set)' }));
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
