/** Azure ML workspaces: get, list by resource group, list by subscription. */
import type { ArmHandler, EmulatorContext } from '../context';
import { ML_WORKSPACES, requireResourceGroup, requireSubscription, requireWorkspace, subscriptionPath } from '../lookups';
import type { SeedWorkspace } from '../seed';

function toArmWorkspace(ctx: EmulatorContext, ws: SeedWorkspace): object {
  const group = `${subscriptionPath(ctx)}/resourceGroups/${ws.resourceGroup}`;
  const short = ws.name.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 12);
  return {
    id: `${group}/providers/${ML_WORKSPACES}/${ws.name}`,
    name: ws.name,
    type: ML_WORKSPACES,
    location: ws.location,
    tags: ws.tags,
    kind: 'Default',
    identity: { type: 'SystemAssigned', principalId: ws.workspaceId, tenantId: ctx.seed.subscription.tenantId },
    sku: { name: 'Basic', tier: 'Basic' },
    properties: {
      friendlyName: ws.friendlyName,
      description: `${ws.friendlyName} (ARM emulator)`,
      workspaceId: ws.workspaceId,
      provisioningState: 'Succeeded',
      discoveryUrl: `https://${ws.location}.api.azureml.ms/discovery`,
      storageAccount: `${group}/providers/Microsoft.Storage/storageAccounts/st${short}`,
      keyVault: `${group}/providers/Microsoft.KeyVault/vaults/kv-${short}`,
      applicationInsights: `${group}/providers/Microsoft.Insights/components/appi-${short}`,
      hbiWorkspace: false,
      publicNetworkAccess: 'Enabled',
      v1LegacyMode: false,
    },
  };
}

export const getWorkspace: ArmHandler = (ctx, request) => ({
  status: 200,
  body: toArmWorkspace(ctx, requireWorkspace(ctx, request.params)),
});

export const listWorkspacesByResourceGroup: ArmHandler = (ctx, request) => {
  const group = requireResourceGroup(ctx, request.params);
  const value = ctx.seed.workspaces
    .filter((ws) => ws.resourceGroup.toLowerCase() === group.name.toLowerCase())
    .map((ws) => toArmWorkspace(ctx, ws));
  return { status: 200, body: { value } };
};

export const listWorkspacesBySubscription: ArmHandler = (ctx, request) => {
  requireSubscription(ctx, request.params);
  return { status: 200, body: { value: ctx.seed.workspaces.map((ws) => toArmWorkspace(ctx, ws)) } };
};
