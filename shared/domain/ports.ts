/**
 * The interfaces the domain and use cases need from the outside world.
 * Adapters in shared/adapters implement them; nothing here does I/O.
 */
import type { ComputeSettings } from './compute-settings';
import type { InstanceApplication } from './landing';
import type { RoleAssignmentInfo } from './project-access';
import type { Server, ServerState, SizeLabel, VersionedServer } from './server';
import type { HourlyPrice, UsageInterval } from './usage';

export interface ServerListQuery {
  user?: string;
  project?: string;
  state?: ServerState;
  limit: number;
  continuationToken?: string;
}

export interface ServerPage {
  servers: Server[];
  continuationToken: string | null;
}

/** Narrows `listActive` to one user's servers, or to one project's servers of one size. */
export type ActiveServerScope = { user: string } | { project: string; size: SizeLabel };

/** The outcome a mutation asks for: the new server, or `null` to leave the stored one untouched. */
export type ServerMutation = (current: Server) => Server | null;

export interface ServerRepository {
  /** One point read by id; `null` when unknown. */
  get(id: string): Promise<VersionedServer | null>;
  /** Inserts a new server; returns `null` (and writes nothing) when the id already exists. */
  create(server: Server): Promise<VersionedServer | null>;
  /** Conditional write: fails with an `AppError` code `concurrent-update` when the ETag is stale. */
  replace(server: Server, etag: string): Promise<VersionedServer>;
  /**
   * Read-modify-write with the ETag, retried a bounded number of times on 412.
   * Returns the stored result (unchanged when `mutate` answered `null`), or `null` when the id is unknown.
   */
  update(id: string, mutate: ServerMutation): Promise<VersionedServer | null>;
  /** Paged listing filtered by user, project and state. */
  list(query: ServerListQuery): Promise<ServerPage>;
  /**
   * Every server that is not at rest (not Stopped, Failed or Deleted), read from an index, not a
   * scan; with a scope, only that user's or that project and size's, so the cost follows the answer.
   */
  listActive(scope?: ActiveServerScope): Promise<Server[]>;
}

/** Azure ML compute-instance states as Azure reports them (ComputeInstanceState). */
export type AmlComputeState =
  | 'Creating'
  | 'CreateFailed'
  | 'Deleting'
  | 'Running'
  | 'Restarting'
  | 'JobRunning'
  | 'SettingUp'
  | 'SetupFailed'
  | 'Starting'
  | 'Stopped'
  | 'Stopping'
  | 'UserSettingUp'
  | 'UserSetupFailed'
  | 'Unknown'
  | 'Unusable';

export interface ComputeInstance {
  name: string;
  state: AmlComputeState;
  /** Azure ML's provisioning state of the resource (Succeeded, Failed, Creating, ...). */
  provisioningState: string | null;
  vmSize: string | null;
  /** JupyterLab endpoint once Azure ML publishes it. */
  jupyterLabUrl: string | null;
  /** Every application the instance lists with a web address (where a person may land). */
  applications: InstanceApplication[];
  /** Azure's errors on the resource (e.g. why creation failed), with Azure's messages. */
  errors: { code: string; message: string }[];
  lastOperation: ComputeLastOperation | null;
  /** Azure ML's idle shutdown set on the instance (ISO 8601 duration), null when it has none. */
  idleTimeBeforeShutdown: string | null;
  /** The resource's tags (the create writes `aml-jupyterhub-hub` and the owner's). */
  tags: Record<string, string>;
  /** When the resource was created (ISO 8601), null when Azure does not say. */
  createdAt: string | null;
}

/** Who or what started the last operation on an instance (Azure's ComputeInstanceLastOperation.operationTrigger). */
export type OperationTrigger = 'User' | 'Schedule' | 'IdleShutdown' | 'Unknown';

export interface ComputeLastOperation {
  /** Create, Start, Stop, Restart, Reimage, Delete. */
  operationName: string;
  operationStatus: string;
  operationTime: string | null;
  operationTrigger: OperationTrigger;
}

export interface ComputeLocator {
  /** Resource group and workspace: a project is a resource group holding a same-named workspace. */
  project: string;
  name: string;
}

export interface CreateComputeRequest extends ComputeLocator {
  vmSize: string;
  location: string;
  /** Entra object id of the user the instance is created for (personalComputeInstanceSettings). */
  userObjectId: string | null;
  tenantId: string | null;
  /** Tags written on the compute resource so an admin can tell who owns it. */
  tags: Record<string, string>;
  /** Azure ML's idle shutdown for the instance, an ISO 8601 duration (e.g. PT30M). */
  idleTimeBeforeShutdown: string;
  /** The project's compute settings (subnet, public IP, scripts, SSO, custom services), already checked; absent: none. */
  compute?: ComputeSettings;
}

export interface ResourceGroupInfo {
  name: string;
  location: string;
  tags: Record<string, string>;
}

export interface SubnetInfo {
  id: string;
  /** The region of the subnet's virtual network. */
  location: string;
}

export interface WorkspaceInfo {
  name: string;
  resourceGroup: string;
  location: string;
}

export interface VmSizeInfo {
  name: string;
  vCPUs: number;
  memoryGB: number;
  gpus: number;
}

/** A workspace's compute instances, and the ARM requests (pages) the list took. */
export interface ComputeList {
  computes: ComputeInstance[];
  pages: number;
}

export interface AmlGateway {
  getCompute(at: ComputeLocator): Promise<ComputeInstance | null>;
  /** Sends the create (PUT) and returns once Azure accepted it; does not wait for the instance to be ready. */
  createCompute(request: CreateComputeRequest): Promise<void>;
  /** Sends start/stop/delete and returns once Azure accepted it. */
  startCompute(at: ComputeLocator): Promise<void>;
  stopCompute(at: ComputeLocator): Promise<void>;
  deleteCompute(at: ComputeLocator): Promise<void>;
  /** Sets the instance's idle shutdown (Azure ML's updateIdleShutdownSetting), e.g. PT30M. */
  updateIdleShutdown(at: ComputeLocator, idleTimeBeforeShutdown: string): Promise<void>;
  /**
   * Every compute instance of one project's workspace, in one (paged) ARM list. `onPage` hears each
   * page's instances as soon as that page arrives, while the list goes on, so a caller can act on
   * the first pages before the last one is read.
   */
  listComputes(project: string, onPage?: (computes: readonly ComputeInstance[]) => void): Promise<ComputeList>;
  listResourceGroups(): Promise<ResourceGroupInfo[]>;
  /** The workspace with the project's name in the project's resource group, or null. */
  getWorkspace(project: string): Promise<WorkspaceInfo | null>;
  listVmSizes(location: string): Promise<VmSizeInfo[]>;
  /** The subnet with this resource id and the region of its virtual network, or null when there is none. */
  getSubnet(subnetId: string): Promise<SubnetInfo | null>;
  /**
   * The role assignments that apply to the principal on the project's resource group: its own and
   * its groups' (ARM filter `assignedTo('<objectId>')`), at, above or below the group.
   */
  roleAssignmentsFor(project: string, objectId: string): Promise<RoleAssignmentInfo[]>;
  /** The Entra tenant the subscription belongs to (ARM `GET /subscriptions/{id}`); it never changes, so it may be cached. */
  subscriptionTenantId(): Promise<string>;
}

/** The kinds of run that drive a server: one provisioning, stop or delete run per server at a time. */
export type ServerRunKind = 'provision' | 'stop' | 'delete';

/** Starts and cancels the durable orchestrations that act on one server. */
export interface OrchestrationControl {
  /**
   * Makes sure a provisioning run is under way for the server: starts one unless one is
   * already pending or running (at most one run per server id).
   */
  ensureProvisioning(serverId: string): Promise<void>;
  /** Terminates the provisioning run, if any; Azure-side work already sent is left to the stop. */
  cancelProvisioning(serverId: string, reason: string): Promise<void>;
  ensureStopping(serverId: string): Promise<void>;
  ensureDeleting(serverId: string): Promise<void>;
  /** Whether a run of this kind is pending or running for the server (so something drives it). */
  isLive(kind: ServerRunKind, serverId: string): Promise<boolean>;
}

/**
 * The usage ledger: one row per Running interval of a server, keyed by (server, start), written as
 * the transitions in and out of Running are recorded. Writes are idempotent, so a repeat is harmless.
 */
export interface UsageLedger {
  /** Records the start of an interval unless it is already recorded (an end written first is kept). */
  open(interval: UsageInterval): Promise<void>;
  /** Records the end of the interval that started at `interval.start` (creating it when the open was lost). */
  close(interval: UsageInterval & { end: string }): Promise<void>;
  /** Every interval that overlaps [from, to) (open ones included). */
  overlapping(from: Date, to: Date): Promise<UsageInterval[]>;
  /** Every interval still open (no end), whatever its start. */
  listOpen(): Promise<UsageInterval[]>;
}

/** Hourly prices of VM sizes per region (pay-as-you-go Linux, or a negotiated override). */
export interface PriceBook {
  /** The currency prices and budgets are in. */
  readonly currency: string;
  /** The price per hour, or null when none is known (then hours count, cost does not). */
  hourly(region: string, vmSize: string): Promise<HourlyPrice | null>;
}

export interface Clock {
  now(): Date;
}
