/**
 * The `{hub}Instances` table: one row per instance (PartitionKey = instance id, RowKey = "").
 * Every update is ETag-conditional: two workers that race on one instance cannot both commit.
 */
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { statusOf } from './engine-tables';
import { type InstanceRecord, type RuntimeStatus } from './instance-record';
import { instanceBlobPrefix, isMissingBlob, LargeTextStore } from './large-text';
import { fromTableKey, quote, toTableKey } from './table-keys';

export interface StoredInstance {
  record: InstanceRecord;
  etag: string;
  /** Blobs the row refers to (long values), to delete once a newer row replaces it. */
  blobNames: string[];
}

/** A row ready to write: its long values are already in blobs. */
export interface PreparedInstance {
  record: InstanceRecord;
  entity: Record<string, unknown> & { partitionKey: string; rowKey: string };
  blobNames: string[];
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
const EMPTY_LEDGER = '{"actionCount":0,"nextId":0,"open":{},"retries":{}}';

export class InstanceStore {
  constructor(private readonly table: TableClient, private readonly texts: LargeTextStore) {}

  async get(instanceId: string): Promise<StoredInstance | undefined> {
    for (let attempt = 1; ; attempt++) {
      let entity: TableEntityResult<Record<string, unknown>>;
      try {
        entity = await this.table.getEntity<Record<string, unknown>>(toTableKey(instanceId), ROW);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
      try {
        return { record: await this.fromEntity(entity), etag: entity.etag, blobNames: LargeTextStore.blobNamesOf(entity) };
      } catch (error) {
        // The row was replaced (and its old blobs deleted) between our two reads: read it again.
        if (!isMissingBlob(error) || attempt >= 3) throw error;
      }
    }
  }

  /** The instance's status and current execution only (no long values read): for hot paths. */
  async getStatus(instanceId: string): Promise<{ runtimeStatus: RuntimeStatus; executionId: string } | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(toTableKey(instanceId), ROW, { queryOptions: { select: ['RuntimeStatus', 'ExecutionId'] } });
      return { runtimeStatus: String(entity.RuntimeStatus ?? 'Pending') as RuntimeStatus, executionId: String(entity.ExecutionId ?? '') };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Encodes the row, writing its long values to blobs. Done before an episode writes any work, so
   * that a state that cannot be stored fails the episode before it has side effects.
   */
  async prepare(record: InstanceRecord): Promise<PreparedInstance> {
    const entity = await this.toEntity(record);
    return { record, entity, blobNames: LargeTextStore.blobNamesOf(entity) };
  }

  /** Creates the row; undefined when it already exists. */
  async create(record: InstanceRecord): Promise<string | undefined> {
    const prepared = await this.prepare(record);
    try {
      const response = await this.table.createEntity(prepared.entity);
      return response.etag ?? '';
    } catch (error) {
      this.discard(prepared.blobNames);
      if (statusOf(error) === 409) return undefined;
      throw error;
    }
  }

  /**
   * Replaces the row if it still has `etag`; undefined when someone else changed it first.
   * `previous` is the row being replaced: its blobs that the new row no longer uses are deleted.
   */
  async replace(record: InstanceRecord | PreparedInstance, etag: string, previous?: StoredInstance): Promise<string | undefined> {
    const prepared = 'entity' in record ? record : await this.prepare(record);
    try {
      const response = await this.table.updateEntity(prepared.entity, 'Replace', { etag });
      if (previous) this.discard(previous.blobNames.filter((name) => !prepared.blobNames.includes(name)));
      return response.etag ?? '';
    } catch (error) {
      this.discard(prepared.blobNames);
      if (statusOf(error) === 412 || statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Deletes the row and every blob of the instance. */
  async delete(instanceId: string): Promise<boolean> {
    try {
      await this.table.deleteEntity(toTableKey(instanceId), ROW);
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
    await this.texts.deleteInstance(instanceId);
    return true;
  }

  /** Active instances whose execution has no history yet: their start message may have been lost in a crash. */
  async listNotStarted(): Promise<InstanceRecord[]> {
    const filter = `HistoryCount eq 0 and (RuntimeStatus eq 'Pending' or RuntimeStatus eq 'Running')`;
    const records: InstanceRecord[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      records.push(await this.fromEntity(entity));
    }
    return records;
  }

  async list(query: InstanceQuery, pageSize: number, continuationToken?: string): Promise<InstancePage> {
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: toFilter(query) } })
      .byPage({ maxPageSize: pageSize, continuationToken });
    for await (const page of pages) {
      return { instances: await Promise.all(page.map((entity) => this.fromEntity(entity))), continuationToken: page.continuationToken };
    }
    return { instances: [], continuationToken: undefined };
  }

  /** Blobs of a row that lost its race or was replaced: nobody reads them any more. */
  private discard(blobNames: string[]): void {
    if (blobNames.length > 0) this.texts.delete(blobNames).catch(() => undefined);
  }

  private async toEntity(record: InstanceRecord) {
    const blob = { prefix: `${instanceBlobPrefix(record.instanceId)}instance/` };
    const encoded = await Promise.all([
      this.texts.encode('Input', record.inputJson, blob),
      this.texts.encode('Output', record.outputJson, blob),
      this.texts.encode('CustomStatus', record.customStatusJson, blob),
      this.texts.encode('Ledger', JSON.stringify(record.ledger), blob),
      this.texts.encode('Parent', record.parent ? JSON.stringify(record.parent) : undefined, blob),
      this.texts.encode('Failure', record.failure ? JSON.stringify(record.failure) : undefined, blob),
    ]);
    return {
      partitionKey: toTableKey(record.instanceId),
      rowKey: ROW,
      InstanceId: record.instanceId,
      Name: record.name,
      Version: record.version ?? '',
      ExecutionId: record.executionId,
      RuntimeStatus: record.runtimeStatus,
      CreatedTime: record.createdTime,
      LastUpdatedTime: record.lastUpdatedTime,
      HistoryCount: record.historyCount,
      ...Object.assign({}, ...encoded),
    };
  }

  private async fromEntity(entity: TableEntityResult<Record<string, unknown>>): Promise<InstanceRecord> {
    const [inputJson, outputJson, customStatusJson, ledger, parent, failure] = await Promise.all(
      ['Input', 'Output', 'CustomStatus', 'Ledger', 'Parent', 'Failure'].map((name) => this.texts.decode(entity, name)),
    );
    return {
      instanceId: typeof entity.InstanceId === 'string' ? entity.InstanceId : fromTableKey(entity.partitionKey ?? ''),
      name: String(entity.Name ?? ''),
      version: typeof entity.Version === 'string' && entity.Version !== '' ? entity.Version : undefined,
      executionId: String(entity.ExecutionId ?? ''),
      runtimeStatus: String(entity.RuntimeStatus ?? 'Pending') as RuntimeStatus,
      inputJson,
      outputJson,
      customStatusJson,
      createdTime: String(entity.CreatedTime ?? ''),
      lastUpdatedTime: String(entity.LastUpdatedTime ?? ''),
      historyCount: Number(entity.HistoryCount ?? 0),
      ledger: JSON.parse(ledger ?? EMPTY_LEDGER),
      parent: parent ? JSON.parse(parent) : undefined,
      failure: failure ? JSON.parse(failure) : undefined,
    };
  }
}

function toFilter(query: InstanceQuery): string {
  // Entities ('@name@key') are instances too, but orchestration queries do not list them.
  const clauses: string[] = [`(PartitionKey lt '@' or PartitionKey ge 'A')`];
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
  return clauses.join(' and ');
}

