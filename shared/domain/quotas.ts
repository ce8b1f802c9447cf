/**
 * Spawn quotas: how many servers one user, and how many GPU servers one project, may have
 * provisioning or running at once. Each limit is a scope of numbered places (`quota-slots.ts`);
 * this module says which scopes a spawn needs and what a refusal tells the person.
 */
import { isProvisioning } from './lifecycle';
import { gpuProjectScope, userScope } from './quota-slots';
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

/** One limit a spawn must fit in: its slot scope, the number of places, and the refusal. */
export interface QuotaScope {
  scope: string;
  limit: number;
  refusal: (holders: number) => string;
}

/** Provisioning or Running: what a quota counts (a server stopping or deleting is on its way out). */
export function countsTowardQuota(server: Pick<Server, 'state'>): boolean {
  return isProvisioning(server.state) || server.state === 'Running';
}

const isGpu = (size: SizeLabel) => size === 'GPU';
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The limits a spawn needs a place in: the user's, and for a GPU spawn the project's GPU limit. */
export function quotaScopes(candidate: QuotaCandidate, limits: QuotaLimits): QuotaScope[] {
  const scopes: QuotaScope[] = [{
    scope: userScope(candidate.user),
    limit: limits.maxActiveServersPerUser,
    refusal: (holders) =>
      `You already have ${plural(holders, 'server')} starting or running, the most allowed per user ` +
      `(${limits.maxActiveServersPerUser}). Stop one of them before starting another.`,
  }];
  if (isGpu(candidate.size)) {
    scopes.push({
      scope: gpuProjectScope(candidate.project),
      limit: limits.maxGpuServersPerProject,
      refusal: (holders) =>
        `Project '${candidate.project}' already has ${plural(holders, 'GPU server')} starting or running, ` +
        `the most allowed per project (${limits.maxGpuServersPerProject}). Pick another size, or try again when one has stopped.`,
    });
  }
  return scopes;
}
