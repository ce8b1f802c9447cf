/** Microsoft.Resources resource groups: list and get. */
import type { ArmHandler, EmulatorContext } from '../context';
import { requireResourceGroup, requireSubscription, subscriptionPath } from '../lookups';
import type { SeedResourceGroup } from '../seed';

function toArmResourceGroup(ctx: EmulatorContext, group: SeedResourceGroup): object {
  return {
    id: `${subscriptionPath(ctx)}/resourceGroups/${group.name}`,
    name: group.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: group.location,
    ...(Object.keys(group.tags).length > 0 ? { tags: group.tags } : {}),
    properties: { provisioningState: 'Succeeded' },
  };
}

export const listResourceGroups: ArmHandler = (ctx, request) => {
  requireSubscription(ctx, request.params);
  return { status: 200, body: { value: ctx.seed.resourceGroups.map((group) => toArmResourceGroup(ctx, group)) } };
};

export const getResourceGroup: ArmHandler = (ctx, request) => ({
  status: 200,
  body: toArmResourceGroup(ctx, requireResourceGroup(ctx, request.params)),
});
