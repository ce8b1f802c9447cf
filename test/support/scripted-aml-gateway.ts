/**
 * An AmlGateway whose instances follow a script on a virtual clock, for orchestration logic tests.
 * (The real adapter is tested against the ARM emulator.)
 */
import { AppError } from '../../shared/domain/errors';
import type { RoleAssignmentInfo } from '../../shared/domain/project-access';
import type {
  AmlComputeState, AmlGateway, ComputeInstance, ComputeLastOperation, ComputeList, ComputeLocator, CreateComputeRequest, ResourceGroupInfo, SubnetInfo, VmSizeInfo, WorkspaceInfo,
} from '../../shared/domain/ports';

interface Instance {
  name: string;
  project: string;
  vmSize: string;
  /** States with the virtual time at which each begins. */
  timeline: { at: number; state: AmlComputeState }[];
  errors: { code: string; message: string }[];
  lastOperation: ComputeLastOperation | null;
  idleTimeBeforeShutdown: string | null;
  tags: Record<string, string>;
  createdAt: string | null;
  /** Virtual time at which a delete completes and the instance is gone. */
  goneAt?: number;
}

/** What a seeded instance carries besides its state (e.g. how it was last stopped, its hub tag). */
export type SeedDetails = Partial<Pick<Instance, 'lastOperation' | 'idleTimeBeforeShutdown' | 'tags' | 'createdAt'>>;

export interface ScriptedAmlOptions {
  createSeconds?: number;
  startSeconds?: number;
  stopSeconds?: number;
  /** Seconds an instance spends Deleting before it is gone (default 0: gone at once). */
  deleteSeconds?: number;
  /** When set, a create ends in this state with this error instead of Running. */
  createOutcome?: { state: AmlComputeState; code: string; message: string };
  /** When set, createCompute is refused with this error. */
  createRejection?: AppError;
  /** Creates never finish (for timeouts). */
  createHangs?: boolean;
  /** Role assignments by object id (PROJECT_ACCESS rbac), each applying to the projects whose scope covers them. */
  roleAssignments?: Record<string, RoleAssignmentInfo[]>;
  /** The projects (resource group + workspace, westeurope); default climate-lab only. */
  projects?: string[];
  /** Instances per page of listComputes (default 20, the emulator's). */
  listPageSize?: number;
  /** Runs before each page of a compute list is answered (page 0 first), e.g. to see what the caller did with the pages before. */
  beforeListPage?: (page: number) => Promise<void>;
  /** listComputes of these projects fails with the error (e.g. a 403 on one workspace). */
  listFailures?: Record<string, AppError>;
  /** The subscription's tenant (default: the emulator seed's). */
  subscriptionTenantId?: string;
  /** Running instances list no Jupyter application (jupyterLabUrl null). */
  withoutJupyter?: boolean;
  /** Tags of the projects' resource groups, by project. */
  groupTags?: Record<string, Record<string, string>>;
  /** Subnets that exist, by resource id (lower case), with their network's region. */
  subnets?: Record<string, string>;
}

/** States in which Azure answers 409 to a start (another operation is under way). */
const BUSY_STATES: readonly AmlComputeState[] = ['Creating', 'SettingUp', 'UserSettingUp', 'Stopping', 'Deleting'];

/** The tenant of the emulator seed's subscription. */
export const SEED_TENANT_ID = '00000000-0000-0000-0000-0000000a4b10';

export class ScriptedAmlGateway implements AmlGateway {
  readonly calls: string[] = [];
  /** Every create request, as sent. */
  readonly createRequests: CreateComputeRequest[] = [];
  private readonly instances = new Map<string, Instance>();
  private now = 0;

  constructor(private readonly options: ScriptedAmlOptions = {}) {}

  setTime(now: Date): void {
    this.now = now.getTime();
  }

  /** Puts an instance in place, e.g. an existing Stopped one. */
  seed(project: string, name: string, vmSize: string, state: AmlComputeState, details: SeedDetails = {}): void {
    this.instances.set(name, {
      name, project, vmSize, timeline: [{ at: this.now, state }], errors: [],
      lastOperation: null, idleTimeBeforeShutdown: null, tags: {}, createdAt: null, ...details,
    });
  }

  async getCompute(at: ComputeLocator): Promise<ComputeInstance | null> {
    this.calls.push(`get ${at.name}`);
    const instance = this.present(at.name);
    return instance ? this.view(instance) : null;
  }

  async createCompute(request: CreateComputeRequest): Promise<void> {
    this.calls.push(`create ${request.name}`);
    this.createRequests.push(request);
    if (this.options.createRejection) throw this.options.createRejection;
    const existing = this.present(request.name);
    if (existing) {
      // As the emulator (and ARM's idempotent PUT): the same create again answers the instance as it stands.
      const state = this.stateOf(existing);
      if (state === 'Deleting') throw new AppError('conflicting-operation', `Compute instance '${request.name}' is being deleted.`);
      return;
    }
    const done = this.now + (this.options.createSeconds ?? 60) * 1000;
    const outcome = this.options.createOutcome;
    const timeline: Instance['timeline'] = [{ at: this.now, state: 'Creating' }];
    if (!this.options.createHangs) timeline.push({ at: done, state: outcome?.state ?? 'Running' });
    this.instances.set(request.name, {
      name: request.name, project: request.project, vmSize: request.vmSize, timeline,
      errors: outcome ? [{ code: outcome.code, message: outcome.message }] : [],
      lastOperation: this.operation('Create'),
      idleTimeBeforeShutdown: request.idleTimeBeforeShutdown,
      tags: { ...request.tags },
      createdAt: new Date(this.now).toISOString(),
    });
  }

  async updateIdleShutdown(at: ComputeLocator, idleTimeBeforeShutdown: string): Promise<void> {
    this.calls.push(`updateIdleShutdown ${at.name} ${idleTimeBeforeShutdown}`);
    this.require(at.name).idleTimeBeforeShutdown = idleTimeBeforeShutdown;
  }

  async startCompute(at: ComputeLocator): Promise<void> {
    this.calls.push(`start ${at.name}`);
    const instance = this.require(at.name);
    const state = this.stateOf(instance);
    // As Azure: a start while another operation runs is 409; a start of an instance that is not
    // Stopped is accepted and its operation then fails (StartComputeInstanceOnlyAllowedInStoppedState),
    // which no caller waits for: nothing changes.
    if (BUSY_STATES.includes(state)) throw new AppError('conflicting-operation', `Compute ${at.name} is ${state}`);
    if (state !== 'Stopped') return;
    this.move(at.name, 'Starting', 'Running', this.options.startSeconds ?? 30);
    instance.lastOperation = this.operation('Start');
  }

  async stopCompute(at: ComputeLocator): Promise<void> {
    this.calls.push(`stop ${at.name}`);
    const instance = this.require(at.name);
    const state = this.stateOf(instance);
    // As Azure: a stop of a Stopped (or stopping) instance is accepted and its operation then fails: nothing changes.
    if (state === 'Stopped' || state === 'Stopping') return;
    if (state !== 'Running' && state !== 'JobRunning') throw new AppError('conflicting-operation', `Compute ${at.name} is ${state}`);
    this.move(at.name, 'Stopping', 'Stopped', this.options.stopSeconds ?? 20);
    instance.lastOperation = this.operation('Stop');
  }

  async deleteCompute(at: ComputeLocator): Promise<void> {
    this.calls.push(`delete ${at.name}`);
    const seconds = this.options.deleteSeconds ?? 0;
    const instance = this.require(at.name);
    if (seconds === 0) {
      this.instances.delete(at.name);
      return;
    }
    // Azure accepts a delete in any state but another delete's (then it is already under way).
    if (this.stateOf(instance) === 'Deleting') return;
    instance.timeline = [{ at: this.now, state: 'Deleting' }];
    instance.goneAt = this.now + seconds * 1000;
  }

  async listComputes(project: string, onPage?: (computes: readonly ComputeInstance[]) => void): Promise<ComputeList> {
    this.calls.push(`list ${project}`);
    const failure = this.options.listFailures?.[project];
    if (failure) throw failure;
    const computes = [...this.instances.keys()].map((name) => this.present(name)).filter((i): i is Instance => i !== null && i.project === project).map((i) => this.view(i));
    const pageSize = this.options.listPageSize ?? 20;
    const pages = Math.max(1, Math.ceil(computes.length / pageSize));
    for (let page = 0; page < pages; page++) {
      await this.options.beforeListPage?.(page);
      onPage?.(computes.slice(page * pageSize, (page + 1) * pageSize));
    }
    return { computes, pages };
  }

  async listResourceGroups(): Promise<ResourceGroupInfo[]> {
    return this.projects().map((name) => ({ name, location: 'westeurope', tags: this.options.groupTags?.[name] ?? {} }));
  }

  async getWorkspace(project: string): Promise<WorkspaceInfo | null> {
    return this.projects().includes(project) ? { name: project, resourceGroup: project, location: 'westeurope' } : null;
  }

  async listVmSizes(): Promise<VmSizeInfo[]> {
    return [
      { name: 'Standard_DS1_v2', vCPUs: 1, memoryGB: 3.5, gpus: 0 },
      { name: 'Standard_DS3_v2', vCPUs: 4, memoryGB: 14, gpus: 0 },
    ];
  }

  async getSubnet(subnetId: string): Promise<SubnetInfo | null> {
    this.calls.push(`subnet ${subnetId}`);
    const location = this.options.subnets?.[subnetId.toLowerCase()];
    return location === undefined ? null : { id: subnetId, location };
  }

  async roleAssignmentsFor(project: string, objectId: string): Promise<RoleAssignmentInfo[]> {
    this.calls.push(`roleAssignments ${project} ${objectId}`);
    return this.options.roleAssignments?.[objectId] ?? [];
  }

  async subscriptionTenantId(): Promise<string> {
    this.calls.push('subscription');
    return this.options.subscriptionTenantId ?? SEED_TENANT_ID;
  }

  stateOfInstance(name: string): AmlComputeState | null {
    const instance = this.present(name);
    return instance ? this.stateOf(instance) : null;
  }

  private projects(): string[] {
    return this.options.projects ?? ['climate-lab'];
  }

  /** An operation the product sent (trigger User), now. */
  private operation(operationName: string): ComputeLastOperation {
    return { operationName, operationStatus: 'Succeeded', operationTime: new Date(this.now).toISOString(), operationTrigger: 'User' };
  }

  private move(name: string, through: AmlComputeState, to: AmlComputeState, seconds: number): void {
    const instance = this.require(name);
    instance.timeline = [{ at: this.now, state: through }, { at: this.now + seconds * 1000, state: to }];
  }

  /** The instance unless it does not exist (or its delete has completed by now). */
  private present(name: string): Instance | null {
    const instance = this.instances.get(name);
    if (!instance) return null;
    if (instance.goneAt !== undefined && instance.goneAt <= this.now) {
      this.instances.delete(name);
      return null;
    }
    return instance;
  }

  private require(name: string): Instance {
    const instance = this.present(name);
    if (!instance) throw new AppError('azure-error', `Compute ${name} not found`);
    return instance;
  }

  private stateOf(instance: Instance): AmlComputeState {
    return [...instance.timeline].reverse().find((step) => step.at <= this.now)?.state ?? instance.timeline[0].state;
  }

  private view(instance: Instance): ComputeInstance {
    const state = this.stateOf(instance);
    return {
      name: instance.name,
      state,
      provisioningState: state === 'CreateFailed' ? 'Failed' : 'Succeeded',
      vmSize: instance.vmSize,
      jupyterLabUrl: state === 'Running' && !this.options.withoutJupyter ? `https://${instance.name}.westeurope.instances.azureml.ms/lab` : null,
      applications: state === 'Running' && !this.options.withoutJupyter ? applicationsOf(instance.name) : [],
      errors: state.endsWith('Failed') ? instance.errors : [],
      lastOperation: instance.lastOperation,
      idleTimeBeforeShutdown: instance.idleTimeBeforeShutdown,
      tags: { ...instance.tags },
      createdAt: instance.createdAt,
    };
  }
}

/** The applications a Running instance lists on Azure, with VS Code's browser edition. */
function applicationsOf(name: string): ComputeInstance['applications'] {
  const host = `https://${name}.westeurope.instances.azureml.ms`;
  return [
    { displayName: 'Jupyter', endpointUri: `${host}/tree` },
    { displayName: 'Jupyter Lab', endpointUri: `${host}/lab` },
    { displayName: 'VS Code', endpointUri: `vscode://ms-toolsai.vscode-ai-remote/attach?computeName=${name}` },
    { displayName: 'VS Code (Web)', endpointUri: `${host}/vscode/` },
  ];
}
