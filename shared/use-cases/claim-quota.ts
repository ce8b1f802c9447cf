/**
 * Holds a place for a spawn in every quota scope it needs, or refuses it. Exact under a burst: a
 * place is a slot row inserted atomically, so of two spawns racing for the last place one inserts
 * it and the other sees the limit reached (see `domain/quota-slots.ts` for how places come back).
 */
import { AppError } from '../domain/errors';
import { freeIndex, isReclaimable, type QuotaSlot, type QuotaSlots } from '../domain/quota-slots';
import { countsTowardQuota, type QuotaScope } from '../domain/quotas';
import type { ServerRepository } from '../domain/ports';

export interface QuotaDeps {
  slots: QuotaSlots;
  servers: Pick<ServerRepository, 'get'>;
  now: () => Date;
}

/** Bounded: each retry follows a lost race, and a burst in one scope is as large as its limit. */
const MAX_ROUNDS = 25;

/**
 * Claims a place in each scope for `serverId`; throws `quota-exceeded` (releasing what it claimed)
 * when one is full. A server that already holds a place keeps it (a repeated spawn counts once).
 */
export async function claimQuota(deps: QuotaDeps, serverId: string, scopes: readonly QuotaScope[]): Promise<void> {
  const claimed: QuotaSlot[] = [];
  for (const scope of scopes) {
    const verdict = await claimOne(deps, serverId, scope);
    if (verdict.ok) {
      if (verdict.inserted) claimed.push(verdict.inserted);
      continue;
    }
    // Give back the places this spawn took in the scopes before, so a refusal changes nothing.
    await Promise.all(claimed.map((slot) => deps.slots.release(slot)));
    throw new AppError('quota-exceeded', scope.refusal(verdict.holders));
  }
}

type ClaimVerdict = { ok: true; inserted: QuotaSlot | null } | { ok: false; holders: number };

async function claimOne(deps: QuotaDeps, serverId: string, scope: QuotaScope): Promise<ClaimVerdict> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const slots = await deps.slots.list(scope.scope);
    const own = slots.find((slot) => slot.holder === serverId);
    if (own) {
      if (await deps.slots.touch(own, deps.now())) return { ok: true, inserted: null };
      continue; // taken over meanwhile: look again
    }
    if (slots.length < scope.limit) {
      const index = freeIndex(slots);
      const inserted = await deps.slots.insert(scope.scope, index, serverId, deps.now());
      if (inserted) return { ok: true, inserted };
      await jitter(round);
      continue; // another spawn took that place first
    }
    // Every place is held: take over those whose holders no longer count.
    const now = deps.now();
    const holders = await Promise.all(slots.map(async (slot) => (await deps.servers.get(slot.holder))?.server ?? null));
    const stale = slots.filter((slot, i) => isReclaimable(slot, holders[i] ?? null, countsTowardQuota, now));
    const live = slots.length - stale.length;
    if (live >= scope.limit) return { ok: false, holders: live };
    await Promise.all(stale.map((slot) => deps.slots.release(slot)));
  }
  throw new AppError('concurrent-update', `The quota places of ${scope.scope} kept changing while this spawn was recorded; try again.`);
}

/** Spreads spawns that lost a race for one place, so they do not collide again at once. */
function jitter(round: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 10 * 2 ** Math.min(round, 5));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
