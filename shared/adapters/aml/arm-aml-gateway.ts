/**
 * AmlGateway over the real Azure SDK clients: AzureMachineLearningWorkspaces for workspaces,
 * VM sizes and compute instances, ResourceManagementClient for resource groups,
 * AuthorizationManagementClient for the role assignments of PROJECT_ACCESS rbac. Retries of
 * throttling (429 + Retry-After) and 5xx are the SDK pipeline's own; errors leave as AppErrors.
 * Nothing here knows whether it talks to Azure or to the local emulator: that is the endpoint,
 * the credential's environment and the trusted CA.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { AzureMachineLearningWorkspaces, type ComputeStartOptionalParams } from '@azure/arm-machinelearning';
import { ResourceManagementClient } from '@azure/arm-resources';
import { createHttpHeaders, createPipelineRequest, isRestError, RestError, type PipelineRequest, type PipelineResponse, type PipelineRetryOptions } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import type {
  AmlGateway,
  ComputeInstance,
  ComputeList,
  ComputeLocator,
  CreateComputeRequest,
  ResourceGroupInfo,
  SubnetInfo,
  VmSizeInfo,
  WorkspaceInfo,
} from '../../domain/ports';
import { AppError, isAppError } from '../../domain/errors';
import { parseSubnetId } from '../../domain/compute-settings';
import type { RoleAssignmentInfo } from '../../domain/project-access';
import type { ApplicationSharingPolicy } from '../../config/settings';
import { fromArmError, isNotFound } from './arm-error-mapper';
import { fromArmCompute, isComputeInstance } from './from-arm-compute';
import { toArmComputeInstance, unmodelledComputeProperties } from './to-arm-compute';
import { computePropertiesHeader, computePropertiesPolicy } from './compute-properties-policy';

/** Subscriptions_Get (Microsoft.Resources): its answer carries the subscription's tenantId. */
export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';

/** VirtualNetworks_Get (Microsoft.Network), for the subnet a project's instances join. */
export const NETWORK_API_VERSION = '2024-05-01';

/** The first stable Azure ML api-version whose ComputeInstanceProperties has idleTimeBeforeShutdown. */
export const AML_API_VERSION = '2025-12-01';

export interface ArmAmlGatewayOptions {
  credential: TokenCredential;
  subscriptionId: string;
  /** ARM endpoint, e.g. https://management.azure.com. */
  endpoint: string;
  /** applicationSharingPolicy of every instance created (APPLICATION_SHARING_POLICY); default Personal. */
  applicationSharingPolicy?: ApplicationSharingPolicy;
  /** The SDK pipeline's retry settings (defaults: 3 retries, exponential from 800 ms, Retry-After honoured). */
  retryOptions?: PipelineRetryOptions;
}

export class ArmAmlGateway implements AmlGateway {
  private readonly ml: AzureMachineLearningWorkspaces;
  private readonly resources: ResourceManagementClient;
  private readonly authorization: AuthorizationManagementClient;
  private readonly endpoint: string;
  private readonly subscriptionId: string;
  private readonly applicationSharingPolicy: ApplicationSharingPolicy;
  private tenant: Promise<string> | null = null;

  constructor(options: ArmAmlGatewayOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.subscriptionId = options.subscriptionId;
    this.applicationSharingPolicy = options.applicationSharingPolicy ?? 'Personal';
    const common = { endpoint: options.endpoint, retryOptions: options.retryOptions };
    this.ml = new AzureMachineLearningWorkspaces(options.credential, options.subscriptionId, {
      ...common,
      apiVersion: AML_API_VERSION,
      additionalPolicies: [{ policy: computePropertiesPolicy(), position: 'perCall' }],
    });
    this.resources = new ResourceManagementClient(options.credential, options.subscriptionId, common);
    this.authorization = new AuthorizationManagementClient(options.credential, options.subscriptionId, common);
  }

  async getCompute(at: ComputeLocator): Promise<ComputeInstance | null> {
    try {
      return fromArmCompute(await this.ml.computeOperations.get(at.project, at.project, at.name));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw fromArmError(error);
    }
  }

  async createCompute(request: CreateComputeRequest): Promise<void> {
    const body = toArmComputeInstance(request, this.applicationSharingPolicy);
    const requestOptions = { customHeaders: computePropertiesHeader(unmodelledComputeProperties(request)) };
    await accepted((options) =>
      this.ml.computeOperations.beginCreateOrUpdate(request.project, request.project, request.name, body, { ...options, requestOptions }));
  }

  /**
   * Azure ML's updateIdleShutdownSetting, which the SDK lacks: a POST through the same client's
   * pipeline (credential, endpoint, retries of 429 and 5xx); an error answer leaves as an AppError.
   */
  async updateIdleShutdown(at: ComputeLocator, idleTimeBeforeShutdown: string): Promise<void> {
    const path = [
      'subscriptions', this.subscriptionId, 'resourceGroups', at.project, 'providers', 'Microsoft.MachineLearningServices',
      'workspaces', at.project, 'computes', at.name, 'updateIdleShutdownSetting',
    ].map(encodeURIComponent).join('/');
    await this.send(this.ml, `${path}?api-version=${AML_API_VERSION}`, 'POST', { idleTimeBeforeShutdown });
  }

  startCompute(at: ComputeLocator): Promise<void> {
    return accepted((options) => this.ml.computeOperations.beginStart(at.project, at.project, at.name, options));
  }

  stopCompute(at: ComputeLocator): Promise<void> {
    return accepted((options) => this.ml.computeOperations.beginStop(at.project, at.project, at.name, options));
  }

  /** Deletes the instance and its VM; an instance that is already gone counts as deleted. */
  async deleteCompute(at: ComputeLocator): Promise<void> {
    try {
      await accepted((options) => this.ml.computeOperations.beginDelete(at.project, at.project, at.name, 'Delete', options));
    } catch (error) {
      if (!isNotFound(error instanceof Error ? error.cause : undefined)) throw error;
    }
  }

  async listComputes(project: string, onPage?: (computes: readonly ComputeInstance[]) => void): Promise<ComputeList> {
    try {
      const computes: ComputeInstance[] = [];
      let pages = 0;
      for await (const page of this.ml.computeOperations.list(project, project).byPage()) {
        pages++;
        const instances = page.filter((resource) => isComputeInstance(resource.properties)).map(fromArmCompute);
        onPage?.(instances);
        computes.push(...instances);
      }
      return { computes, pages };
    } catch (error) {
      throw fromArmError(error);
    }
  }

  async listResourceGroups(): Promise<ResourceGroupInfo[]> {
    try {
      const groups: ResourceGroupInfo[] = [];
      for await (const group of this.resources.resourceGroups.list()) {
        groups.push({ name: group.name ?? '', location: group.location, tags: { ...(group.tags ?? {}) } });
      }
      return groups;
    } catch (error) {
      throw fromArmError(error);
    }
  }

  async getWorkspace(project: string): Promise<WorkspaceInfo | null> {
    try {
      const workspace = await this.ml.workspaces.get(project, project);
      return { name: workspace.name ?? project, resourceGroup: project, location: workspace.location ?? '' };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw fromArmError(error);
    }
  }

  /** The region's VM sizes a compute instance can use. */
  async listVmSizes(location: string): Promise<VmSizeInfo[]> {
    try {
      const result = await this.ml.virtualMachineSizes.list(location);
      return (result.value ?? [])
        .filter((size) => size.supportedComputeTypes === undefined || size.supportedComputeTypes.includes('ComputeInstance'))
        .map((size) => ({ name: size.name ?? '', vCPUs: size.vCPUs ?? 0, memoryGB: size.memoryGB ?? 0, gpus: size.gpus ?? 0 }))
        .filter((size) => size.name !== '');
    } catch (error) {
      throw fromArmError(error);
    }
  }

  /**
   * The subnet and its virtual network's region: one read of the network (VirtualNetworks_Get),
   * whose body lists its subnets; a network or subnet that does not exist is null. The SDK for
   * Microsoft.Network is not a dependency, so the read goes through the resources client's pipeline.
   */
  async getSubnet(subnetId: string): Promise<SubnetInfo | null> {
    const parts = parseSubnetId(subnetId);
    if (!parts) return null;
    const path = [
      'subscriptions', parts.subscriptionId, 'resourceGroups', parts.resourceGroup, 'providers', 'Microsoft.Network',
      'virtualNetworks', parts.virtualNetwork,
    ].map(encodeURIComponent).join('/');
    let response: PipelineResponse;
    try {
      response = await this.send(this.resources, `${path}?api-version=${NETWORK_API_VERSION}`, 'GET');
    } catch (error) {
      // Missing, or hidden from this identity (no read on the network): either way it cannot be joined.
      const status = isAppError(error) && isRestError(error.cause) ? error.cause.statusCode : undefined;
      if (status === 404 || status === 403) return null;
      throw error;
    }
    let network: { location?: unknown; properties?: { subnets?: { name?: unknown; id?: unknown }[] } };
    try {
      network = JSON.parse(response.bodyAsText ?? '{}') as typeof network;
    } catch {
      throw new AppError('azure-error', `Azure answered the read of virtual network ${parts.virtualNetwork} with a body that is not JSON.`);
    }
    const subnets = Array.isArray(network.properties?.subnets) ? network.properties.subnets : [];
    const subnet = subnets.find((candidate) => typeof candidate.name === 'string' && candidate.name.toLowerCase() === parts.subnet.toLowerCase());
    if (!subnet || typeof network.location !== 'string') return null;
    return { id: typeof subnet.id === 'string' ? subnet.id : subnetId, location: network.location };
  }

  /** ARM's `assignedTo()` filter: the principal's own assignments and those of its groups. */
  async roleAssignmentsFor(project: string, objectId: string): Promise<RoleAssignmentInfo[]> {
    if (!GUID.test(objectId)) throw new AppError('invalid-request', `'${objectId}' is not an Entra object id (a GUID).`);
    try {
      const assignments: RoleAssignmentInfo[] = [];
      for await (const assignment of this.authorization.roleAssignments.listForResourceGroup(project, { filter: `assignedTo('${objectId}')` })) {
        assignments.push({
          roleDefinitionId: assignment.roleDefinitionId ?? '',
          principalId: assignment.principalId ?? '',
          principalType: assignment.principalType ?? '',
          scope: assignment.scope ?? '',
        });
      }
      return assignments;
    } catch (error) {
      // A project whose resource group vanished grants nothing.
      if (isNotFound(error)) return [];
      throw fromArmError(error);
    }
  }

  /** Read once per process: a subscription's tenant does not change. A failed read is not kept. */
  subscriptionTenantId(): Promise<string> {
    this.tenant ??= this.readSubscriptionTenantId().catch((error: unknown) => {
      this.tenant = null;
      throw error;
    });
    return this.tenant;
  }

  /** Subscriptions_Get through the resources client's pipeline (its credential, retries and endpoint). */
  private async readSubscriptionTenantId(): Promise<string> {
    const path = `subscriptions/${encodeURIComponent(this.subscriptionId)}?api-version=${SUBSCRIPTIONS_API_VERSION}`;
    const response = await this.send(this.resources, path, 'GET');
    let tenantId: unknown;
    try {
      tenantId = (JSON.parse(response.bodyAsText ?? '{}') as { tenantId?: unknown }).tenantId;
    } catch {
      tenantId = undefined;
    }
    if (typeof tenantId !== 'string' || !GUID.test(tenantId)) {
      throw new AppError('azure-error', `Azure did not say which tenant subscription ${this.subscriptionId} belongs to.`);
    }
    return tenantId;
  }

  /**
   * A request the SDK has no operation for, through that client's own pipeline (credential,
   * endpoint, retries of 429 and 5xx); an error answer leaves as an AppError with ARM's code.
   */
  private async send(client: { sendRequest(request: PipelineRequest): Promise<PipelineResponse> }, pathAndQuery: string,
    method: 'GET' | 'POST', body?: unknown): Promise<PipelineResponse> {
    const request = createPipelineRequest({
      url: `${this.endpoint}/${pathAndQuery}`,
      method,
      headers: createHttpHeaders(body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let response: PipelineResponse;
    try {
      response = await client.sendRequest(request);
    } catch (error) {
      throw fromArmError(error);
    }
    if (response.status >= 300) throw fromArmError(restErrorOf(response));
    return response;
  }
}

/** A non-2xx answer as the RestError the SDK would throw, with ARM's error code and message. */
function restErrorOf(response: PipelineResponse): RestError {
  let detail: { code?: unknown; message?: unknown } | undefined;
  try {
    detail = (JSON.parse(response.bodyAsText ?? '') as { error?: { code?: unknown; message?: unknown } }).error;
  } catch {
    detail = undefined;
  }
  const message = typeof detail?.message === 'string' ? detail.message : `Azure answered ${response.status}.`;
  return new RestError(message, {
    code: typeof detail?.code === 'string' ? detail.code : undefined,
    statusCode: response.status,
    request: response.request,
    response,
  });
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Sends a long-running request and returns once Azure accepted it (a 2xx), without waiting for
 * the operation: callers poll the instance. The SDK's begin* methods would also read the
 * operation status once, right away; that read tells us nothing the next get of the instance does
 * not, yet it is one more ARM read per create, start, stop and delete, taken from the same
 * per-principal read budget as every poll (a burst of 200 spawns drew 429s from it). So the
 * request's abort signal fires as soon as the 2xx arrives, and the SDK stops before that read.
 */
async function accepted(
  send: (options: Pick<ComputeStartOptionalParams, 'onResponse' | 'abortSignal'>) => Promise<unknown>,
): Promise<void> {
  const afterAcceptance = new AbortController();
  let wasAccepted = false;
  try {
    await send({
      abortSignal: afterAcceptance.signal,
      onResponse: (response) => {
        if (response.status < 300 && !wasAccepted) {
          wasAccepted = true;
          afterAcceptance.abort();
        }
      },
    });
  } catch (error) {
    if (!wasAccepted) throw fromArmError(error);
  }
}
