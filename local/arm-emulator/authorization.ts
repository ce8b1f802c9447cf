/**
 * ARM's authorization of a write, for the operations where who asks matters to the tests: the
 * caller (or a group it is in) must hold, at the scope or above it, a built-in role whose actions
 * include the one requested — else ARM's 403 AuthorizationFailed. Only the built-in roles the seed
 * uses are known; their actions are Azure's (NotActions included where they matter here).
 */
import { ArmError } from './arm-error';
import type { Principal } from './access-token';
import type { EmulatorContext } from './context';
import { relation, withGroups } from './routes/role-assignments';

interface RoleActions {
  actions: string[];
  notActions: string[];
}

/** Built-in role definitions by id (the same in every tenant). */
const BUILT_IN_ROLES: Record<string, RoleActions> = {
  // Owner
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': { actions: ['*'], notActions: [] },
  // Contributor
  'b24988ac-6180-42a0-ab88-20f7382dd24c': {
    actions: ['*'],
    notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'],
  },
  // Tag Contributor
  '4a9ae827-6dc8-4573-8ac7-8239d42aa03f': {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Resources/subscriptions/resourceGroups/resources/read', 'Microsoft.Resources/tags/*'],
    notActions: [],
  },
  // Reader
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': { actions: ['*/read'], notActions: [] },
  // AzureML Data Scientist
  'f6c7c914-8db3-469d-8ca1-694a8f32e121': { actions: ['Microsoft.MachineLearningServices/workspaces/*/read', 'Microsoft.MachineLearningServices/workspaces/*/action', 'Microsoft.MachineLearningServices/workspaces/*/write'], notActions: [] },
};

/** Throws ARM's 403 unless the caller holds a role granting `action` at `scope` or above. */
export function requireAuthorization(ctx: EmulatorContext, principal: Principal, scope: string, action: string): void {
  const principals = withGroups(ctx, principal.id.toLowerCase());
  const target = scope.toLowerCase();
  const granted = ctx.seed.roleAssignments.some((assignment) => {
    if (!principals.has(assignment.principalId.toLowerCase())) return false;
    const where = relation(assignment.scope, target);
    if (where !== 'at' && where !== 'above') return false;
    const role = BUILT_IN_ROLES[assignment.roleDefinitionId.toLowerCase()];
    return role !== undefined && role.actions.some((pattern) => matches(pattern, action)) && !role.notActions.some((pattern) => matches(pattern, action));
  });
  if (granted) return;
  throw new ArmError(
    403,
    'AuthorizationFailed',
    `The client '${principal.name}' with object id '${principal.id}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/** ARM's action wildcards: `*` stands for any run of characters, case-insensitively. */
function matches(pattern: string, action: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`, 'i').test(action);
}
