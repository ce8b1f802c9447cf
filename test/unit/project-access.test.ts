import { grantsProjectAccess, roleDefinitionGuid, scopeCoversProject, type RoleAssignmentInfo } from '../../shared/domain/project-access';

const SUB = '00000000-0000-0000-0000-00000000a4b1';
const DATA_SCIENTIST = 'f6c7c914-8db3-469d-8ca1-694a8f32e121';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const question = { subscriptionId: SUB, project: 'climate-lab', roleDefinitionIds: [DATA_SCIENTIST] };

const assignment = (roleDefinitionId: string, scope: string): RoleAssignmentInfo => ({
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionId}`,
  principalId: 'a11ce000-0000-4000-8000-000000000001',
  principalType: 'User',
  scope,
});

describe('project access by role', () => {
  it.each([
    ['the resource group', `/subscriptions/${SUB}/resourceGroups/climate-lab`, true],
    ['the resource group, other case', `/subscriptions/${SUB.toUpperCase()}/resourcegroups/Climate-Lab/`, true],
    ['the subscription', `/subscriptions/${SUB}`, true],
    ['a management group', '/providers/Microsoft.Management/managementGroups/research', true],
    ['the root', '/', true],
    ['the workspace', `/subscriptions/${SUB}/resourceGroups/climate-lab/providers/Microsoft.MachineLearningServices/workspaces/climate-lab`, true],
    ['the workspace, other case', `/subscriptions/${SUB}/resourcegroups/CLIMATE-LAB/providers/microsoft.machinelearningservices/Workspaces/Climate-Lab/`, true],
    ['another workspace in the group', `/subscriptions/${SUB}/resourceGroups/climate-lab/providers/Microsoft.MachineLearningServices/workspaces/scratch`, false],
    ['the same-named workspace of another group', `/subscriptions/${SUB}/resourceGroups/ocean-lab/providers/Microsoft.MachineLearningServices/workspaces/climate-lab`, false],
    ['one compute inside the workspace', `/subscriptions/${SUB}/resourceGroups/climate-lab/providers/Microsoft.MachineLearningServices/workspaces/climate-lab/computes/ci-1`, false],
    ['another resource group', `/subscriptions/${SUB}/resourceGroups/ocean-lab`, false],
    ['one resource inside the group', `/subscriptions/${SUB}/resourceGroups/climate-lab/providers/Microsoft.Storage/storageAccounts/st1`, false],
    ['another subscription', '/subscriptions/11111111-0000-0000-0000-000000000000', false],
  ])('a role at %s: %s', (_name, scope, expected) => {
    expect(scopeCoversProject(scope, SUB, 'climate-lab')).toBe(expected);
    expect(grantsProjectAccess([assignment(DATA_SCIENTIST, scope)], question)).toBe(expected);
  });

  it('grants only for a configured role', () => {
    expect(grantsProjectAccess([assignment(READER, `/subscriptions/${SUB}/resourceGroups/climate-lab`)], question)).toBe(false);
    expect(grantsProjectAccess([], question)).toBe(false);
  });

  it('reads the role GUID from a full or bare role definition id', () => {
    expect(roleDefinitionGuid(`/providers/Microsoft.Authorization/roleDefinitions/${DATA_SCIENTIST.toUpperCase()}`)).toBe(DATA_SCIENTIST);
    expect(roleDefinitionGuid(DATA_SCIENTIST)).toBe(DATA_SCIENTIST);
  });
});
