/**
 * Project access by Azure role (PROJECT_ACCESS `rbac`): a project is offered to a user who holds,
 * directly or through a group, one of the configured roles on its workspace, on its resource group
 * or above it.
 * Pure: the role assignments come from the gateway (ARM's `assignedTo('<object id>')` filter
 * already expands group memberships), this decides what they grant.
 */

export interface RoleAssignmentInfo {
  /** Full role definition resource id (…/providers/Microsoft.Authorization/roleDefinitions/<guid>) or the bare GUID. */
  roleDefinitionId: string;
  principalId: string;
  /** User, Group, ServicePrincipal, … */
  principalType: string;
  /** Where the assignment applies: "/", a management group, the subscription, a resource group or below. */
  scope: string;
}

export interface ProjectAccessQuestion {
  subscriptionId: string;
  /** The project, i.e. its resource group. */
  project: string;
  /** Role definition GUIDs that grant access (lower case). */
  roleDefinitionIds: readonly string[];
}

/** The role definition GUID of a role definition id, lower case. */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  return (roleDefinitionId.split('/').filter((part) => part !== '').pop() ?? '').toLowerCase();
}

/**
 * Whether an assignment at `scope` applies to the project: its workspace (how an Azure ML admin
 * usually grants a workspace's users), the resource group itself, its subscription, a management
 * group or the root. An assignment on another resource inside the group (a storage account, say)
 * does not make the user a member of the project.
 */
export function scopeCoversProject(scope: string, subscriptionId: string, project: string): boolean {
  const normalized = scope.toLowerCase().replace(/\/+$/, '');
  if (normalized === '' || normalized.startsWith('/providers/microsoft.management/managementgroups/')) return true;
  const subscription = `/subscriptions/${subscriptionId.toLowerCase()}`;
  const group = `${subscription}/resourcegroups/${project.toLowerCase()}`;
  const workspace = `${group}/providers/microsoft.machinelearningservices/workspaces/${project.toLowerCase()}`;
  return normalized === subscription || normalized === group || normalized === workspace;
}

/** The one rule deciding rbac access, used for the options list and re-checked at spawn. */
export function grantsProjectAccess(assignments: readonly RoleAssignmentInfo[], question: ProjectAccessQuestion): boolean {
  const roles = new Set(question.roleDefinitionIds.map((id) => id.toLowerCase()));
  return assignments.some(
    (assignment) =>
      roles.has(roleDefinitionGuid(assignment.roleDefinitionId)) &&
      scopeCoversProject(assignment.scope, question.subscriptionId, question.project),
  );
}
