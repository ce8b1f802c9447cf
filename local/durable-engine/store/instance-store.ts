/**
 * The `{hub}Instances` table: one row per instance (PartitionKey = instance id, RowKey = "").
 * Every update is ETag-conditional: two workers that race on one instance cannot both commit.
 */
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { statusOf } from './engine-tables';
import { type InstanceRecord, type RuntimeStatus } from './instance-record';
import { decodeText, encodeText } from './large-text';
import { fromTableKey, quote, toTableKey } from './table-keys';

export interface StoredInstance {
  record: InstanceRecord;
  etag: string;
}

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: string;
  createdTimeTo?: string;
  instanceIdPrefix?: string;
}

export interface InstancePage {
  instances: InstanceRecord[];
  continuationToken: string | undefined;
}

const ROW = '';

export class InstanceStore {
  constructor(private readonly table: TableClient) {}

  async get(instanceId: string): Promise<StoredInstance | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(toTableKey(instanceId), ROW);
      return { record: fromEntity(entity), etag: entity.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates the row; undefined when it already exists. */
  async create(record: InstanceRecord): Promise<string | undefined> {
    try {
      const response = await this.table.createEntity(toEntity(record));
      return response.etag ?? '';
    } catch (error) {
      if (statusOf(error) === 409) return undefined;
      throw error;
    }
  }

  /** Replaces the row if it still has `etag`; undefined when someone else changed it first. */
  async replace(record: InstanceRecord, etag: string): Promise<string | undefined> {
    try {
      const response = await this.table.updateEntity(toEntity(record), 'Replace', { etag });
      return response.etag ?? '';
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async delete(instanceId: string): Promise<boolean> {
    try {
      await this.table.deleteEntity(toTableKey(instanceId), ROW);
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /** Active instances whose execution has no history yet: their start message may have been lost in a crash. */
  async listNotStarted(): Promise<InstanceRecord[]> {
    const filter = `HistoryCount eq 0 and (RuntimeStatus eq 'Pending' or RuntimeStatus eq 'Running')`;
    const records: InstanceRecord[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      records.push(fromEntity(entity));
    }
    return records;
  }

  async list(query: InstanceQuery, pageSize: number, continuationToken?: string): Promise<InstancePage> {
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: toFilter(query) } })
      .byPage({ maxPageSize: pageSize, continuationToken });
    for await (const page of pages) {
      return { instances: page.map(fromEntity), continuationToken: page.continuationToken };
    }
    return { instances: [], continuationToken: undefined };
  }
}

function toFilter(query: InstanceQuery): string | undefined {
  const clauses: string[] = [];
  if (query.runtimeStatus && query.runtimeStatus.length > 0) {
    clauses.push(`(${query.runtimeStatus.map((status) => `RuntimeStatus eq ${quote(status)}`).join(' or ')})`);
  }
  // Times are stored as ISO-8601 strings, which sort chronologically.
  if (query.createdTimeFrom) clauses.push(`CreatedTime ge ${quote(query.createdTimeFrom)}`);
  if (query.createdTimeTo) clauses.push(`CreatedTime le ${quote(query.createdTimeTo)}`);
  if (query.instanceIdPrefix) {
    const prefix = toTableKey(query.instanceIdPrefix);
    clauses.push(`PartitionKey ge ${quote(prefix)} and PartitionKey lt ${quote(`${prefix}\uffff`)}`);
  }
  return clauses.length > 0 ? clauses.join(' and ') : undefined;
}

function toEntity(record: InstanceRecord) {
  return {
    partitionKey: toTableKey(record.instanceId),
    rowKey: ROW,
    InstanceId: record.instanceId,
    Name: record.name,
    ExecutionId: record.executionId,
    RuntimeStatus: record.runtimeStatus,
    CreatedTime: record.createdTime,
    LastUpdatedTime: record.lastUpdatedTime,
    HistoryCount: record.historyCount,
    ...encodeText('Input', record.inputJson),
    ...encodeText('Output', record.outputJson),
    ...encodeText('CustomStatus', record.customStatusJson),
    ...encodeText('Ledger', JSON.stringify(record.ledger)),
    ...encodeText('Parent', record.parent ? JSON.stringify(record.parent) : undefined),
    ...encodeText('Failure', record.failure ? JSON.stringify(record.failure) : undefined),
  };
}

function fromEntity(entity: TableEntityResult<Record<string, unknown>>): InstanceRecord {
  const parent = decodeText(entity, 'Parent');
  const failure = decodeText(entity, 'Failure');
  return {
    instanceId: typeof entity.InstanceId === 'string' ? entity.InstanceId : fromTableKey(entity.partitionKey ?? ''),
    name: String(entity.Name ?? ''),
    executionId: String(entity.ExecutionId ?? ''),
    runtimeStatus: String(entity.RuntimeStatus ?? 'Pending') as RuntimeStatus,
    inputJson: decodeText(entity, 'Input'),
    outputJson: decodeText(entity, 'Output'),
    customStatusJson: decodeText(entity, 'CustomStatus'),
    createdTime: String(entity.CreatedTime ?? ''),
    lastUpdatedTime: String(entity.LastUpdatedTime ?? ''),
    historyCount: Number(entity.HistoryCount ?? 0),
    ledger: JSON.parse(decodeText(entity, 'Ledger') ?? '{"actionCount":0,"nextId":0,"open":{},"retries":{}}'),
    parent: parent ? JSON.parse(parent) : undefined,
    failure: failure ? JSON.parse(failure) : undefined,
  };
}
