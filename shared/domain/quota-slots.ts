/**
 * Exact spawn quotas: a limit of N is N numbered places (slots) per scope (a user; a project's GPU
 * servers). A spawn holds a place by inserting its slot row, which Table Storage makes atomic: two
 * spawns racing for the last place cannot both insert it. Places are released lazily: a place whose
 * holder no longer counts (stopped, failed, deleted — see `countsTowardQuota`) is taken over by the
 * next spawn that needs it, with a conditional delete, so a crash never leaks a place for good and
 * no stop or delete path has to remember to release one.
 */
import { createHash } from 'node:crypto';
import type { Server } from './server';

export interface QuotaSlot {
  scope: string;
  index: number;
  /** The server id holding the place. */
  holder: string;
  /** When the holder claimed (or re-claimed) it. */
  claimedAt: string;
  etag: string;
}

/** The slot rows of every scope (Table Storage in production). */
export interface QuotaSlots {
  list(scope: string): Promise<QuotaSlot[]>;
  /** Inserts the slot; null when the place is taken already. */
  insert(scope: string, index: number, holder: string, now: Date): Promise<QuotaSlot | null>;
  /** Re-claims a slot the holder already has (new `claimedAt`), conditional on its ETag; false when it changed. */
  touch(slot: QuotaSlot, now: Date): Promise<boolean>;
  /** Deletes the slot unless it changed since read; false when it did. */
  release(slot: QuotaSlot): Promise<boolean>;
}

/**
 * How long a claim protects its place while the spawn that made it writes the server: until then
 * the holder's stored state (still at rest, or not yet stored) says nothing about the claim.
 */
export const CLAIM_GRACE_MS = 60_000;

/**
 * Whether a slot may be taken over. `holder` is the holder's stored server (null when there is none).
 * A holder that counts keeps its place; one that does not gives it up once it changed after the
 * claim (it stopped, failed, was deleted) or the claim is older than the grace (its spawn died).
 */
export function isReclaimable(
  slot: Pick<QuotaSlot, 'claimedAt'>,
  holder: Pick<Server, 'state' | 'updatedAt'> | null,
  counts: (server: Pick<Server, 'state'>) => boolean,
  now: Date,
): boolean {
  if (holder && counts(holder)) return false;
  const claimedAt = Date.parse(slot.claimedAt);
  if (now.getTime() - claimedAt >= CLAIM_GRACE_MS) return true;
  return holder !== null && Date.parse(holder.updatedAt) > claimedAt;
}

/** The lowest place number not in use. */
export function freeIndex(slots: readonly Pick<QuotaSlot, 'index'>[]): number {
  const used = new Set(slots.map((slot) => slot.index));
  let index = 0;
  while (used.has(index)) index += 1;
  return index;
}

/**
 * Scope keys: Table Storage keys may not hold / \ # ? or control characters and stay under 1 KiB,
 * so a name is URI-encoded, or hashed when its encoding is long (a 128-character user name of
 * non-Latin letters encodes to over a thousand characters); the two forms cannot meet.
 */
export const userScope = (user: string) => `user:${keyPart(user)}`;
export const gpuProjectScope = (project: string) => `gpu:${keyPart(project.toLowerCase())}`;

const MAX_ENCODED = 200;

function keyPart(name: string): string {
  const encoded = encodeURIComponent(name);
  return encoded.length <= MAX_ENCODED ? `n:${encoded}` : `h:${createHash('sha256').update(name, 'utf8').digest('hex')}`;
}
