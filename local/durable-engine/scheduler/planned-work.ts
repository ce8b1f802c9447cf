/** Work an episode decided on, to be written to storage before the episode commits. */
import type { EntityRequest } from '../protocol/entity-messages';
import type { FailureInfo } from '../protocol/failure-info';

export interface ActivityWork {
  taskId: number;
  name: string;
  inputJson?: string;
}

export interface TimerWork {
  timerId: number;
  fireAt: Date;
}

export interface SubOrchestrationWork {
  taskId: number;
  name: string;
  instanceId: string;
  inputJson?: string;
  /** The version the action asked for; undefined takes the default version. */
  version?: string;
}

/** A retry attempt that is not run because the retry timeout has passed: it fails at once. */
export interface ImmediateFailureWork {
  taskId: number;
  kind: 'activity' | 'subOrchestration';
  name: string;
  failure: FailureInfo;
}

/** An operation sent to a durable entity (a call's response comes back as an event). */
export interface EntityOperationWork {
  targetInstanceId: string;
  request: EntityRequest;
}

export interface PlannedWork {
  activities: ActivityWork[];
  entityOperations: EntityOperationWork[];
  timers: TimerWork[];
  subOrchestrations: SubOrchestrationWork[];
  immediateFailures: ImmediateFailureWork[];
}

export function noWork(): PlannedWork {
  return { activities: [], entityOperations: [], timers: [], subOrchestrations: [], immediateFailures: [] };
}
