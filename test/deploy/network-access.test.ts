/**
 * Private workspaces: the control plane's identity may join the subnets of a network a project's
 * instances go into — a custom role with exactly the network actions the code and Azure ML need,
 * assigned on that one virtual network (deploy/network-access.json), never Network Contributor.
 */
import { evaluateValue } from './support/arm-expression-evaluator';
import type { ArmResource } from './support/arm-schemas';
import { fakeDeployment, loadTemplate, onlyResource, requiredParameterValues, resourcesOfType, TEST_PRINCIPAL, TEST_SUBSCRIPTION } from './support/arm-template';

/** What each action is for; anything more is a privilege the code does not use. */
const SUBNET_JOINER_ACTIONS: Record<string, string> = {
  'Microsoft.Network/virtualNetworks/read': "read the network named by a subnet id: whether the subnet exists, and the network's region",
  'Microsoft.Network/virtualNetworks/subnets/read': 'read the subnet itself',
  'Microsoft.Network/virtualNetworks/subnets/join/action': 'Azure ML checks it with the caller\'s rights when it creates an instance in the subnet',
};

describe('the subnet joiner role (deploy/access-roles.json)', () => {
  const template = loadTemplate('deploy/access-roles.json');
  const deployment = fakeDeployment(template, requiredParameterValues(template));
  const role = resourcesOfType(template, 'Microsoft.Authorization/roleDefinitions')
    .map((definition) => evaluateValue(definition, deployment) as ArmResource & { properties: { roleName: string; permissions: unknown; assignableScopes: string[] } })
    .find((definition) => definition.properties.roleName.startsWith('AML JupyterHub subnet joiner'));

  it('grants exactly the network actions the control plane needs, each for a stated reason', () => {
    expect(role?.properties.permissions).toEqual([{ actions: Object.keys(SUBNET_JOINER_ACTIONS), notActions: [], dataActions: [], notDataActions: [] }]);
    expect(role?.properties.assignableScopes).toEqual([`/subscriptions/${TEST_SUBSCRIPTION}`]);
  });

  it('is the role network-access.json assigns by default', () => {
    const network = loadTemplate('deploy/network-access.json');
    const networkDeployment = fakeDeployment(network, requiredParameterValues(network));
    expect(networkDeployment.parameters.roleDefinitionId).toBe(evaluateValue(template.outputs.subnetJoinerRoleDefinitionId.value, deployment));
    expect(String(networkDeployment.parameters.roleDefinitionId)).toContain(String(role?.name));
  });
});

describe('deploy/network-access.json', () => {
  const template = loadTemplate('deploy/network-access.json');
  const deployment = fakeDeployment(template, { ...requiredParameterValues(template), virtualNetworkName: 'hub-vnet' });
  const assignment = onlyResource(template, 'Microsoft.Authorization/roleAssignments');

  it('assigns the role to the identity as a service principal, on the one virtual network', () => {
    expect(evaluateValue(assignment.scope, deployment)).toBe('Microsoft.Network/virtualNetworks/hub-vnet');
    expect(evaluateValue(assignment.properties, deployment)).toMatchObject({ principalId: TEST_PRINCIPAL, principalType: 'ServicePrincipal' });
  });

  it('has a name stable across redeployments and distinct per network', () => {
    const nameFor = (virtualNetworkName: string) => evaluateValue(assignment.name, { ...deployment, parameters: { ...deployment.parameters, virtualNetworkName } });
    expect(nameFor('hub-vnet')).toBe(nameFor('hub-vnet'));
    expect(nameFor('hub-vnet')).not.toBe(nameFor('spoke-vnet'));
  });
});

describe('azuredeploy.json with COMPUTE_SUBNET_ID', () => {
  const template = loadTemplate('azuredeploy.json');
  const subnet = `/subscriptions/${TEST_SUBSCRIPTION}/resourceGroups/shared-networking/providers/Microsoft.Network/virtualNetworks/hub-vnet/subnets/compute`;
  const nested = onlyResource(template, 'Microsoft.Resources/deployments');
  const definition = onlyResource(template, 'Microsoft.Authorization/roleDefinitions');

  it('grants nothing on networks when no subnet is set', () => {
    const deployment = fakeDeployment(template);
    expect(evaluateValue(nested.condition, deployment)).toBe(false);
    expect(evaluateValue(definition.condition, deployment)).toBe(false);
  });

  it("gives the identity the subnet joiner role on the subnet's virtual network, in the network's resource group", () => {
    const deployment = fakeDeployment(template, { computeSubnetId: subnet });
    expect(evaluateValue(nested.condition, deployment)).toBe(true);
    expect(evaluateValue(nested.resourceGroup, deployment)).toBe('shared-networking');
    const [assignment] = ((nested.properties as { template: { resources: ArmResource[] } }).template.resources);
    expect(evaluateValue(assignment.scope, deployment)).toBe('Microsoft.Network/virtualNetworks/hub-vnet');
    const properties = evaluateValue(assignment.properties, deployment) as { roleDefinitionId: string; principalId: string; principalType: string };
    expect(properties).toMatchObject({ principalId: TEST_PRINCIPAL, principalType: 'ServicePrincipal' });
    // the same role deploy/access-roles.json creates: same name, same permissions
    const roles = loadTemplate('deploy/access-roles.json');
    const rolesDeployment = fakeDeployment(roles, requiredParameterValues(roles));
    expect(properties.roleDefinitionId).toBe(evaluateValue(roles.outputs.subnetJoinerRoleDefinitionId.value, rolesDeployment));
    const joiner = resourcesOfType(roles, 'Microsoft.Authorization/roleDefinitions')
      .map((candidate) => evaluateValue(candidate, rolesDeployment) as ArmResource & { properties: { roleName: string } })
      .find((candidate) => candidate.properties.roleName.startsWith('AML JupyterHub subnet joiner'));
    const ours = evaluateValue(definition, deployment) as ArmResource & { properties: object };
    expect(ours.name).toBe(joiner?.name);
    expect(ours.properties).toEqual(joiner?.properties);
    expect((ours.properties as { permissions: { actions: string[] }[] }).permissions[0]?.actions).toEqual(Object.keys(SUBNET_JOINER_ACTIONS));
  });
});
