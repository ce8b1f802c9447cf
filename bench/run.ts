/**
 * `npm run bench`: the benchmark of issue 3 on the local stack (Azurite, the ARM emulator with a
 * 60-second create and ARM throttling, the local Functions host with the production defaults).
 * Spawn waves of N users, then the status endpoint beside raw Azurite point reads; prints progress
 * lines and Markdown tables. A measurement, not a test: it exits 0 whether or not the goals are met.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join, resolve } from 'node:path';
import type { SecondCounts, StatsSnapshot } from '../local/arm-emulator';
import { LocalStack } from '../local/stack/local-stack';
import { ensureCertificates } from '../local/tls';
import { documentedSettings } from '../shared/config/settings-template';
import { armCountsBetween } from './arm-request-counts';
import { BENCH_USAGE, parseBenchOptions, type BenchOptions } from './bench-options';
import { spawnTable, statusTable, type WaveReport } from './bench-report';
import { CpuWatch } from './process-cpu';
import { HttpClient } from './http-client';
import { azureTimes, inFlightOverTime, ratePeaks, ratesEverySecond, type HistoryView } from './readiness';
import { spawnFigures } from './spawn-figures';
import { measureStoreFloors } from './store-floor';
import { renderChart } from './svg-chart';
import { spawnWave, type SpawnOutcome } from './spawn-wave';
import { compareStatusWithRawReads } from './status-comparison';

const REPO = resolve(__dirname, '..', '..');
/** Charts land here (git-ignored). */
const RESULTS_DIR = join(REPO, 'bench-results');
const FUNCTIONS_KEY = 'bench-key';
/** Time a wave may take beyond the emulated create before it gives up. */
const WAVE_SLACK_MS = 240_000;
/** The whole run is cut off after this long, whatever happens. */
const RUN_LIMIT_MS = 30 * 60_000;

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(BENCH_USAGE);
    return;
  }
  await requireTrustedLocalCa();
  const logDir = join(REPO, '.local', 'bench');
  mkdirSync(logDir, { recursive: true });
  const hostLogFile = join(logDir, 'host.log');
  rmSync(hostLogFile, { force: true });

  progress(`starting the stack (create ${options.createSeconds} s, throttling ${options.throttle ? 'on' : 'off'}, ${options.computePageSize} instances per compute-list page; host log in ${hostLogFile})`);
  const stack = await LocalStack.start({
    appDir: REPO,
    functionsKey: FUNCTIONS_KEY,
    emulator: { createSeconds: options.createSeconds, throttle: options.throttle, computePageSize: options.computePageSize },
    settingDefaults: productionDefaults(),
    appSettings: options.appSettings,
    hostLogFile,
  });
  let stopping: Promise<void> | undefined;
  const stopStack = () => (stopping ??= stack.stop());
  process.once('SIGINT', () => {
    progress('interrupted: stopping the stack');
    void stopStack().finally(() => process.exit(130));
  });
  const cutOff = setTimeout(() => {
    console.error(`bench: still running after ${RUN_LIMIT_MS / 60_000} minutes; giving up`);
    void stopStack().finally(() => process.exit(2));
  }, RUN_LIMIT_MS);
  cutOff.unref();

  try {
    const settings = effectiveSettings(options);
    progress(`app settings: ${Object.entries(settings).map(([name, value]) => `${name}=${value}`).join(' ')}`);
    const waves: WaveReport[] = [];
    let lastRunning: string | null = null;
    for (const users of options.users) {
      const { figures, runningId } = await runWave(stack, options, users);
      waves.push(figures);
      lastRunning = runningId ?? lastRunning;
    }
    if (lastRunning === null) throw new Error('no server reached Running; there is nothing to read');

    progress(`status reads: ${options.statusClients} clients, ${options.statusRounds} alternating rounds of ${options.statusSeconds} s per path`);
    const cpu = new CpuWatch(pidsOf(stack));
    const comparison = await compareStatusWithRawReads(
      {
        baseUrl: stack.baseUrl,
        functionsKey: FUNCTIONS_KEY,
        storageConnectionString: stack.azurite.connectionString,
        tableName: settings.STATE_TABLE_NAME,
        serverId: lastRunning,
      },
      { clients: options.statusClients, rounds: options.statusRounds, roundMs: options.statusSeconds * 1000, warmUpMs: options.warmUpSeconds * 1000 },
      progress,
    );
    const statusCpu = cpu.use();
    progress(`CPU during the status runs: ${cpu.summary()}`);

    console.log('');
    console.log(`## Spawn waves (create ${options.createSeconds} s, ARM throttling ${options.throttle ? 'on' : 'off'}, ${options.computePageSize} instances per compute-list page, status read every ${options.pollSeconds} s)`);
    console.log('');
    console.log(`Machine: ${machine()}`);
    console.log('');
    console.log(spawnTable(waves, options.pollSeconds));
    console.log('');
    console.log('## Status endpoint');
    console.log('');
    console.log(statusTable(comparison, options.statusClients, `${options.statusRounds} × ${options.statusSeconds} s each`, statusCpu.others));
    console.log('');
    for (const wave of waves.filter((w) => w.failures.length > 0)) {
      console.log(`N = ${wave.users}: ${wave.failures.length} users never saw Running, e.g. ${wave.failures.slice(0, 3).join('; ')}`);
    }
  } finally {
    await stopStack();
  }
}

async function runWave(stack: LocalStack, options: BenchOptions, users: number): Promise<{ figures: WaveReport; runningId: string | null }> {
  // A fresh emulator (full ARM token buckets, no instances) so each wave is measured alone.
  await emulatorJson(stack, 'POST', '/_emulator/reset');
  const before = (await emulatorJson(stack, 'GET', '/_emulator/stats')) as StatsSnapshot;
  const client = new HttpClient({ maxSockets: users, headers: { 'x-functions-key': FUNCTIONS_KEY }, timeoutMs: 30_000 });
  const cpu = new CpuWatch(pidsOf(stack));
  const started = Date.now();
  let running = 0;
  const ticker = setInterval(() => progress(`N = ${users}: ${running}/${users} Running after ${Math.round((Date.now() - started) / 1000)} s`), 10_000);
  let outcomes: SpawnOutcome[];
  try {
    progress(`N = ${users}: spawning`);
    outcomes = await spawnWave(client, {
      baseUrl: stack.baseUrl,
      users,
      tag: `n${users}-${Date.now().toString(36)}`,
      project: 'climate-lab',
      size: 'Small',
      pollMs: options.pollSeconds * 1000,
      deadlineMs: options.createSeconds * 1000 + WAVE_SLACK_MS,
      onRunning: () => (running += 1),
    });
  } finally {
    clearInterval(ticker);
    client.close();
  }
  const ended = Date.now();
  const after = (await emulatorJson(stack, 'GET', '/_emulator/stats')) as StatsSnapshot;
  const cpuUse = cpu.use();
  progress(`N = ${users}: ${running}/${users} Running after ${Math.round((ended - started) / 1000)} s; CPU ${cpu.summary()}`);
  const history = (await emulatorJson(stack, 'GET', '/_emulator/history')) as { computes: HistoryView[] };
  const timeline = ((await emulatorJson(stack, 'GET', '/_emulator/timeline')) as { seconds: SecondCounts[] }).seconds;
  const figures = spawnFigures(outcomes, azureTimes(history.computes), options.createSeconds, armCountsBetween(before, after), ratePeaks(timeline), cpuUse.others);
  const chart = renderChart({
    title: `${users} spawns, ${options.createSeconds} s create, ARM throttling ${options.throttle ? 'on' : 'off'}`,
    lags: figures.lags,
    rates: ratesEverySecond(timeline, started, ended),
    inFlight: inFlightOverTime(outcomes, started, ended),
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const chartFile = join(RESULTS_DIR, `bench-${new Date(started).toISOString().replace(/[:.]/g, '-')}-n${users}-c${options.createSeconds}.svg`);
  writeFileSync(chartFile, chart);
  progress(`N = ${users}: chart in ${chartFile}`);
  progress(`N = ${users}: readiness lag p50 ${figures.lagP50S.toFixed(1)} s, p95 ${figures.lagP95S.toFixed(1)} s; ` +
    `${figures.armPerSpawn.toFixed(2)} ARM requests per spawn; ${figures.arm.throttled} throttled`);
  // Measured once the wave is over, so the floor's burst meets the same Azurite without the wave's load.
  const storeFloors = await measureStoreFloors(stack.azurite.connectionString, users);
  for (const floor of storeFloors) {
    progress(`N = ${users}: floor '${floor.sequence}', ${floor.roundTrips} Table round trips each straight to Azurite: ` +
      `p50 ${floor.p50Ms.toFixed(0)} ms, p95 ${floor.p95Ms.toFixed(0)} ms (spawn POST p95 ${figures.postP95Ms.toFixed(0)} ms)` +
      (floor.errors > 0 ? `; ${floor.errors} failed, e.g. ${floor.firstError}` : ''));
  }
  return { figures: { ...figures, storeFloors }, runningId: outcomes.find((o) => o.runningSeenAt !== null)?.id ?? null };
}

/**
 * Node reads NODE_EXTRA_CA_CERTS only at start-up; unless it holds the local CA, every call to the
 * HTTPS emulator fails with a bare "fetch failed". Say so up front instead.
 */
async function requireTrustedLocalCa(): Promise<void> {
  const { caPath } = await ensureCertificates();
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  const trusted = extra !== undefined && existsSync(extra) && readFileSync(extra, 'utf8').includes(readFileSync(caPath, 'utf8').trim());
  if (!trusted) throw new Error(`NODE_EXTRA_CA_CERTS must include ${caPath}: run the benchmark with \`npm run bench\``);
}

/** Every documented default, as `npm start` passes them (the host resolves %NAME% from app settings). */
function productionDefaults(): Record<string, string> {
  return Object.fromEntries(documentedSettings().flatMap((setting) => (setting.default === null ? [] : [[setting.name, setting.default]])));
}

/** The settings that shape the figures, as the host sees them. */
function effectiveSettings(options: BenchOptions): Record<string, string> {
  const all = { ...productionDefaults(), ...options.appSettings };
  const shown = ['PROVISION_POLL_SECONDS', 'ARM_WRITE_BURST', 'ARM_WRITE_PER_SECOND', 'CATALOG_CACHE_SECONDS', 'IDLE_SWEEP_SCHEDULE', 'STATE_TABLE_NAME'];
  return Object.fromEntries([...shown.map((name) => [name, all[name] ?? '(unset)']), ...Object.entries(options.appSettings)]);
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

function pidsOf(stack: LocalStack): Record<string, number | undefined> {
  return { host: stack.hostPid, azurite: stack.azurite.pid, 'bench+emulator': process.pid };
}

function progress(line: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});

/** A request to the ARM emulator's `/_emulator` controls; the JSON body, for the caller to read as it knows. */
async function emulatorJson(stack: LocalStack, method: string, path: string): Promise<unknown> {
  const response = await fetch(`${stack.emulator.url}${path}`, { method });
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : null;
}
