/** QuotaSlots and WritePacer in memory, for logic tests (the Table ones are tested against Azurite). */
import type { QuotaSlot, QuotaSlots } from '../../shared/domain/quota-slots';
import { lateTurnAllowanceMs, reserveWrites, writesAhead, type PaceLimits, type WritePacer, type WritePass } from '../../shared/domain/write-pacing';

export class InMemoryQuotaSlots implements QuotaSlots {
  private readonly rows = new Map<string, QuotaSlot>();
  private version = 0;

  async list(scope: string): Promise<QuotaSlot[]> {
    return [...this.rows.values()].filter((slot) => slot.scope === scope).map((slot) => ({ ...slot }));
  }

  async insert(scope: string, index: number, holder: string, now: Date): Promise<QuotaSlot | null> {
    const key = `${scope}|${index}`;
    if (this.rows.has(key)) return null;
    return this.store({ scope, index, holder, claimedAt: now.toISOString(), etag: '' });
  }

  async touch(slot: QuotaSlot, now: Date): Promise<boolean> {
    if (this.rows.get(`${slot.scope}|${slot.index}`)?.etag !== slot.etag) return false;
    this.store({ ...slot, claimedAt: now.toISOString() });
    return true;
  }

  async release(slot: QuotaSlot): Promise<boolean> {
    const key = `${slot.scope}|${slot.index}`;
    if (this.rows.get(key)?.etag !== slot.etag) return false;
    return this.rows.delete(key);
  }

  private store(slot: QuotaSlot): QuotaSlot {
    const stored = { ...slot, etag: `v${++this.version}` };
    this.rows.set(`${slot.scope}|${slot.index}`, stored);
    return { ...stored };
  }
}

export class InMemoryWritePacer implements WritePacer {
  private tat: number | null = null;
  private readonly reservations = new Map<string, number>();

  constructor(private readonly limits: PaceLimits) {}

  async pending(serverId: string, now: Date): Promise<WritePass | null> {
    const sendAt = this.reservations.get(serverId);
    if (sendAt === undefined || sendAt <= now.getTime()) return null;
    return { go: false, sendAt: new Date(sendAt), ahead: writesAhead(sendAt, now.getTime(), this.limits) };
  }

  async pass(serverId: string, writes: number, now: Date): Promise<WritePass> {
    const held = this.reservations.get(serverId);
    if (held !== undefined) {
      if (held > now.getTime()) return { go: false, sendAt: new Date(held), ahead: writesAhead(held, now.getTime(), this.limits) };
      this.reservations.delete(serverId);
      if (now.getTime() - held <= lateTurnAllowanceMs(this.limits)) return { go: true };
    }
    const reservation = reserveWrites(this.tat, now.getTime(), writes, this.limits);
    this.tat = reservation.nextTat;
    if (reservation.sendAt <= now.getTime()) return { go: true };
    this.reservations.set(serverId, reservation.sendAt);
    return { go: false, sendAt: new Date(reservation.sendAt), ahead: writesAhead(reservation.sendAt, now.getTime(), this.limits) };
  }
}
