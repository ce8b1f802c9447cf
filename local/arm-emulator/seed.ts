/**
 * The emulator's fixed world (subscription, resource groups, workspaces, VM sizes, principals and
 * their role assignments), read from seed.json.
 */
import { z } from 'zod';
import seedJson from './seed.json';

const Tags = z.record(z.string(), z.string());

const SeedSchema = z.object({
  subscription: z.object({ id: z.string(), displayName: z.string(), tenantId: z.string() }),
  managedIdentity: z.object({ principalId: z.string(), clientId: z.string() }),
  resourceGroups: z.array(z.object({ name: z.string(), location: z.string(), tags: Tags })),
  workspaces: z.array(
    z.object({
      name: z.string(),
      resourceGroup: z.string(),
      location: z.string(),
      friendlyName: z.string(),
      workspaceId: z.string(),
      tags: Tags,
      /** Paths of the files in the workspace's file share (the datastore setup scripts are read from). */
      datastoreFiles: z.array(z.string()).default([]),
    }),
  ),
  /** Microsoft.Network virtual networks and their subnets (what a compute instance may join). */
  virtualNetworks: z
    .array(
      z.object({
        name: z.string(),
        resourceGroup: z.string(),
        location: z.string(),
        addressPrefixes: z.array(z.string()),
        subnets: z.array(z.object({ name: z.string(), addressPrefix: z.string() })),
      }),
    )
    .default([]),
  /** Users and groups by Entra object id; a group lists its members' object ids (users or groups). */
  principals: z.array(
    z.object({
      objectId: z.string(),
      displayName: z.string(),
      type: z.enum(['User', 'Group', 'ServicePrincipal']),
      members: z.array(z.string()).default([]),
    }),
  ),
  /** Role assignments: `roleDefinitionId` is the role's GUID, `scope` a full scope path. */
  roleAssignments: z.array(
    z.object({ name: z.string(), principalId: z.string(), roleDefinitionId: z.string(), scope: z.string(), comment: z.string().optional() }),
  ),
  vmSizes: z.record(
    z.string(),
    z.array(
      z.looseObject({ name: z.string(), family: z.string(), vCPUs: z.number(), gpus: z.number(), memoryGB: z.number() }),
    ),
  ),
});

export type Seed = z.infer<typeof SeedSchema>;
export type SeedResourceGroup = Seed['resourceGroups'][number];
export type SeedWorkspace = Seed['workspaces'][number];
export type SeedVmSize = Seed['vmSizes'][string][number];
export type SeedPrincipal = Seed['principals'][number];
export type SeedVirtualNetwork = Seed['virtualNetworks'][number];
export type SeedRoleAssignment = Seed['roleAssignments'][number];

export const SEED: Seed = SeedSchema.parse(seedJson);

/** The subscription the emulator serves; point AZURE_SUBSCRIPTION_ID at it. */
export const SEED_SUBSCRIPTION_ID: string = SEED.subscription.id;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findResourceGroup(seed: Seed, name: string): SeedResourceGroup | undefined {
  return seed.resourceGroups.find((group) => same(group.name, name));
}

export function findWorkspace(seed: Seed, resourceGroup: string, name: string): SeedWorkspace | undefined {
  return seed.workspaces.find((ws) => same(ws.resourceGroup, resourceGroup) && same(ws.name, name));
}

export function findVirtualNetwork(seed: Seed, resourceGroup: string, name: string): SeedVirtualNetwork | undefined {
  return seed.virtualNetworks.find((network) => same(network.resourceGroup, resourceGroup) && same(network.name, name));
}

/** VM sizes offered in a location (`West Europe` and `westeurope` are the same location). */
export function vmSizesIn(seed: Seed, location: string): SeedVmSize[] {
  const key = normalizeLocation(location);
  const entry = Object.entries(seed.vmSizes).find(([name]) => normalizeLocation(name) === key);
  return entry ? entry[1] : [];
}

export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}
