/**
 * PUT a compute instance: validates the body like Azure ML (name, VM size in the region, location,
 * idle shutdown), answers 201 + Azure-AsyncOperation/Location, and starts the create.
 */
import { badRequest, conflict } from '../arm-error';
import {
  checkComputeName,
  checkIdleTime,
  ComputeInstanceBodySchema,
  parseBody,
  type ComputeInstanceBody,
  type ScriptReferenceBody,
} from '../compute-body';
import { findSubnet } from './networks';
import { hasComputeInstanceProperty } from '../api-versions';
import { accessSettingsOf } from '../compute-access';
import { toArmCompute, toArmComputeAccepted } from '../compute-view';
import { checkCustomServices } from '../custom-services';
import type { ArmHandler, ArmRequest, EmulatorContext } from '../context';
import { created } from '../lifecycle';
import { requireWorkspace } from '../lookups';
import { normalizeLocation, vmSizesIn, type SeedWorkspace } from '../seed';
import { beginOperation } from './operations';

export const createOrUpdateCompute: ArmHandler = (ctx, request) => {
  const ws = requireWorkspace(ctx, request.params);
  const name = request.params.computeName ?? '';
  checkComputeName(name);
  const body = parseBody(ComputeInstanceBodySchema, request.body);
  const vmSize = checkBody(ctx, request, ws, body);
  const now = ctx.now();

  const existing = ctx.store.compute(ws.resourceGroup, ws.name, name, now);
  if (existing) {
    if (existing.state === 'Deleting') {
      throw conflict(`Compute instance '${existing.name}' is being deleted. Create it again once the deletion has completed.`);
    }
    if (existing.vmSize.toLowerCase() !== vmSize.toLowerCase()) {
      throw badRequest(
        `Compute with name '${existing.name}' already exists in this workspace with VM size '${existing.vmSize}'. ` +
          'The VM size of an existing compute instance cannot be changed by a create; delete the instance first.',
      );
    }
    // ARM PUTs are idempotent: the same create again answers the resource as it stands.
    return { status: 200, body: toArmCompute(existing, ctx.seed.subscription.id, ctx.labBaseUrl) };
  }
  const elsewhere = ctx.store.computeNamed(name, ws.location, now);
  if (elsewhere) {
    throw badRequest(
      `Compute name '${name}' is not available. Reason: AlreadyExists. A compute with this name already exists in region ` +
        `'${ws.location}'; compute instance names must be unique across all workspaces of a region.`,
    );
  }

  const inner = body.properties.properties;
  const access = accessSettingsOf(request.apiVersion, inner);
  checkCustomServices(inner);
  const outcome = ctx.scenarios.takeOutcome({ operation: 'computes/createOrUpdate', name, resourceGroup: ws.resourceGroup, vmSize });
  const record = created(
    {
      name,
      resourceGroup: ws.resourceGroup,
      workspace: ws.name,
      location: ws.location,
      vmSize,
      tags: body.tags ?? {},
      description: body.properties.description ?? null,
      assignedUser: inner.personalComputeInstanceSettings?.assignedUser ?? null,
      authorizationType: inner.computeInstanceAuthorizationType ?? null,
      applicationSharingPolicy: inner.applicationSharingPolicy ?? null,
      idleTimeBeforeShutdown: honoursIdleShutdown(request) ? (inner.idleTimeBeforeShutdown ?? null) : null,
      subnetId: inner.subnet?.id ?? null,
      enableNodePublicIp: inner.enableNodePublicIp ?? null,
      setupScripts: inner.setupScripts?.scripts ?? null,
      customServices: inner.customServices ?? null,
      ...access,
      createdBy: {
        userId: request.principal.id,
        userOrgId: request.principal.tenantId ?? ctx.seed.subscription.tenantId,
        userName: request.principal.name,
      },
    },
    now,
    ctx.durations,
    outcome,
  );
  ctx.store.putCompute(record);
  const headers = beginOperation(ctx, request, record, {
    name: 'Create',
    completesAt: record.until ?? now,
    result: outcome?.error ? 'Failed' : 'Succeeded',
    error: outcome?.error ?? null,
  });
  return { status: 201, headers, body: toArmComputeAccepted(record, ctx.seed.subscription.id) };
};

/** The checks Azure ML makes on a create body; returns the VM size with Azure's spelling. */
function checkBody(ctx: EmulatorContext, request: ArmRequest, ws: SeedWorkspace, body: ComputeInstanceBody): string {
  if (body.properties.computeType !== 'ComputeInstance') {
    throw badRequest(`Compute type '${body.properties.computeType}' is not supported by the ARM emulator; it serves ComputeInstance only.`);
  }
  if (body.location !== undefined && normalizeLocation(body.location) !== normalizeLocation(ws.location)) {
    throw badRequest(
      `The location '${body.location}' of the compute instance does not match the location '${ws.location}' of workspace '${ws.name}'.`,
    );
  }
  const requested = body.properties.properties.vmSize;
  const size = vmSizesIn(ctx.seed, ws.location).find((candidate) => candidate.name.toLowerCase() === requested.toLowerCase());
  if (!size) {
    throw badRequest(
      `The requested VM size '${requested}' is not available in location '${ws.location}' for this subscription. ` +
        `Choose a size listed by the virtualMachineSizes API for '${ws.location}'.`,
      'VMSizeNotSupported',
    );
  }
  checkNetworkAndScripts(ctx, ws, body.properties.properties);
  const idle = body.properties.properties.idleTimeBeforeShutdown;
  if (idle !== undefined && honoursIdleShutdown(request)) checkIdleTime(idle, ctx.options.allowShortIdle);
  return size.name;
}

function honoursIdleShutdown(request: ArmRequest): boolean {
  return hasComputeInstanceProperty(request.apiVersion, 'idleTimeBeforeShutdown');
}

type InstanceProperties = ComputeInstanceBody['properties']['properties'];

/**
 * Azure ML's checks of where the instance goes and what it runs: the subnet must exist and lie
 * in the workspace's region; a setup script from the workspace's storage must be a file there.
 */
function checkNetworkAndScripts(ctx: EmulatorContext, ws: SeedWorkspace, inner: InstanceProperties): void {
  const subnetId = inner.subnet?.id;
  if (subnetId) {
    const found = findSubnet(ctx, subnetId);
    if (!found) {
      throw badRequest(
        `Subnet '${subnetId}' was not found, or this workspace cannot use it. Specify an existing subnet of a virtual network in location '${ws.location}'.`,
        'InvalidSubnet',
      );
    }
    if (normalizeLocation(found.network.location) !== normalizeLocation(ws.location)) {
      throw badRequest(
        `The virtual network '${found.network.name}' of subnet '${subnetId}' is in location '${found.network.location}', but workspace '${ws.name}' is in '${ws.location}'. ` +
          'A compute instance can only use a subnet in the same location as its workspace.',
        'InvalidSubnet',
      );
    }
  }
  const scripts = inner.setupScripts?.scripts;
  for (const [kind, script] of [['creation', scripts?.creationScript], ['startup', scripts?.startupScript]] as const) {
    if (script) checkScript(ws, kind, script);
  }
}

function checkScript(ws: SeedWorkspace, kind: 'creation' | 'startup', script: ScriptReferenceBody): void {
  const source = (script.scriptSource ?? '').toLowerCase();
  const data = script.scriptData ?? '';
  if (data === '') throw badRequest(`The ${kind} script has no scriptData: name the script's path (workspaceStorage) or its content (inline).`);
  if (source === 'inline') return;
  if (source !== 'workspacestorage') {
    throw badRequest(`The ${kind} script's scriptSource '${script.scriptSource ?? ''}' is not supported: use 'workspaceStorage' or 'inline'.`);
  }
  const path = data.replace(/^\/+/, '');
  if (!ws.datastoreFiles.some((file) => file === path)) {
    throw badRequest(
      `The ${kind} script '${data}' was not found in the file share of workspace '${ws.name}' (its workspaceworkingdirectory datastore). Upload the script there (e.g. under Users/) and name its path.`,
    );
  }
}
