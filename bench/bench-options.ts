/** Command-line options of `npm run bench` (pass them after `--`). */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Spawn-wave sizes, run in order. */
  users: number[];
  createSeconds: number;
  throttle: boolean;
  /** Instances per page of the emulator's compute list (Azure's is not documented). */
  computePageSize: number;
  /** The shim's status read interval while following a spawn. */
  pollSeconds: number;
  statusClients: number;
  /** Alternating rounds of status reads and raw reads. */
  statusRounds: number;
  /** Measured seconds of each path in each round. */
  statusSeconds: number;
  warmUpSeconds: number;
  /** App settings on top of the production defaults, to try a tuning without editing code. */
  appSettings: Record<string, string>;
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Prints the figures of issue 12 beside its goals and writes a chart of each wave
(bench-results/*.svg: readiness lag distribution, ARM requests per second, servers in flight).

  --spawns 50,200         spawn-wave sizes, one wave each (default 50,200; also --users)
  --create-seconds 60     emulated create time (default 60)
  --no-throttle           turn ARM throttling off (default on)
  --compute-page-size 20  instances per page of the emulator's compute list (default 20;
                          Azure does not document its own): a watcher's look costs a
                          request per page, so this sets what a look costs at scale
  --poll-seconds 5        status read interval of each simulated hub user (default 5, the
                          shim's status_poll_interval; the readiness lag is read from the
                          server's own startedAt, so it does not depend on this)
  --status-clients 50     concurrent clients of the status comparison (default 50)
  --status-rounds 3       alternating rounds of status reads and raw reads (default 3)
  --status-seconds 5      measured seconds of each path in each round (default 5)
  --warm-up-seconds 1     unmeasured seconds before each measured run (default 1)
  --setting NAME=VALUE    app setting on top of the production defaults (repeatable)
`;

export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', default: false },
      users: { type: 'string' },
      spawns: { type: 'string' },
      'create-seconds': { type: 'string', default: '60' },
      'no-throttle': { type: 'boolean', default: false },
      'compute-page-size': { type: 'string', default: '20' },
      'poll-seconds': { type: 'string', default: '5' },
      'status-clients': { type: 'string', default: '50' },
      'status-rounds': { type: 'string', default: '3' },
      'status-seconds': { type: 'string', default: '5' },
      'warm-up-seconds': { type: 'string', default: '1' },
      setting: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.help) return 'help';
  const users = (values.spawns ?? values.users ?? '50,200').split(',').map((item) => positive(item, '--spawns', 1000));
  return {
    users,
    createSeconds: positive(values['create-seconds'], '--create-seconds', 3600),
    throttle: !values['no-throttle'],
    computePageSize: wholeNumber(values['compute-page-size'], '--compute-page-size', 1000),
    pollSeconds: positive(values['poll-seconds'], '--poll-seconds', 60),
    statusClients: positive(values['status-clients'], '--status-clients', 1000),
    statusRounds: Math.round(positive(values['status-rounds'], '--status-rounds', 20)),
    statusSeconds: positive(values['status-seconds'], '--status-seconds', 600),
    warmUpSeconds: positive(values['warm-up-seconds'], '--warm-up-seconds', 600),
    appSettings: Object.fromEntries((values.setting ?? []).map(toSetting)),
  };
}

function positive(text: string | undefined, name: string, max: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > max) throw new Error(`${name} must be a number in (0, ${max}], got ${text}`);
  return value;
}

function wholeNumber(text: string | undefined, name: string, max: number): number {
  const value = positive(text, name, max);
  if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number, got ${text}`);
  return value;
}

function toSetting(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`--setting takes NAME=VALUE, got ${text}`);
  return [text.slice(0, at), text.slice(at + 1)];
}
