/**
 * Spawn quotas: how many servers one user, and how many GPU servers one project, may have
 * provisioning or running at once. Pure: the caller passes the servers not at rest that
 * `quotaScopes` names.
 */
import { isProvisioning } from './lifecycle';
import type { ActiveServerScope } from './ports';
import type { Server, SizeLabel } from './server';

export interface QuotaLimits {
  maxActiveServersPerUser: number;
  maxGpuServersPerProject: number;
}

export interface QuotaCandidate {
  /** The id the spawn would provision; a server never counts against itself (a repeated spawn). */
  id: string;
  user: string;
  project: string;
  size: SizeLabel;
}

export type QuotaVerdict = { ok: true } | { ok: false; message: string };

/** Provisioning or Running: what a quota counts (a server stopping or deleting is on its way out). */
export function countsTowardQuota(server: Pick<Server, 'state'>): boolean {
  return isProvisioning(server.state) || server.state === 'Running';
}

const isGpu = (size: SizeLabel) => size === 'GPU';

/**
 * The active servers a verdict depends on: the user's own, and for a GPU spawn the project's GPU
 * servers. Reading only these keeps a spawn's cost independent of how many servers run in total
 * (reading every active server made a burst of 200 spawns read ~27 servers per spawn, and the
 * spawn p95 5 s slower).
 */
export function quotaScopes(candidate: QuotaCandidate): ActiveServerScope[] {
  const scopes: ActiveServerScope[] = [{ user: candidate.user }];
  if (isGpu(candidate.size)) scopes.push({ project: candidate.project, size: candidate.size });
  return scopes;
}

export function checkQuotas(active: readonly Server[], candidate: QuotaCandidate, limits: QuotaLimits): QuotaVerdict {
  const others = active.filter((server) => server.id !== candidate.id && countsTowardQuota(server));
  const mine = others.filter((server) => server.user === candidate.user);
  if (mine.length >= limits.maxActiveServersPerUser) {
    return {
      ok: false,
      message:
        `You already have ${mine.length} server${mine.length === 1 ? '' : 's'} starting or running, the most allowed per user ` +
        `(${limits.maxActiveServersPerUser}). Stop one of them before starting another.`,
    };
  }
  if (isGpu(candidate.size)) {
    const gpus = others.filter((server) => isGpu(server.size) && server.project.toLowerCase() === candidate.project.toLowerCase());
    if (gpus.length >= limits.maxGpuServersPerProject) {
      return {
        ok: false,
        message:
          `Project '${candidate.project}' already has ${gpus.length} GPU server${gpus.length === 1 ? '' : 's'} starting or running, ` +
          `the most allowed per project (${limits.maxGpuServersPerProject}). Pick another size, or try again when one has stopped.`,
      };
    }
  }
  return { ok: true };
}
