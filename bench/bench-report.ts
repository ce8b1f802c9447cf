/** The benchmark's printed result: the figures of issue 3 beside its goals, as Markdown tables. */
import { markdownTable } from './markdown-table';
import type { SpawnFigures } from './spawn-figures';
import type { StatusComparison } from './status-comparison';

export const GOALS = {
  overheadP95S: 15,
  armPerSpawn: 10,
  /** Waves of at least this many users must see no 429. */
  noThrottlingFromUsers: 200,
  statusRatio: 0.5,
};

export function spawnTable(waves: SpawnFigures[]): string {
  const s = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
  const pair = (a: number, b: number) => `${s(a)} / ${s(b)}`;
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const operations = [...new Set(waves.flatMap((w) => Object.keys(w.arm.byOperation)))].sort();
  const mustNotThrottle = waves.filter((w) => w.users >= GOALS.noThrottlingFromUsers);
  const rows: string[][] = [
    ['servers Running', ...waves.map((w) => `${w.running}/${w.users}`), '', ''],
    ['overhead p50 (s)', ...waves.map((w) => s(w.overheadP50S)), '', ''],
    ['overhead p95 (s)', ...waves.map((w) => s(w.overheadP95S)), `≤ ${GOALS.overheadP95S}`,
      verdict(waves.every((w) => w.running === w.users && w.overheadP95S <= GOALS.overheadP95S))],
    ['overhead max (s)', ...waves.map((w) => s(w.overheadMaxS)), '', ''],
    ['↳ spawn → create sent p50 / p95 (s)', ...waves.map((w) => pair(w.toCreateP50S, w.toCreateP95S)), '', ''],
    ['↳ Azure Running → seen p50 / p95 (s)', ...waves.map((w) => pair(w.detectP50S, w.detectP95S)), '', ''],
    ['spawn POST p95 (ms)', ...waves.map((w) => s(w.postP95Ms, 0)), '', ''],
    ['ARM requests per spawn', ...waves.map((w) => s(w.armPerSpawn, 2)), `≤ ${GOALS.armPerSpawn}`,
      verdict(waves.every((w) => w.armPerSpawn <= GOALS.armPerSpawn))],
    ...operations.map((op) => [`↳ ${op}`, ...waves.map((w) => s((w.arm.byOperation[op] ?? 0) / w.users, 2)), '', '']),
    ['429s seen (SDK retried)', ...waves.map((w) => String(w.arm.throttled)), `0 at N ≥ ${GOALS.noThrottlingFromUsers}`,
      mustNotThrottle.length === 0 ? 'not run' : verdict(mustNotThrottle.every((w) => w.arm.throttled === 0))],
    ['injected faults', ...waves.map((w) => String(w.arm.faults)), '', ''],
    ['CPU of other processes (% of a core)', ...waves.map((w) => (w.othersCpuPercent === null ? '?' : `${w.othersCpuPercent}%`)), '', ''],
  ];
  return markdownTable(['figure', ...waves.map((w) => `N = ${w.users}`), 'goal', 'verdict'], rows);
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
