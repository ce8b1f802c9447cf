/**
 * Microsoft.Resources resource groups: list, get, and the two ways ARM changes a group's tags —
 * a PATCH of the group (ResourceGroups_Update: the tags given replace the group's; needs
 * resourceGroups/write) and the Tags API at the group's scope (Tags_CreateOrUpdateAtScope PUT,
 * Tags_UpdateAtScope PATCH with Merge/Replace/Delete, Tags_GetAtScope; needs Microsoft.Resources/tags/*,
 * which Tag Contributor holds). Tags written are kept with the emulator's state.
 */
import { z } from 'zod';
import { badRequest } from '../arm-error';
import { requireAuthorization } from '../authorization';
import { parseBody } from '../compute-body';
import type { ArmHandler, EmulatorContext } from '../context';
import { requireResourceGroup, requireSubscription, subscriptionPath } from '../lookups';
import type { SeedResourceGroup } from '../seed';

/** The group's tags as they stand: the last written through ARM, else the seed's. */
export function groupTags(ctx: EmulatorContext, group: SeedResourceGroup): Record<string, string> {
  return ctx.store.resourceGroupTags(group.name) ?? group.tags;
}

function groupScope(ctx: EmulatorContext, group: SeedResourceGroup): string {
  return `${subscriptionPath(ctx)}/resourceGroups/${group.name}`;
}

function toArmResourceGroup(ctx: EmulatorContext, group: SeedResourceGroup): object {
  const tags = groupTags(ctx, group);
  return {
    id: groupScope(ctx, group),
    name: group.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: group.location,
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
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

const TagsSchema = z.record(z.string(), z.string());

const GroupPatchSchema = z.looseObject({ tags: TagsSchema.optional(), location: z.string().optional() });

/** ResourceGroups_Update: the group's location cannot change; the tags given replace the group's. */
export const updateResourceGroup: ArmHandler = (ctx, request) => {
  const group = requireResourceGroup(ctx, request.params);
  requireAuthorization(ctx, request.principal, groupScope(ctx, group), 'Microsoft.Resources/subscriptions/resourceGroups/write');
  const body = parseBody(GroupPatchSchema, request.body ?? {});
  if (body.location !== undefined && body.location.replace(/\s+/g, '').toLowerCase() !== group.location.toLowerCase()) {
    throw badRequest(`The location of resource group '${group.name}' cannot be changed.`, 'InvalidResourceGroupLocation');
  }
  if (body.tags !== undefined) ctx.store.putResourceGroupTags(group.name, checkTags(body.tags));
  return { status: 200, body: toArmResourceGroup(ctx, group) };
};

const TagsResourceSchema = z.object({ properties: z.object({ tags: TagsSchema }) });
const TagsPatchSchema = z.object({
  operation: z.enum(['Merge', 'Replace', 'Delete']),
  properties: z.object({ tags: TagsSchema }),
});

function toArmTags(ctx: EmulatorContext, group: SeedResourceGroup): object {
  return {
    id: `${groupScope(ctx, group)}/providers/Microsoft.Resources/tags/default`,
    name: 'default',
    type: 'Microsoft.Resources/tags',
    properties: { tags: groupTags(ctx, group) },
  };
}

export const getTagsAtScope: ArmHandler = (ctx, request) => ({
  status: 200,
  body: toArmTags(ctx, requireResourceGroup(ctx, request.params)),
});

/** Tags_CreateOrUpdateAtScope: the tags given become the group's, all of them. */
export const putTagsAtScope: ArmHandler = (ctx, request) => {
  const group = requireResourceGroup(ctx, request.params);
  requireAuthorization(ctx, request.principal, groupScope(ctx, group), 'Microsoft.Resources/tags/write');
  const body = parseBody(TagsResourceSchema, request.body);
  ctx.store.putResourceGroupTags(group.name, checkTags(body.properties.tags));
  return { status: 200, body: toArmTags(ctx, group) };
};

/** Tags_UpdateAtScope: Merge adds or changes the tags given, Replace sets exactly them, Delete removes the names given (with their value). */
export const patchTagsAtScope: ArmHandler = (ctx, request) => {
  const group = requireResourceGroup(ctx, request.params);
  requireAuthorization(ctx, request.principal, groupScope(ctx, group), 'Microsoft.Resources/tags/write');
  const body = parseBody(TagsPatchSchema, request.body);
  const current = groupTags(ctx, group);
  const given = body.properties.tags;
  let next: Record<string, string>;
  if (body.operation === 'Replace') next = given;
  else if (body.operation === 'Merge') next = { ...withoutNames(current, Object.keys(given)), ...given };
  else {
    next = Object.fromEntries(
      Object.entries(current).filter(([name, value]) => {
        const match = Object.entries(given).find(([gone]) => gone.toLowerCase() === name.toLowerCase());
        return match === undefined || (match[1] !== '' && match[1] !== value);
      }),
    );
  }
  ctx.store.putResourceGroupTags(group.name, checkTags(next));
  return { status: 200, body: toArmTags(ctx, group) };
};

/** Tag names are case-insensitive: a merged name replaces the same name in another case. */
function withoutNames(tags: Record<string, string>, names: string[]): Record<string, string> {
  const lower = new Set(names.map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(tags).filter(([name]) => !lower.has(name.toLowerCase())));
}

/** ARM's limits on tags: at most 50 per resource, names up to 512 characters without <>%&\?/, values up to 256. */
function checkTags(tags: Record<string, string>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > 50) throw badRequest(`A resource can have at most 50 tags; ${entries.length} were given.`, 'InvalidTagCount');
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > 512 || /[<>%&\\?/]/.test(name)) {
      throw badRequest(`The tag name '${name}' is invalid: 1 to 512 characters, none of < > % & \\ ? /.`, 'InvalidTagName');
    }
    if (value.length > 256) throw badRequest(`The value of tag '${name}' is longer than 256 characters.`, 'InvalidTagValueLength');
  }
  return tags;
}
