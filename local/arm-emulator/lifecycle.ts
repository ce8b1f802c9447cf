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
  | { kind: 'conflict'; message: string };

/** The record as it stands at `now`; `null` once a deletion has completed. */
export function settle(record: ComputeRecord, now: number): ComputeRecord | null {
  if (record.until === null || record.next === null || now < record.until) return record;
  if (record.next === 'Gone') return null;
  return { ...record, state: record.next, since: record.until, until: null, next: null };
}

export type NewCompute = Omit<ComputeRecord, 'state' | 'since' | 'until' | 'next' | 'failure' | 'lastOperation' | 'createdOn' | 'modifiedOn'>;

/** A new instance in Creating, ending in Running or in the failure a scenario asked for. */
export function created(
  fields: NewCompute,
  now: number,
  durations: Durations,
  failure: { state: 'CreateFailed' | 'SetupFailed'; error: ArmErrorDetail } | null,
): ComputeRecord {
  return {
    ...fields,
    createdOn: now,
    modifiedOn: now,
    state: 'Creating',
    since: now,
    until: now + durations.createMs,
    next: failure ? failure.state : 'Running',
    failure: failure ? failure.error : null,
    lastOperation: { name: 'Create', at: now },
  };
}

interface Rule {
  from: InstanceState[];
  /** States in which the action is already under way or done: accepted without a change. */
  already: InstanceState[];
  via: InstanceState;
  to: SettledState | 'Gone';
  duration: keyof Durations;
  verb: string;
}

const RULES: Record<ActionName, Rule> = {
  Start: { from: ['Stopped'], already: ['Running', 'Starting', 'Restarting'], via: 'Starting', to: 'Running', duration: 'startMs', verb: 'started' },
  Stop: { from: ['Running'], already: ['Stopped', 'Stopping'], via: 'Stopping', to: 'Stopped', duration: 'stopMs', verb: 'stopped' },
  Restart: { from: ['Running'], already: ['Restarting'], via: 'Restarting', to: 'Running', duration: 'startMs', verb: 'restarted' },
  Delete: {
    from: ['Creating', 'Starting', 'Stopping', 'Restarting', 'Running', 'Stopped', 'CreateFailed', 'SetupFailed'],
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
  if (rule.already.includes(record.state)) return { kind: 'noop' };
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
  if (record.state === 'CreateFailed' || record.state === 'SetupFailed') return 'CreateFailed';
  return 'Succeeded';
}

/** Whether the VM exists (its endpoints are published), whatever it is doing. */
export function isProvisioned(record: ComputeRecord): boolean {
  return record.state !== 'Creating' && record.state !== 'CreateFailed';
}
