/**
 * Class schedules in Table Storage: `<stateTable>schedules`, one entity per schedule in one
 * partition (an admin's handful, listed whole). The schedule is JSON split over properties of at
 * most 30,000 characters (a string property holds 64 KiB of UTF-16), so a long list of people fits.
 * Updates are conditional on the ETag and retried on 412, like the server repository's.
 */
import type { TableClient } from '@azure/data-tables';
import { AppError } from '../../domain/errors';
import type { Schedule, ScheduleMutation, ScheduleStore } from '../../domain/schedules';
import { createTableClient, type TableConnection } from './server-tables';
import { isTableFailure, translateTableError } from './table-errors';

export const SCHEDULES_SUFFIX = 'schedules';
const PARTITION = 'schedule';
const CHUNK = 30_000;
const MAX_CHUNKS = 8;
const MAX_UPDATE_ATTEMPTS = 5;

type ScheduleEntity = { partitionKey: string; rowKey: string; parts: number } & Record<string, string | number>;

export class TableSchedules implements ScheduleStore {
  private readonly table: TableClient;

  constructor(connection: TableConnection, stateTableName: string) {
    this.table = createTableClient(connection, `${stateTableName}${SCHEDULES_SUFFIX}`);
  }

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async create(schedule: Schedule): Promise<void> {
    try {
      await this.table.createEntity(toEntity(schedule));
    } catch (error) {
      throw translateTableError(error, `creating schedule ${schedule.id}`);
    }
  }

  async get(id: string): Promise<Schedule | null> {
    return (await this.read(id))?.schedule ?? null;
  }

  async list(): Promise<Schedule[]> {
    const schedules: Schedule[] = [];
    try {
      for await (const entity of this.table.listEntities<ScheduleEntity>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })) {
        schedules.push(fromEntity(entity));
      }
    } catch (error) {
      throw translateTableError(error, 'listing schedules');
    }
    return schedules;
  }

  async update(id: string, mutate: ScheduleMutation): Promise<Schedule | null> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const stored = await this.read(id);
      if (!stored) return null;
      const next = mutate(stored.schedule);
      if (next === null) return stored.schedule;
      try {
        await this.table.updateEntity(toEntity(next), 'Replace', { etag: stored.etag });
        return next;
      } catch (error) {
        if (isTableFailure(error, 412)) continue;
        if (isTableFailure(error, 404)) return null;
        throw translateTableError(error, `updating schedule ${id}`);
      }
    }
    throw new AppError('concurrent-update', `Schedule ${id} kept changing; try again.`);
  }

  async delete(id: string): Promise<boolean> {
    try {
      await this.table.deleteEntity(PARTITION, id);
      return true;
    } catch (error) {
      if (isTableFailure(error, 404)) return false;
      throw translateTableError(error, `deleting schedule ${id}`);
    }
  }

  private async read(id: string): Promise<{ schedule: Schedule; etag: string } | null> {
    try {
      const entity = await this.table.getEntity<ScheduleEntity>(PARTITION, id);
      return { schedule: fromEntity(entity), etag: entity.etag };
    } catch (error) {
      if (isTableFailure(error, 404)) return null;
      throw translateTableError(error, `reading schedule ${id}`);
    }
  }
}

function toEntity(schedule: Schedule): ScheduleEntity {
  const json = JSON.stringify(schedule);
  const parts = Math.ceil(json.length / CHUNK);
  if (parts > MAX_CHUNKS) throw new AppError('payload-too-large', `Schedule ${schedule.id} is too large to store.`);
  const entity: ScheduleEntity = { partitionKey: PARTITION, rowKey: schedule.id, parts };
  for (let i = 0; i < parts; i++) entity[`part${i}`] = json.slice(i * CHUNK, (i + 1) * CHUNK);
  return entity;
}

function fromEntity(entity: ScheduleEntity): Schedule {
  let json = '';
  for (let i = 0; i < Number(entity.parts); i++) json += String(entity[`part${i}`] ?? '');
  return JSON.parse(json) as Schedule;
}
