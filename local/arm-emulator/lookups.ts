/** The parent resources a request names, or ARM's 404 for the first one that does not exist. */
import { resourceGroupNotFound, resourceNotFound, subscriptionNotFound } from './arm-error';
import type { EmulatorContext } from './context';
import { findResourceGroup, findWorkspace, type SeedResourceGroup, type SeedWorkspace } from './seed';

export const ML_WORKSPACES = 'Microsoft.MachineLearningServices/workspaces';

export function requireSubscription(ctx: EmulatorContext, params: Record<string, string>): void {
  const id = params.subscriptionId ?? '';
  if (id.toLowerCase() !== ctx.seed.subscription.id.toLowerCase()) throw subscriptionNotFound(id);
}

export function requireResourceGroup(ctx: EmulatorContext, params: Record<string, string>): SeedResourceGroup {
  requireSubscription(ctx, params);
  const name = params.resourceGroupName ?? '';
  const group = findResourceGroup(ctx.seed, name);
  if (!group) throw resourceGroupNotFound(name);
  return group;
}

export function requireWorkspace(ctx: EmulatorContext, params: Record<string, string>): SeedWorkspace {
  const group = requireResourceGroup(ctx, params);
  const name = params.workspaceName ?? '';
  const workspace = findWorkspace(ctx.seed, group.name, name);
  if (!workspace) throw resourceNotFound(ML_WORKSPACES, name, group.name);
  return workspace;
}

export function subscriptionPath(ctx: EmulatorContext): string {
  return `/subscriptions/${ctx.seed.subscription.id}`;
}
