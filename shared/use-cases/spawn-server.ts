/**
 * Spawn: idempotent and single-flight per server id. Only the caller whose conditional write moved
 * the server into Requested starts the provisioning run; everyone else sees the run under way.
 * A server stored under the id for another (hub, user, project, serverName) is never returned nor
 * changed. Everything that can refuse the spawn is checked before the server is written: the
 * spawn's cost is the lookups (cached), its quota places, one conditional write and the start of
 * the orchestration.
 */
import { AppError, isAppError } from '../domain/errors';
import { isAtRest, isProvisioning, isWindingDown } from '../domain/lifecycle';
import { quotaScopes, type QuotaCandidate } from '../domain/quotas';
import { claimQuota } from './claim-quota';
import type { OrchestrationControl } from '../domain/ports';
import type { ServerIdentity } from '../domain/naming';
import type { Server, SizeLabel } from '../domain/server';
import { DEFAULT_APP, type LandingApp } from '../domain/landing';
import type { Project } from '../domain/projects';
import { newServer, respawned } from '../domain/server-changes';
import { nowIso, type WithSettings } from './dependencies';
import { enforceBudget } from './usage-report';
import type { UsageDeps } from './usage-report';
import { projectLandingChoices } from './landing-choices';
import { requireProjectComputeSettings } from './project-compute-settings';

/** What this use case reads: its ports and only these settings. */
export type SpawnDeps = WithSettings<'applicationSharingPolicy' | 'busyRetryAfterSeconds' | 'hubId' | 'quotas' | 'entraTenantId' | 'computeDefaults'> & UsageDeps;

export interface SpawnRequest {
  user: string;
  project: string;
  size: SizeLabel;
  serverName: string;
  /** Where the person lands once it runs: one of the project's landing choices (`landing.ts`); JupyterLab when absent. */
  app?: string;
  userObjectId: string | null;
  tenantId: string | null;
}

export interface SpawnResult {
  server: Server;
  /** true while provisioning (202), false when the server is already Running (200). */
  accepted: boolean;
}

type Assignee = Pick<Server, 'userObjectId' | 'tenantId'>;

const MAX_ATTEMPTS = 5;

export async function spawnServer(deps: SpawnDeps, control: OrchestrationControl, request: SpawnRequest): Promise<SpawnResult> {
  const assignee = await assigneeOf(deps, request);
  const lookup = await deps.catalog.findProject(request.project, { userObjectId: request.userObjectId });
  if (lookup.kind === 'unknown') throw new AppError('project-not-found', `There is no project named '${request.project}'.`);
  if (lookup.kind === 'not-offered') throw new AppError('project-forbidden', lookup.reason);
  const { project } = lookup;
  const app = request.app ?? DEFAULT_APP;
  refuseUnofferedApp(app, project, await projectLandingChoices(deps, project));
  const size = await deps.catalog.sizeIn(request.size, project.location);
  if (!size) {
    throw new AppError('size-unavailable', `No VM size for '${request.size}' is offered in region ${project.location}.`);
  }
  const identity = { hubId: deps.settings.hubId, user: request.user, project: project.name, serverName: request.serverName };
  const id = deps.serverId({ ...identity, vmSize: size.vmSize });
  const withinQuota = () => enforceQuotas(deps, { id, user: request.user, project: project.name, size: request.size });
  // A spawn that would start a server is refused once the project has used its month's budget.
  // ... and while its compute settings (resource-group tags, COMPUTE_* settings) are invalid: named, before any write.
  const withinLimits = async () => {
    await requireProjectComputeSettings(deps, project);
    await enforceBudget(deps, project.name);
    await withinQuota();
  };

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await deps.servers.get(id);
    if (!stored) {
      await withinLimits();
      const created = await deps.servers.create(
        newServer({ id, ...request, app, ...assignee, hubId: identity.hubId, project: project.name, vmSize: size.vmSize }, nowIso(deps)),
      );
      if (!created) continue; // another spawn inserted it first: read again
      await control.ensureProvisioning(id);
      return { server: created.server, accepted: true };
    }
    const { server, etag } = stored;
    refuseAnotherIdentity(server, identity);
    if (server.state === 'Running') return { server: await landingIn(deps, server, app), accepted: false };
    if (isProvisioning(server.state)) {
      const landing = await landingIn(deps, server, app);
      // Recovers a run whose starter died between its write and the start; never starts a second one.
      await control.ensureProvisioning(id);
      return { server: landing, accepted: true };
    }
    if (isWindingDown(server.state)) {
      throw new AppError('server-busy', `Server ${id} is ${server.state.toLowerCase()}; spawn it again when that is done.`, {
        retryAfterSeconds: deps.settings.busyRetryAfterSeconds,
      });
    }
    if (isAtRest(server.state)) {
      await withinLimits();
      try {
        const replaced = await deps.servers.replace(respawned({ ...withAssignee(server, assignee), app }, nowIso(deps)), etag);
        await control.ensureProvisioning(id);
        return { server: replaced.server, accepted: true };
      } catch (error) {
        if (isAppError(error, 'concurrent-update')) continue;
        throw error;
      }
    }
  }
  throw new AppError('concurrent-update', `Server ${id} kept changing while the spawn was recorded; try again.`);
}

/** The app must be one the project offers: the standard ones or the project's custom services. */
function refuseUnofferedApp(app: string, project: Project, choices: readonly LandingApp[]): void {
  if (choices.some((choice) => choice.id === app)) return;
  throw new AppError(
    'app-not-offered',
    `Project '${project.name}' does not offer the application '${app}'; choose one of: ${choices.map((choice) => choice.id).join(', ')}.`,
    { errors: [{ field: 'app', message: `must be one of ${choices.map((choice) => choice.id).join(', ')}` }] },
  );
}

/**
 * A spawn of a server already on its way (or running) with another landing choice: the choice is
 * where the person goes, not part of the instance, so it is recorded on the same server.
 */
async function landingIn(deps: SpawnDeps, server: Server, app: string): Promise<Server> {
  if (server.app === app) return server;
  const stored = await deps.servers.update(server.id, (current) => (current.app === app ? null : { ...current, app }));
  return stored?.server ?? { ...server, app };
}

/** Who the instance is assigned to, or nobody (Shared); refused here, before any state change. */
async function assigneeOf(deps: SpawnDeps, request: SpawnRequest): Promise<Assignee> {
  if (request.userObjectId === null) {
    if (deps.settings.applicationSharingPolicy === 'Shared') return { userObjectId: null, tenantId: null };
    throw new AppError(
      'user-object-id-required',
      "Compute instances are Personal (APPLICATION_SHARING_POLICY=Personal): only the person an instance is assigned to can open it, so the hub must pass the person's Entra object id (userObjectId). Enable c.Authenticator.enable_auth_state with Entra ID sign-in on the hub, or set APPLICATION_SHARING_POLICY=Shared.",
    );
  }
  const tenantId = request.tenantId ?? deps.settings.entraTenantId ?? (await deps.aml.subscriptionTenantId());
  return { userObjectId: request.userObjectId, tenantId };
}

/**
 * A server stored before the assignee was known (a Shared-era row, or one without its tenant) takes
 * this spawn's, so its create assigns someone; one already assigned keeps its person.
 */
function withAssignee(server: Server, assignee: Assignee): Server {
  if (server.userObjectId === null) return { ...server, ...assignee };
  if (server.tenantId === null && server.userObjectId.toLowerCase() === assignee.userObjectId?.toLowerCase()) {
    return { ...server, tenantId: assignee.tenantId };
  }
  return server;
}

/** The id is a hash: a stored server under it that is not this identity's is a collision, never reused. */
function refuseAnotherIdentity(server: Server, identity: Omit<ServerIdentity, 'vmSize'>): void {
  const same =
    server.hubId === identity.hubId &&
    server.user === identity.user &&
    server.project.toLowerCase() === identity.project.toLowerCase() &&
    server.serverName === identity.serverName;
  if (same) return;
  // The detail names neither the other person nor their project: the hub may show it to its user.
  throw new AppError(
    'id-collision',
    `Server id ${server.id} is already stored for another server (another hub, user, project or server name), so this spawn changed nothing. Spawn it under another server name, or ask the administrator to look at server ${server.id}.`,
  );
}

/**
 * Holds the spawn's places in its quotas, or refuses it: exact under a burst (a place is one
 * atomic Table insert, `claim-quota.ts`). The server being spawned never counts against itself.
 */
function enforceQuotas(deps: SpawnDeps, candidate: QuotaCandidate): Promise<void> {
  const now = () => deps.clock.now();
  return claimQuota({ slots: deps.quotaSlots, servers: deps.servers, now }, candidate.id, quotaScopes(candidate, deps.settings.quotas));
}
