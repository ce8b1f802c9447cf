/**
 * The compute-instance state machine, as pure functions of a record and a time: states are derived
 * lazily from timestamps, so an emulator restarted later reports what has happened meanwhile.
 */
import type { ArmErrorDetail, ComputeRecord, InstanceState, OperationName, SettledState } from './compute-record';

export interface Durations {
  createMs: number;
  startMs: number;
  stopMs: number;
  deleteMs: number;
}

export type ActionName = Exclude<OperationName, 'Create'>;

export type ActionResult =
  | { kind: 'begin'; record: ComputeRecord }
  | { kind: 'noop' }
  /** Accepted (202), then the operation fails with Azure's error; the instance is untouched. */
  | { kind: 'refused'; error: ArmErrorDetail }
  | { kind: 'conflict'; message: string };

/** The record as it stands at `now`; `null` once a deletion has completed. */
export function settle(record: ComputeRecord, now: number): ComputeRecord | null {
  if (record.until === null || record.next === null || now < record.until) return record;
  if (record.next === 'Gone') return null;
  if (record.next === 'SettingUp') {
    // Creating → SettingUp (a scenario) → Running: the second leg starts where the first ended.
    const until = record.until + (record.settingUpMs ?? 0);
    return settle({ ...record, state: 'SettingUp', since: record.until, until, next: 'Running' }, now);
  }
  return { ...record, state: record.next, since: record.until, until: null, next: null };
}

/**
 * What a scenario makes of a create: an end other than Running (CreateFailed, SetupFailed,
 * Unusable with Azure's error; JobRunning), or SettingUp for `settingUpMs` before Running.
 */
export interface CreateOutcome {
  state: 'CreateFailed' | 'SetupFailed' | 'Unusable' | 'JobRunning' | 'SettingUp';
  error: ArmErrorDetail | null;
  settingUpMs?: number;
}

export type NewCompute = Omit<ComputeRecord, 'state' | 'since' | 'until' | 'next' | 'failure' | 'lastOperation' | 'createdOn' | 'modifiedOn'>;

/** A new instance in Creating, ending in Running or in the failure a scenario asked for. */
export function created(
  fields: NewCompute,
  now: number,
  durations: Durations,
  outcome: CreateOutcome | null,
): ComputeRecord {
  return {
    ...fields,
    createdOn: now,
    modifiedOn: now,
    state: 'Creating',
    since: now,
    until: now + durations.createMs,
    next: outcome ? outcome.state : 'Running',
    ...(outcome?.state === 'SettingUp' ? { settingUpMs: outcome.settingUpMs ?? 0 } : {}),
    failure: outcome?.error ?? null,
    lastOperation: { name: 'Create', at: now },
  };
}

interface Rule {
  from: InstanceState[];
  /**
   * States in which Azure accepts the request (202) and then fails its operation with `refusal`
   * (e.g. a start of an instance that is not Stopped); without `refusal`, states in which the
   * action is already under way: accepted without a change.
   */
  already: InstanceState[];
  refusal?: (name: string) => ArmErrorDetail;
  via: InstanceState;
  to: SettledState | 'Gone';
  duration: keyof Durations;
  verb: string;
}

/** Azure ML's code and wording (seen in the failed start operation through its clients). */
const START_REFUSAL = (name: string): ArmErrorDetail => ({
  code: 'StartComputeInstanceOnlyAllowedInStoppedState',
  message: `Start Azure ML Compute Instance is only allowed when the instance ${name} is in 'stopped' state`,
});
/** The stop counterpart, worded as the start's (no public sample of it shows its exact text). */
const STOP_REFUSAL = (name: string): ArmErrorDetail => ({
  code: 'StopComputeInstanceOnlyAllowedInRunningState',
  message: `Stop Azure ML Compute Instance is only allowed when the instance ${name} is in 'running' state`,
});

const RULES: Record<ActionName, Rule> = {
  Start: {
    from: ['Stopped'],
    already: ['Running', 'Starting', 'Restarting', 'JobRunning'],
    refusal: START_REFUSAL,
    via: 'Starting',
    to: 'Running',
    duration: 'startMs',
    verb: 'started',
  },
  Stop: {
    from: ['Running', 'JobRunning'],
    already: ['Stopped', 'Stopping'],
    refusal: STOP_REFUSAL,
    via: 'Stopping',
    to: 'Stopped',
    duration: 'stopMs',
    verb: 'stopped',
  },
  Restart: { from: ['Running'], already: ['Restarting'], via: 'Restarting', to: 'Running', duration: 'startMs', verb: 'restarted' },
  Delete: {
    from: ['Creating', 'SettingUp', 'Starting', 'Stopping', 'Restarting', 'Running', 'JobRunning', 'Stopped', 'CreateFailed', 'SetupFailed', 'Unusable'],
    already: ['Deleting'],
    via: 'Deleting',
    to: 'Gone',
    duration: 'deleteMs',
    verb: 'deleted',
  },
};

/** Applies start, stop, restart or delete to a settled record. */
export function applyAction(record: ComputeRecord, action: ActionName, now: number, durations: Durations): ActionResult {
  const rule = RULES[action];
  if (rule.already.includes(record.state)) return rule.refusal ? { kind: 'refused', error: rule.refusal(record.name) } : { kind: 'noop' };
  if (!rule.from.includes(record.state)) {
    return {
      kind: 'conflict',
      message:
        `Compute instance '${record.name}' is in state '${record.state}' and cannot be ${rule.verb} now. ` +
        'Retry once the operation in progress has completed.',
    };
  }
  return {
    kind: 'begin',
    record: {
      ...record,
      modifiedOn: now,
      state: rule.via,
      since: now,
      until: now + durations[rule.duration],
      next: rule.to,
      lastOperation: { name: action, at: now },
    },
  };
}

/** Azure ML's provisioningState of the resource. */
export function provisioningState(record: ComputeRecord): string {
  switch (record.state) {
    case 'Creating':
      return 'Creating';
    case 'CreateFailed':
    case 'Unusable':
      return 'Failed';
    case 'Deleting':
      return 'Deleting';
    default:
      return 'Succeeded';
  }
}

/** lastOperation.operationStatus (InProgress, Succeeded, CreateFailed, ...). */
export function lastOperationStatus(record: ComputeRecord): string {
  if (record.until !== null) return 'InProgress';
  if (record.state === 'CreateFailed' || record.state === 'SetupFailed' || record.state === 'Unusable') return 'CreateFailed';
  return 'Succeeded';
}

/** Whether the instance's applications (its JupyterLab) answer: Running, or running a job. */
export function servesApplications(record: ComputeRecord): boolean {
  return record.state === 'Running' || record.state === 'JobRunning';
}

/** Whether the VM exists (its endpoints are published), whatever it is doing. */
export function isProvisioned(record: ComputeRecord): boolean {
  return record.state !== 'Creating' && record.state !== 'SettingUp' && record.state !== 'CreateFailed';
}
