/** What the emulator stores about a compute instance and about a long-running operation. */

/** States an instance rests in. */
export type SettledState = 'Running' | 'Stopped' | 'CreateFailed' | 'SetupFailed';
/** States an instance passes through; each ends at `until` in `next`. */
export type TransitionState = 'Creating' | 'Starting' | 'Stopping' | 'Restarting' | 'Deleting';
export type InstanceState = SettledState | TransitionState;
export type OperationName = 'Create' | 'Start' | 'Stop' | 'Restart' | 'Delete';
/** Who started an operation: an API call (User), the studio (User), a schedule, or Azure ML's idle shutdown. */
export type OperationTrigger = 'User' | 'Schedule' | 'IdleShutdown';

export interface ArmErrorDetail {
  code: string;
  message: string;
}

export interface ComputeRecord {
  name: string;
  resourceGroup: string;
  workspace: string;
  location: string;
  vmSize: string;
  tags: Record<string, string>;
  description: string | null;
  assignedUser: { objectId: string; tenantId: string } | null;
  authorizationType: string | null;
  applicationSharingPolicy: string | null;
  idleTimeBeforeShutdown: string | null;
  createdBy: { userId: string; userOrgId: string; userName: string };
  /** Epoch milliseconds. */
  createdOn: number;
  modifiedOn: number;
  /** The state since `since`; a transition state ends at `until` in `next` ('Gone' when deleted). */
  state: InstanceState;
  since: number;
  until: number | null;
  next: SettledState | 'Gone' | null;
  /** Azure's error when the create ends (or ended) in CreateFailed or SetupFailed. */
  failure: ArmErrorDetail | null;
  /** `trigger` absent: an API call, i.e. User. */
  lastOperation: { name: OperationName; at: number; trigger?: OperationTrigger };
  /** The create body's custom services (absent on records made before they were kept: none). */
  customServices?: { name: string }[];
  /** Epoch ms of the last activity on the instance (a request to its lab); absent or null: none since it started. */
  lastActivityAt?: number | null;
}

export interface OperationRecord {
  id: string;
  computeKey: string;
  computeName: string;
  name: OperationName;
  location: string;
  startedAt: number;
  /** Until then the status is InProgress; afterwards `result`. */
  completesAt: number;
  result: 'Succeeded' | 'Failed' | 'Canceled';
  error: ArmErrorDetail | null;
}

/** Resource groups, workspaces and compute names are case-insensitive in ARM. */
export function computeKey(resourceGroup: string, workspace: string, name: string): string {
  return [resourceGroup, workspace, name].map((part) => part.toLowerCase()).join('/');
}
