/** The benchmark's printed result: the figures of issue 12 beside its goals, as Markdown tables. */
import { markdownTable } from './markdown-table';
import type { SpawnFigures } from './spawn-figures';
import type { FloorSequence, StoreFloor } from './store-floor';
import type { StatusComparison } from './status-comparison';

/** The goals of issue 12 (at 1,000 spawns with a 300 s create; still at 200 with 60 s). */
export const GOALS = {
  postP95Ms: 2000,
  lagP95S: 3,
  armPerSpawn: 3,
  statusRatio: 0.5,
};

/** A wave's figures and the store's floor under its spawn POSTs (`store-floor.ts`). */
export type WaveReport = SpawnFigures & { storeFloors: StoreFloor[] };

export function spawnTable(waves: WaveReport[], pollSeconds: number): string {
  const s = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
  const pair = (a: number, b: number, digits = 1) => `${s(a, digits)} / ${s(b, digits)}`;
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const operations = [...new Set(waves.flatMap((w) => Object.keys(w.arm.byOperation)))].sort();
  const rows: string[][] = [
    ['spawns accepted / Running / failed', ...waves.map((w) => `${w.accepted} / ${w.running} / ${w.failures.length}`), 'all Running',
      verdict(waves.every((w) => w.running === w.users))],
    ['spawn POST latency p50 / p95 (ms)', ...waves.map((w) => pair(w.postP50Ms, w.postP95Ms, 0)), `p95 ≤ ${GOALS.postP95Ms}`,
      verdict(waves.every((w) => w.postP95Ms <= GOALS.postP95Ms))],
    ...(['spawn', 'minimum'] as const).map((sequence) => [
      `↳ floor: ${FLOOR_NAMES[sequence]} (${roundTripsOf(waves, sequence)} round trips) alone, to Azurite, p50 / p95 (ms)`,
      ...waves.map((w) => {
        const floor = w.storeFloors.find((candidate) => candidate.sequence === sequence);
        if (!floor) return '–';
        return pair(floor.p50Ms, floor.p95Ms, 0) + (floor.errors > 0 ? ` (${floor.errors} errors)` : '');
      }), '', '']),
    ['↳ spawns whose POST timed out and was sent again', ...waves.map((w) => String(w.postRetried)), '', ''],
    ['readiness lag p50 / p95 (s): API shows Running after Azure reports it', ...waves.map((w) => pair(w.lagP50S, w.lagP95S)),
      `p95 ≤ ${GOALS.lagP95S}`, verdict(waves.every((w) => w.lagP95S <= GOALS.lagP95S))],
    ['readiness lag max (s)', ...waves.map((w) => s(w.lagMaxS)), '', ''],
    [`↳ as a user reading every ${pollSeconds} s sees it, p50 / p95 (s)`, ...waves.map((w) => pair(w.seenLagP50S, w.seenLagP95S)), '', ''],
    ['spawn → create accepted p50 / p95 (s)', ...waves.map((w) => pair(w.toCreateP50S, w.toCreateP95S)), '', ''],
    ['overhead p50 / p95 (s): Running seen − spawn − create time', ...waves.map((w) => pair(w.overheadP50S, w.overheadP95S)), '', ''],
    ['ARM requests per spawn', ...waves.map((w) => s(w.armPerSpawn, 2)), `≤ ${GOALS.armPerSpawn}`,
      verdict(waves.every((w) => w.armPerSpawn <= GOALS.armPerSpawn))],
    ...operations.map((op) => [`↳ ${op} (total, per spawn)`, ...waves.map((w) => `${w.arm.byOperation[op] ?? 0} (${s((w.arm.byOperation[op] ?? 0) / w.users, 2)})`), '', '']),
    ['ARM reads / writes per second, max', ...waves.map((w) => `${w.rates.maxReadsPerSecond} / ${w.rates.maxWritesPerSecond}`), '', ''],
    ['ARM 429s', ...waves.map((w) => String(w.arm.throttled)), '0', verdict(waves.every((w) => w.arm.throttled === 0))],
    ['injected faults', ...waves.map((w) => String(w.arm.faults)), '', ''],
    ['CPU of other processes (% of a core)', ...waves.map((w) => (w.othersCpuPercent === null ? '?' : `${w.othersCpuPercent}%`)), '', ''],
  ];
  return markdownTable(['figure', ...waves.map((w) => `N = ${w.users}`), 'goal', 'verdict'], rows);
}

const FLOOR_NAMES: Record<FloorSequence, string> = {
  spawn: "a first spawn's Table requests",
  minimum: "one conditional write and a durable start",
};

function roundTripsOf(waves: WaveReport[], sequence: FloorSequence): string {
  return String(waves[0]?.storeFloors.find((floor) => floor.sequence === sequence)?.roundTrips ?? '?');
}

export function statusTable(comparison: StatusComparison, clients: number, seconds: string, othersCpuPercent: number | null): string {
  const row = (name: string, r: StatusComparison['status']) =>
    [name, r.perSecond.toFixed(0), r.p50Ms.toFixed(1), r.p99Ms.toFixed(1), String(r.errors)];
  const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
  const ratio = `${percent(comparison.ratio)} (rounds: ${comparison.roundRatios.map(percent).join(', ')})`;
  return [
    markdownTable(['status reads', 'req/s', 'p50 (ms)', 'p99 (ms)', 'errors'], [
      row('GET /api/servers/{id} (host)', comparison.status),
      row('getEntity (raw Azurite)', comparison.raw),
    ]),
    '',
    markdownTable(['figure', 'value', 'goal', 'verdict'], [
      [`status ÷ raw throughput (${clients} clients, ${seconds})`, ratio, `≥ ${GOALS.statusRatio * 100}%`,
        comparison.ratio >= GOALS.statusRatio ? 'met' : 'MISSED'],
      ['CPU of other processes meanwhile (% of a core)', othersCpuPercent === null ? '?' : `${othersCpuPercent}%`, '', ''],
    ]),
  ].join('\n');
}
