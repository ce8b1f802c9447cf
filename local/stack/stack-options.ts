/** `npm start` options: flags for what people change often; EMULATOR_* and app settings stay environment. */
import { parseArgs } from 'node:util';

export interface StackOptions {
  help: boolean;
  dataDir: string;
  port: number;
  emulatorPort: number;
  /** The emulator's plain-http listener of the instances' lab pages. */
  emulatorLabPort: number;
  /** Back each Running instance with a real JupyterLab (the emulator's jupyter option). */
  jupyter: boolean;
  /** Talk to real Azure (the subscription in AZURE_SUBSCRIPTION_ID, DefaultAzureCredential) instead of the emulator. */
  azure: boolean;
  /** Wipe the data folder first. */
  reset: boolean;
  /** Run one piece alone (npm run start:storage / start:emulator / start:host). */
  only: StackPiece | null;
}

export const STACK_PIECES = ['storage', 'emulator', 'host'] as const;
export type StackPiece = (typeof STACK_PIECES)[number];

export const USAGE = `Usage: npm start -- [options]

Runs the whole control plane on this machine: Azurite (storage), the ARM emulator (Azure ML)
and the local Functions host with its Durable engine. Ctrl-C stops everything. A piece that
exits unexpectedly is restarted, as Azure restarts a worker (after 1 s, then 2 s, 4 s, ... up
to 30 s while it keeps crashing); the output says so.

Options:
  --port <n>            control plane port (default 7071)
  --emulator-port <n>   ARM emulator port (default 7072)
  --emulator-lab-port <n>
                        the instances' lab pages, plain http on loopback (default 7074)
  --jupyter             a real JupyterLab behind each running instance (one process
                        each, from PyPI: the first run creates <data-dir>/jupyter with
                        pip install jupyterlab; EMULATOR_JUPYTER_PYTHON names another
                        Python that has it); without it each instance is a stand-in page
  --data-dir <dir>      where storage and emulator data live (default .local)
  --reset               delete the data folder before starting (keeping the
                        JupyterLab environment <data-dir>/jupyter)
  --azure               use a real Azure subscription instead of the emulator:
                        set AZURE_SUBSCRIPTION_ID and sign in (az login) first
  --only <piece>        run one piece alone: storage, emulator or host
                        (npm run start:storage | start:emulator | start:host)
  --help                show this text

Environment (see README "Settings" and local/arm-emulator/README.md):
  FUNCTIONS_KEY                     the function key (default local-key)
  EMULATOR_CREATE_SECONDS, EMULATOR_START_SECONDS, EMULATOR_STOP_SECONDS,
  EMULATOR_FAULT_RATE, EMULATOR_THROTTLE=1, EMULATOR_COMPUTE_PAGE_SIZE,
  EMULATOR_ALLOW_SHORT_IDLE=1       emulator behaviour (the last: idle shutdown below
                                    Azure's 15 minutes, with IDLE_SHUTDOWN_FLOOR_MINUTES=0)
  any app setting (PROJECT_ACCESS, IDLE_STOP_MINUTES_SMALL, ...) is passed to the app`;

export function parseStackOptions(argv: string[]): StackOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: '.local' },
      port: { type: 'string', default: '7071' },
      'emulator-port': { type: 'string', default: '7072' },
      'emulator-lab-port': { type: 'string', default: '7074' },
      jupyter: { type: 'boolean', default: false },
      azure: { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const only = values.only ?? null;
  if (only !== null && !STACK_PIECES.includes(only as StackPiece)) {
    throw new Error(`--only must be one of ${STACK_PIECES.join(', ')}, got ${only}`);
  }
  return {
    help: values.help ?? false,
    dataDir: values['data-dir'] ?? '.local',
    port: toPort(values.port, '--port'),
    emulatorPort: toPort(values['emulator-port'], '--emulator-port'),
    emulatorLabPort: toPort(values['emulator-lab-port'], '--emulator-lab-port'),
    jupyter: values.jupyter ?? false,
    azure: values.azure ?? false,
    reset: values.reset ?? false,
    only: only as StackPiece | null,
  };
}

function toPort(value: string | undefined, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${flag} must be a port number, got ${value}`);
  return port;
}
