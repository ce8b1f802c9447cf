/**
 * `QuotaSlots` on Table Storage: PartitionKey = the scope (one user, one project's GPU servers),
 * RowKey = the place number, so a scope is one partition query and a place one atomic insert.
 */
import { odata, type TableClient } from '@azure/data-tables';
import type { QuotaSlot, QuotaSlots } from '../../domain/quota-slots';
import { isTableFailure, translateTableError } from './table-errors';

interface SlotEntity {
  partitionKey: string;
  rowKey: string;
  holder: string;
  claimedAt: string;
}

const rowKeyOf = (index: number) => String(index).padStart(4, '0');

export class TableQuotaSlots implements QuotaSlots {
  constructor(private readonly client: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.client.createTable();
  }

  async list(scope: string): Promise<QuotaSlot[]> {
    const slots: QuotaSlot[] = [];
    try {
      const entities = this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${scope}` } });
      for await (const entity of entities) {
        slots.push({
          scope,
          index: Number(entity.rowKey),
          holder: typeof entity.holder === 'string' ? entity.holder : '',
          claimedAt: typeof entity.claimedAt === 'string' ? entity.claimedAt : new Date(0).toISOString(),
          etag: entity.etag,
        });
      }
    } catch (error) {
      throw translateTableError(error, `listing the quota places of ${scope}`);
    }
    return slots;
  }

  async insert(scope: string, index: number, holder: string, now: Date): Promise<QuotaSlot | null> {
    const entity: SlotEntity = { partitionKey: scope, rowKey: rowKeyOf(index), holder, claimedAt: now.toISOString() };
    try {
      const { etag } = await this.client.createEntity(entity);
      return { scope, index, holder, claimedAt: entity.claimedAt, etag: etag ?? '' };
    } catch (error) {
      if (isTableFailure(error, 409)) return null;
      throw translateTableError(error, `claiming quota place ${index} of ${scope}`);
    }
  }

  async touch(slot: QuotaSlot, now: Date): Promise<boolean> {
    const entity: SlotEntity = { partitionKey: slot.scope, rowKey: rowKeyOf(slot.index), holder: slot.holder, claimedAt: now.toISOString() };
    try {
      await this.client.updateEntity(entity, 'Replace', { etag: slot.etag });
      return true;
    } catch (error) {
      if (isTableFailure(error, 412) || isTableFailure(error, 404)) return false;
      throw translateTableError(error, `re-claiming quota place ${slot.index} of ${slot.scope}`);
    }
  }

  async release(slot: QuotaSlot): Promise<boolean> {
    try {
      await this.client.deleteEntity(slot.scope, rowKeyOf(slot.index), { etag: slot.etag });
      return true;
    } catch (error) {
      if (isTableFailure(error, 412) || isTableFailure(error, 404)) return false;
      throw translateTableError(error, `releasing quota place ${slot.index} of ${slot.scope}`);
    }
  }
}
