/** The emulator's knobs: options when started in-process, environment variables when run alone. */
import { z } from 'zod';

export interface BucketLimits {
  /** Tokens the bucket holds when full (the burst). */
  burst: number;
  /** Tokens added per second. */
  perSecond: number;
}

export interface ThrottleLimits {
  reads: BucketLimits;
  writes: BucketLimits;
  /** DELETEs have their own bucket at ARM; default ARM's (200 / 10 per s). */
  deletes?: BucketLimits;
}

/** ARM's per-principal token buckets (reads 250 / 25 per s, writes 200 / 10 per s, deletes 200 / 10 per s). */
export const ARM_THROTTLE_LIMITS: Required<ThrottleLimits> = {
  reads: { burst: 250, perSecond: 25 },
  writes: { burst: 200, perSecond: 10 },
  deletes: { burst: 200, perSecond: 10 },
};

export interface ArmEmulatorOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 7072, 0 picks a free one. */
  port?: number;
  /**
   * Port of the plain-http listener of the instances' lab pages (the browser trusts http on
   * loopback; ARM stays https); default 7074, or a free one when `port` is 0.
   */
  labPort?: number;
  /** Back each Running instance with a real JupyterLab process (one per instance); default false. */
  jupyter?: boolean;
  /** A Python with jupyterlab installed to run the labs; default: the virtual environment `jupyterVenvDir`. */
  jupyterPython?: string | null;
  /** The virtual environment created on first use of `jupyter` (pip install jupyterlab); default .local/jupyter. */
  jupyterVenvDir?: string;
  /** Where the local CA and server certificate live; default .local/tls. */
  tlsDir?: string;
  /** Where state.json is kept; default .local/arm-emulator; `null` keeps state in memory only. */
  dataDir?: string | null;
  /** Seconds from create to Running (fractions allowed); default 60. */
  createSeconds?: number;
  /** Seconds from start (or restart) to Running; default 30. */
  startSeconds?: number;
  /** Seconds from stop to Stopped; default 20. */
  stopSeconds?: number;
  /** Seconds from delete until the instance is gone; default 15. */
  deleteSeconds?: number;
  /** Share (0..1) of ARM requests answered 500, 503 or 429 at random; default 0. */
  faultRate?: number;
  /** Seed of the random choice of faults, for reproducible runs; default: not reproducible. */
  faultSeed?: number;
  /** ARM's per-principal request throttling; default off. */
  throttle?: boolean;
  /** Bucket sizes when throttling; default ARM's. */
  throttleLimits?: ThrottleLimits;
  /** The value the managed-identity endpoint expects in X-IDENTITY-HEADER; default 'local'. */
  identityHeader?: string;
  /** Accept idleTimeBeforeShutdown below Azure's 15-minute floor (for tests); default false. */
  allowShortIdle?: boolean;
  /**
   * Compute instances per page of a compute list; default 20. Azure does not document its page
   * size, and a workspace watcher's look costs one ARM request per page (the bench's lag/read trade-off).
   */
  computePageSize?: number;
  /** Clock in epoch milliseconds, replaceable in tests; default Date.now. */
  now?: () => number;
}

export type ResolvedOptions = Required<Omit<ArmEmulatorOptions, 'faultSeed' | 'jupyterPython'>> & {
  faultSeed: number | null;
  jupyterPython: string | null;
};

export function resolveOptions(options: ArmEmulatorOptions = {}): ResolvedOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 7072,
    labPort: options.labPort ?? (options.port === 0 ? 0 : 7074),
    jupyter: options.jupyter ?? false,
    jupyterPython: options.jupyterPython ?? null,
    jupyterVenvDir: options.jupyterVenvDir ?? '.local/jupyter',
    tlsDir: options.tlsDir ?? '.local/tls',
    dataDir: options.dataDir === undefined ? '.local/arm-emulator' : options.dataDir,
    createSeconds: options.createSeconds ?? 60,
    startSeconds: options.startSeconds ?? 30,
    stopSeconds: options.stopSeconds ?? 20,
    deleteSeconds: options.deleteSeconds ?? 15,
    faultRate: options.faultRate ?? 0,
    faultSeed: options.faultSeed ?? null,
    throttle: options.throttle ?? false,
    throttleLimits: options.throttleLimits ?? ARM_THROTTLE_LIMITS,
    identityHeader: options.identityHeader ?? 'local',
    allowShortIdle: options.allowShortIdle ?? false,
    computePageSize: options.computePageSize ?? 20,
    now: options.now ?? Date.now,
  };
}

const seconds = z.coerce.number().min(0).optional();

const EnvSchema = z.object({
  EMULATOR_HOST: z.string().min(1).optional(),
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  EMULATOR_LAB_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  EMULATOR_JUPYTER: z.enum(['0', '1', 'true', 'false']).optional(),
  EMULATOR_JUPYTER_PYTHON: z.string().min(1).optional(),
  EMULATOR_JUPYTER_VENV: z.string().min(1).optional(),
  EMULATOR_TLS_DIR: z.string().min(1).optional(),
  EMULATOR_DATA_DIR: z.string().min(1).optional(),
  EMULATOR_CREATE_SECONDS: seconds,
  EMULATOR_START_SECONDS: seconds,
  EMULATOR_STOP_SECONDS: seconds,
  EMULATOR_DELETE_SECONDS: seconds,
  EMULATOR_FAULT_RATE: z.coerce.number().min(0).max(1).optional(),
  EMULATOR_FAULT_SEED: z.coerce.number().int().optional(),
  EMULATOR_THROTTLE: z.enum(['0', '1', 'true', 'false']).optional(),
  EMULATOR_IDENTITY_HEADER: z.string().min(1).optional(),
  EMULATOR_ALLOW_SHORT_IDLE: z.enum(['0', '1', 'true', 'false']).optional(),
  EMULATOR_COMPUTE_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).optional(),
});

/** Reads the EMULATOR_* variables; throws one error naming every bad one. */
export function optionsFromEnv(env: Record<string, string | undefined>): ArmEmulatorOptions {
  const known = Object.fromEntries(Object.keys(EnvSchema.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const parsed = EnvSchema.safeParse(known);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${String(issue.path[0])}: ${issue.message}`);
    throw new Error(`Invalid ARM emulator settings:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const options: ArmEmulatorOptions = {
    host: e.EMULATOR_HOST,
    port: e.EMULATOR_PORT,
    labPort: e.EMULATOR_LAB_PORT,
    jupyter: flag(e.EMULATOR_JUPYTER),
    jupyterPython: e.EMULATOR_JUPYTER_PYTHON,
    jupyterVenvDir: e.EMULATOR_JUPYTER_VENV,
    tlsDir: e.EMULATOR_TLS_DIR,
    dataDir: e.EMULATOR_DATA_DIR,
    createSeconds: e.EMULATOR_CREATE_SECONDS,
    startSeconds: e.EMULATOR_START_SECONDS,
    stopSeconds: e.EMULATOR_STOP_SECONDS,
    deleteSeconds: e.EMULATOR_DELETE_SECONDS,
    faultRate: e.EMULATOR_FAULT_RATE,
    faultSeed: e.EMULATOR_FAULT_SEED,
    throttle: flag(e.EMULATOR_THROTTLE),
    identityHeader: e.EMULATOR_IDENTITY_HEADER,
    allowShortIdle: flag(e.EMULATOR_ALLOW_SHORT_IDLE),
    computePageSize: e.EMULATOR_COMPUTE_PAGE_SIZE,
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function flag(value: '0' | '1' | 'true' | 'false' | undefined): boolean | undefined {
  return value === undefined ? undefined : value === '1' || value === 'true';
}
