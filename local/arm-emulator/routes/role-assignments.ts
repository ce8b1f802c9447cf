/**
 * Microsoft.Authorization role assignments of a resource group (RoleAssignments_ListForResourceGroup),
 * as Azure answers them. `$filter`:
 * - `assignedTo('<objectId>')`: the principal's assignments and those of every group it belongs to
 *   (memberships from the seed, followed through nested groups), at, above or below the group;
 * - `principalId eq '<objectId>'`: that principal's own assignments only, at, above or below;
 * - `atScope()`: every assignment at the group or above it; combinable with `and assignedTo(…)`;
 * - none: every assignment at, above or below the group.
 */
import { ArmError } from '../arm-error';
import type { ArmHandler, EmulatorContext } from '../context';
import { requireResourceGroup, subscriptionPath } from '../lookups';
import type { SeedRoleAssignment } from '../seed';

const ROLE_ASSIGNMENTS = 'Microsoft.Authorization/roleAssignments';

interface Filter {
  atScope: boolean;
  /** Object ids whose assignments count, or null for everyone. */
  principals: Set<string> | null;
}

export const listRoleAssignmentsForResourceGroup: ArmHandler = (ctx, request) => {
  const group = requireResourceGroup(ctx, request.params);
  const groupScope = `${subscriptionPath(ctx)}/resourceGroups/${group.name}`.toLowerCase();
  const filter = parseFilter(ctx, request.query.$filter);
  const value = ctx.seed.roleAssignments
    .filter((assignment) => relation(assignment.scope, groupScope) !== 'unrelated')
    .filter((assignment) => !filter.atScope || relation(assignment.scope, groupScope) !== 'below')
    .filter((assignment) => filter.principals === null || filter.principals.has(assignment.principalId.toLowerCase()))
    .map((assignment) => toArmRoleAssignment(ctx, assignment));
  return { status: 200, body: { value } };
};

function toArmRoleAssignment(ctx: EmulatorContext, assignment: SeedRoleAssignment): object {
  const principal = ctx.seed.principals.find((p) => p.objectId.toLowerCase() === assignment.principalId.toLowerCase());
  return {
    properties: {
      roleDefinitionId: `${subscriptionPath(ctx)}/providers/Microsoft.Authorization/roleDefinitions/${assignment.roleDefinitionId}`,
      principalId: assignment.principalId,
      principalType: principal?.type ?? 'User',
      scope: assignment.scope,
    },
    id: `${assignment.scope}/providers/${ROLE_ASSIGNMENTS}/${assignment.name}`,
    type: ROLE_ASSIGNMENTS,
    name: assignment.name,
  };
}

/** Where an assignment's scope sits relative to the resource group. */
export function relation(scope: string, groupScope: string): 'at' | 'above' | 'below' | 'unrelated' {
  const normalized = scope.toLowerCase().replace(/\/+$/, '');
  if (normalized === groupScope) return 'at';
  if (normalized === '' || groupScope.startsWith(`${normalized}/`)) return 'above';
  if (normalized.startsWith(`${groupScope}/`)) return 'below';
  return 'unrelated';
}

const ASSIGNED_TO = /^assignedTo\('([^']+)'\)$/i;
const PRINCIPAL_ID = /^principalId\s+eq\s+'?([0-9a-f-]+)'?$/i;

function parseFilter(ctx: EmulatorContext, raw: string | undefined): Filter {
  const filter: Filter = { atScope: false, principals: null };
  if (raw === undefined || raw.trim() === '') return filter;
  for (const clause of raw.split(/\s+and\s+/i).map((part) => part.trim())) {
    const assignedTo = ASSIGNED_TO.exec(clause);
    const principalId = PRINCIPAL_ID.exec(clause);
    if (/^atScope\(\)$/i.test(clause)) filter.atScope = true;
    else if (assignedTo?.[1]) filter.principals = withGroups(ctx, assignedTo[1].toLowerCase());
    else if (principalId?.[1]) filter.principals = new Set([principalId[1].toLowerCase()]);
    else throw new ArmError(400, 'UnsupportedQuery', `The filter '${raw}' is not supported. Supported filters are atScope(), assignedTo('{objectId}') and principalId eq '{objectId}'.`);
  }
  return filter;
}

/** The principal and every group that holds it, directly or through other groups. */
export function withGroups(ctx: EmulatorContext, objectId: string): Set<string> {
  const found = new Set([objectId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const principal of ctx.seed.principals) {
      const id = principal.objectId.toLowerCase();
      if (principal.type !== 'Group' || found.has(id)) continue;
      if (principal.members.some((member) => found.has(member.toLowerCase()))) {
        found.add(id);
        grew = true;
      }
    }
  }
  return found;
}
