/**
 * The ARM operations the emulator serves: method, path template (case-insensitive, as ARM),
 * the stable operation name used in stats and scenarios, the provider (for api-version checks)
 * and the handler.
 */
import type { ArmHandler } from './context';
import { createOrUpdateCompute } from './routes/compute-create';
import { deleteCompute, restartCompute, startCompute, stopCompute, updateIdleShutdownSetting } from './routes/compute-actions';
import { getCompute, listComputes } from './routes/computes';
import { getOperationResult, getOperationStatus } from './routes/operations';
import { getTagsAtScope, patchTagsAtScope, putTagsAtScope, getResourceGroup, listResourceGroups, updateResourceGroup } from './routes/resource-groups';
import { getSubnet, getVirtualNetwork } from './routes/networks';
import { listRoleAssignmentsForResourceGroup } from './routes/role-assignments';
import { getSubscription } from './routes/subscriptions';
import { listVmSizes } from './routes/vm-sizes';
import { getWorkspace, listWorkspacesByResourceGroup, listWorkspacesBySubscription } from './routes/workspaces';

export type Provider = 'Microsoft.Resources' | 'Microsoft.MachineLearningServices' | 'Microsoft.Authorization' | 'Microsoft.Network';

interface RouteSpec {
  method: string;
  template: string;
  operation: string;
  provider: Provider;
  handler: ArmHandler;
}

const SUB = '/subscriptions/{subscriptionId}';
const ML = `${SUB}/providers/Microsoft.MachineLearningServices`;
const WS = `${SUB}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces`;
const COMPUTE = `${WS}/{workspaceName}/computes/{computeName}`;
const RES: Provider = 'Microsoft.Resources';
const AML: Provider = 'Microsoft.MachineLearningServices';
const AUTH: Provider = 'Microsoft.Authorization';
const NET: Provider = 'Microsoft.Network';
const VNET = `${SUB}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}`;
const TAGS = `${SUB}/resourceGroups/{resourceGroupName}/providers/Microsoft.Resources/tags/default`;

const SPECS: RouteSpec[] = [
  { method: 'GET', template: SUB, operation: 'subscriptions/get', provider: RES, handler: getSubscription },
  { method: 'GET', template: `${SUB}/resourcegroups`, operation: 'resourceGroups/list', provider: RES, handler: listResourceGroups },
  { method: 'GET', template: `${SUB}/resourcegroups/{resourceGroupName}`, operation: 'resourceGroups/get', provider: RES, handler: getResourceGroup },
  { method: 'PATCH', template: `${SUB}/resourcegroups/{resourceGroupName}`, operation: 'resourceGroups/update', provider: RES, handler: updateResourceGroup },
  { method: 'GET', template: TAGS, operation: 'tags/getAtScope', provider: RES, handler: getTagsAtScope },
  { method: 'PUT', template: TAGS, operation: 'tags/createOrUpdateAtScope', provider: RES, handler: putTagsAtScope },
  { method: 'PATCH', template: TAGS, operation: 'tags/updateAtScope', provider: RES, handler: patchTagsAtScope },
  { method: 'GET', template: VNET, operation: 'virtualNetworks/get', provider: NET, handler: getVirtualNetwork },
  { method: 'GET', template: `${VNET}/subnets/{subnetName}`, operation: 'subnets/get', provider: NET, handler: getSubnet },
  {
    method: 'GET',
    template: `${SUB}/resourceGroups/{resourceGroupName}/providers/Microsoft.Authorization/roleAssignments`,
    operation: 'roleAssignments/listForResourceGroup',
    provider: AUTH,
    handler: listRoleAssignmentsForResourceGroup,
  },
  { method: 'GET', template: `${ML}/workspaces`, operation: 'workspaces/listBySubscription', provider: AML, handler: listWorkspacesBySubscription },
  { method: 'GET', template: WS, operation: 'workspaces/listByResourceGroup', provider: AML, handler: listWorkspacesByResourceGroup },
  { method: 'GET', template: `${WS}/{workspaceName}`, operation: 'workspaces/get', provider: AML, handler: getWorkspace },
  { method: 'GET', template: `${ML}/locations/{location}/vmSizes`, operation: 'virtualMachineSizes/list', provider: AML, handler: listVmSizes },
  {
    method: 'GET',
    template: `${ML}/locations/{location}/computeOperationsStatus/{operationId}`,
    operation: 'operationStatus/get',
    provider: AML,
    handler: getOperationStatus,
  },
  {
    method: 'GET',
    template: `${ML}/locations/{location}/computeOperationsResult/{operationId}`,
    operation: 'operationResult/get',
    provider: AML,
    handler: getOperationResult,
  },
  { method: 'GET', template: `${WS}/{workspaceName}/computes`, operation: 'computes/list', provider: AML, handler: listComputes },
  { method: 'GET', template: COMPUTE, operation: 'computes/get', provider: AML, handler: getCompute },
  { method: 'PUT', template: COMPUTE, operation: 'computes/createOrUpdate', provider: AML, handler: createOrUpdateCompute },
  { method: 'DELETE', template: COMPUTE, operation: 'computes/delete', provider: AML, handler: deleteCompute },
  { method: 'POST', template: `${COMPUTE}/start`, operation: 'computes/start', provider: AML, handler: startCompute },
  { method: 'POST', template: `${COMPUTE}/stop`, operation: 'computes/stop', provider: AML, handler: stopCompute },
  { method: 'POST', template: `${COMPUTE}/restart`, operation: 'computes/restart', provider: AML, handler: restartCompute },
  {
    method: 'POST',
    template: `${COMPUTE}/updateIdleShutdownSetting`,
    operation: 'computes/updateIdleShutdownSetting',
    provider: AML,
    handler: updateIdleShutdownSetting,
  },
];

interface CompiledRoute extends RouteSpec {
  pattern: RegExp;
  names: string[];
}

const ROUTES: CompiledRoute[] = SPECS.map((spec) => {
  const names: string[] = [];
  const source = spec.template
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  return { ...spec, names, pattern: new RegExp(`^${source}/?$`, 'i') };
});

export interface ArmRouteMatch {
  operation: string;
  provider: Provider;
  handler: ArmHandler;
  params: Record<string, string>;
}

/** The operation a request is for, or null when the emulator does not serve it. A HEAD is its GET's (ARM's check existence). */
export function matchArmRoute(method: string, path: string): ArmRouteMatch | null {
  const asMethod = method === 'HEAD' ? 'GET' : method;
  for (const route of ROUTES) {
    if (route.method !== asMethod) continue;
    const found = route.pattern.exec(path);
    if (!found) continue;
    const params = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(found[index + 1] ?? '')]));
    return { operation: route.operation, provider: route.provider, handler: route.handler, params };
  }
  return null;
}

/** Every operation name the emulator can report in its stats. */
export const OPERATION_NAMES: string[] = [...new Set(SPECS.map((spec) => spec.operation))];
