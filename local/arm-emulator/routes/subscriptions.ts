/**
 * Microsoft.Resources subscriptions: get (Subscriptions_Get), as Azure answers it. The control plane
 * reads `tenantId` from it: the tenant of a person's object id sent without one.
 */
import type { ArmHandler } from '../context';
import { requireSubscription, subscriptionPath } from '../lookups';

export const getSubscription: ArmHandler = (ctx, request) => {
  requireSubscription(ctx, request.params);
  const { subscription } = ctx.seed;
  return {
    status: 200,
    body: {
      id: subscriptionPath(ctx),
      authorizationSource: 'RoleBased',
      managedByTenants: [],
      subscriptionId: subscription.id,
      tenantId: subscription.tenantId,
      displayName: subscription.displayName,
      state: 'Enabled',
      subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
    },
  };
};
