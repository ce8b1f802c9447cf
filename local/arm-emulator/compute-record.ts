/** What the emulator stores about a compute instance and about a long-running operation. */

/** States an instance rests in (Unusable and JobRunning only through scenarios). */
export type SettledState = 'Running' | 'Stopped' | 'CreateFailed' | 'SetupFailed' | 'Unusable' | 'JobRunning';
/** States an instance passes through; each ends at `until` in `next` (SettingUp only through scenarios). */
export type TransitionState = 'Creating' | 'SettingUp' | 'Starting' | 'Stopping' | 'Restarting' | 'Deleting';
export type InstanceState = SettledState | TransitionState;
export type OperationName = 'Create' | 'Start' | 'Stop' | 'Restart' | 'Delete';
/** Who started an operation: an API call (User), the studio (User), a schedule, or Azure ML's idle shutdown. */
export type OperationTrigger = 'User' | 'Schedule' | 'IdleShutdown';

export interface ArmErrorDetail {
  code: string;
  message: string;
  /** Azure ML's nested errors (`details`), present where it fills them. */
  details?: ArmErrorDetail[];
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
  /** The create's network and setup settings, as sent (absent in records from before they were kept). */
  subnetId?: string | null;
  enableNodePublicIp?: boolean | null;
  setupScripts?: { creationScript?: object | null; startupScript?: object | null } | null;
  customServices?: { name: string; endpoints?: { name?: string | null; published?: number | null; protocol?: string | null }[] | null }[] | null;
  createdBy: { userId: string; userOrgId: string; userName: string };
  /** Epoch milliseconds. */
  createdOn: number;
  modifiedOn: number;
  /** The state since `since`; a transition state ends at `until` in `next` ('Gone' when deleted). */
  state: InstanceState;
  since: number;
  until: number | null;
  next: SettledState | 'SettingUp' | 'Gone' | null;
  /** With `next` SettingUp (a scenario): how long the instance sets up before it runs. */
  settingUpMs?: number;
  /** Azure's error when the create ends (or ended) in CreateFailed, SetupFailed or Unusable. */
  failure: ArmErrorDetail | null;
  /** `trigger` absent: an API call, i.e. User. */
  lastOperation: { name: OperationName; at: number; trigger?: OperationTrigger };
  /** enableSSO and sshSettings as the create sent them (api-versions whose schema has them); absent: Azure's defaults. */
  enableSso?: boolean;
  sshSettings?: { sshPublicAccess: 'Enabled' | 'Disabled'; hasAdminPublicKey: boolean };
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
