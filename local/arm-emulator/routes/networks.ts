/**
 * Microsoft.Network virtual networks and subnets (VirtualNetworks_Get, Subnets_Get), read-only, as
 * Azure shows them: the subnets a compute instance may join (`subnet.id` of a create).
 */
import { resourceNotFound } from '../arm-error';
import type { ArmHandler, EmulatorContext } from '../context';
import { requireResourceGroup, subscriptionPath } from '../lookups';
import { findVirtualNetwork, type SeedVirtualNetwork } from '../seed';

const NETWORKS = 'Microsoft.Network/virtualNetworks';

export function virtualNetworkId(ctx: EmulatorContext, network: SeedVirtualNetwork): string {
  return `${subscriptionPath(ctx)}/resourceGroups/${network.resourceGroup}/providers/${NETWORKS}/${network.name}`;
}

function toArmSubnet(ctx: EmulatorContext, network: SeedVirtualNetwork, subnet: SeedVirtualNetwork['subnets'][number]): object {
  return {
    id: `${virtualNetworkId(ctx, network)}/subnets/${subnet.name}`,
    name: subnet.name,
    type: `${NETWORKS}/subnets`,
    properties: { provisioningState: 'Succeeded', addressPrefix: subnet.addressPrefix, privateEndpointNetworkPolicies: 'Disabled' },
  };
}

function requireNetwork(ctx: EmulatorContext, params: Record<string, string>): SeedVirtualNetwork {
  const group = requireResourceGroup(ctx, params);
  const name = params.virtualNetworkName ?? '';
  const network = findVirtualNetwork(ctx.seed, group.name, name);
  if (!network) throw resourceNotFound(NETWORKS, name, group.name);
  return network;
}

export const getVirtualNetwork: ArmHandler = (ctx, request) => {
  const network = requireNetwork(ctx, request.params);
  return {
    status: 200,
    body: {
      id: virtualNetworkId(ctx, network),
      name: network.name,
      type: NETWORKS,
      location: network.location,
      properties: {
        provisioningState: 'Succeeded',
        addressSpace: { addressPrefixes: network.addressPrefixes },
        subnets: network.subnets.map((subnet) => toArmSubnet(ctx, network, subnet)),
      },
    },
  };
};

export const getSubnet: ArmHandler = (ctx, request) => {
  const network = requireNetwork(ctx, request.params);
  const name = request.params.subnetName ?? '';
  const subnet = network.subnets.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  if (!subnet) throw resourceNotFound(`${NETWORKS}/${network.name}/subnets`, name, network.resourceGroup);
  return { status: 200, body: toArmSubnet(ctx, network, subnet) };
};

/** The network and subnet a subnet resource id names, or null when the seed has no such subnet. */
export function findSubnet(ctx: EmulatorContext, subnetId: string): { network: SeedVirtualNetwork } | null {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(subnetId);
  if (!match) return null;
  const [, subscriptionId = '', resourceGroup = '', networkName = '', subnetName = ''] = match;
  if (subscriptionId.toLowerCase() !== ctx.seed.subscription.id.toLowerCase()) return null;
  const network = findVirtualNetwork(ctx.seed, resourceGroup, networkName);
  if (!network?.subnets.some((subnet) => subnet.name.toLowerCase() === subnetName.toLowerCase())) return null;
  return { network };
}
