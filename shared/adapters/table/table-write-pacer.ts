/**
 * `WritePacer` on Table Storage, shared by every Function instance of the app:
 * - the bucket row (PartitionKey "bucket", RowKey = subscription) holds the schedule's `tat`
 *   (`domain/write-pacing.ts`); a reservation is one read and one write conditional on its ETag,
 *   retried with jitter when another instance wrote first, so no two reservations get one turn.
 *   Within one instance the reservations asked meanwhile are taken together in one such write (in
 *   the order they were asked), so a burst contends per instance, not per server: 300 writers
 *   racing one row each would mostly lose to each other;
 * - a reservation row per waiting server (PartitionKey "reservation", RowKey = server id) keeps the
 *   turn it was given, so a provisioning step that wakes up, or runs again, uses that turn instead of
 *   taking another. A write sent at once leaves no row.
 * The principal is the app's own identity (one per app, hence per table): the key is the subscription.
 */
import type { TableClient } from '@azure/data-tables';
import { AppError } from '../../domain/errors';
import { lateTurnAllowanceMs, reserveWrites, writesAhead, type PaceLimits, type WritePacer, type WritePass } from '../../domain/write-pacing';
import { isTableFailure, translateTableError } from './table-errors';

const BUCKET = 'bucket';
const RESERVATION = 'reservation';
const MAX_ATTEMPTS = 60;

interface ReservationRow {
  sendAt: number;
  etag: string;
}

export interface TableWritePacerOptions {
  client: TableClient;
  subscriptionId: string;
  limits: PaceLimits;
}

interface Ask {
  writes: number;
  now: number;
  resolve: (sendAt: number) => void;
  reject: (error: unknown) => void;
}

export class TableWritePacer implements WritePacer {
  private readonly client: TableClient;
  private readonly bucketKey: string;
  private readonly limits: PaceLimits;
  /** Reservations asked while a batch was being written: the next batch. */
  private asks: Ask[] = [];
  private flushing = false;

  constructor(options: TableWritePacerOptions) {
    this.client = options.client;
    this.bucketKey = options.subscriptionId.toLowerCase();
    this.limits = options.limits;
  }

  async ensureTable(): Promise<void> {
    await this.client.createTable();
  }

  async pending(serverId: string, now: Date): Promise<WritePass | null> {
    const held = await this.readReservation(serverId);
    if (!held || held.sendAt <= now.getTime()) return null;
    return this.waiting(held.sendAt, now);
  }

  async pass(serverId: string, writes: number, now: Date): Promise<WritePass> {
    const held = await this.readReservation(serverId);
    if (held) {
      if (held.sendAt > now.getTime()) return this.waiting(held.sendAt, now);
      const used = await this.drop(serverId, held);
      // Due, or late within the allowance: its turn is now. One due longer ago is dropped and a new turn taken.
      if (used && now.getTime() - held.sendAt <= lateTurnAllowanceMs(this.limits)) return { go: true };
    }
    const sendAt = await this.reserve(writes, now.getTime());
    if (sendAt <= now.getTime()) return { go: true };
    await this.keepReservation(serverId, sendAt);
    return this.waiting(sendAt, now);
  }

  private waiting(sendAt: number, now: Date): WritePass {
    return { go: false, sendAt: new Date(sendAt), ahead: writesAhead(sendAt, now.getTime(), this.limits) };
  }

  /** Takes the next turn(s) of the schedule: returns when they may be sent. */
  private reserve(writes: number, now: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.asks.push({ writes, now, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Writes the waiting asks as one batch, then the asks that came meanwhile, until none wait. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.asks.length > 0) {
        const batch = this.asks;
        this.asks = [];
        try {
          const sendTimes = await this.reserveBatch(batch);
          batch.forEach((ask, i) => ask.resolve(sendTimes[i]!));
        } catch (error) {
          batch.forEach((ask) => ask.reject(error));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async reserveBatch(batch: readonly Ask[]): Promise<number[]> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const bucket = await this.readBucket();
      let tat = bucket?.tat ?? null;
      const sendTimes = batch.map((ask) => {
        const reservation = reserveWrites(tat, ask.now, ask.writes, this.limits);
        tat = reservation.nextTat;
        return reservation.sendAt;
      });
      const entity = { partitionKey: BUCKET, rowKey: this.bucketKey, tat };
      try {
        if (bucket) await this.client.updateEntity(entity, 'Replace', { etag: bucket.etag });
        else await this.client.createEntity(entity);
        return sendTimes;
      } catch (error) {
        if (!isTableFailure(error, 412) && !isTableFailure(error, 409)) throw translateTableError(error, 'reserving ARM writes');
      }
      await pause(Math.random() * Math.min(100, 5 * attempt));
    }
    throw new AppError('throttled', 'The ARM write schedule was too busy to reserve a turn; the step is retried.', { retryAfterSeconds: 1 });
  }

  private async readBucket(): Promise<{ tat: number; etag: string } | null> {
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(BUCKET, this.bucketKey);
      return { tat: typeof entity.tat === 'number' ? entity.tat : 0, etag: entity.etag };
    } catch (error) {
      if (isTableFailure(error, 404)) return null;
      throw translateTableError(error, 'reading the ARM write schedule');
    }
  }

  private async readReservation(serverId: string): Promise<ReservationRow | null> {
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(RESERVATION, serverId);
      return { sendAt: typeof entity.sendAt === 'number' ? entity.sendAt : 0, etag: entity.etag };
    } catch (error) {
      if (isTableFailure(error, 404)) return null;
      throw translateTableError(error, `reading the write reservation of ${serverId}`);
    }
  }

  private async keepReservation(serverId: string, sendAt: number): Promise<void> {
    try {
      await this.client.upsertEntity({ partitionKey: RESERVATION, rowKey: serverId, sendAt }, 'Replace');
    } catch (error) {
      throw translateTableError(error, `recording the write reservation of ${serverId}`);
    }
  }

  /** Consumes the reservation; false when another step consumed or replaced it first. */
  private async drop(serverId: string, held: ReservationRow): Promise<boolean> {
    try {
      await this.client.deleteEntity(RESERVATION, serverId, { etag: held.etag });
      return true;
    } catch (error) {
      if (isTableFailure(error, 404) || isTableFailure(error, 412)) return false;
      throw translateTableError(error, `consuming the write reservation of ${serverId}`);
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
