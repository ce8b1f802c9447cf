/**
 * Writes a function's storage output bindings (blob, queue, table) after it returned, as the
 * Functions host does: to the account named by the binding's `connection` app setting (default
 * AzureWebJobsStorage). A write that fails fails the invocation, as on Azure. Binding expressions
 * in names ({rand-guid}, {DateTime}, route parameters, {Query.x}, top-level JSON body fields) are
 * resolved from the trigger.
 */
import { randomUUID } from 'node:crypto';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { BlobContainer, parseConnectionString, storageRequest, type StorageAccount } from '../../durable-engine/store/storage-account';
import type { RpcBindingInfo, RpcInvocationResponse, RpcTypedData } from '../core/core-types';
import type { RegisteredFunction } from '../core/function-registry';

const STORAGE_OUTPUTS = new Set(['blob', 'queue', 'table']);

export class OutputBindingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputBindingError';
  }
}

export class StorageOutputs {
  readonly #accounts = new Map<string, StorageAccount>();
  readonly #createdQueues = new Set<string>();
  readonly #createdTables = new Set<string>();

  constructor(private readonly settings: Record<string, string | undefined>) {}

  /** Writes every storage output the response carries (outputData and a `$return` binding). */
  async write(fn: RegisteredFunction, response: RpcInvocationResponse, triggerData: RpcTypedData | undefined): Promise<void> {
    const values: [string, RpcTypedData | null | undefined][] = (response.outputData ?? []).map((entry) => [entry.name ?? '', entry.data]);
    if (response.returnValue !== undefined && fn.metadata.bindings.$return) values.push(['$return', response.returnValue]);
    for (const [name, data] of values) {
      const binding = fn.metadata.bindings[name];
      const type = (binding?.type ?? '').toLowerCase();
      if (!binding || !STORAGE_OUTPUTS.has(type) || data === undefined || data === null) continue;
      const value = decode(data);
      if (value === undefined || value === null) continue;
      const resolve = (template: string) => resolveExpressions(template, triggerData, `${fn.name}.${name}`);
      try {
        if (type === 'blob') await this.writeBlob(binding, resolve, data);
        else if (type === 'queue') await this.writeQueue(binding, resolve, value);
        else await this.writeTable(binding, resolve, value);
      } catch (error) {
        if (error instanceof OutputBindingError) throw error;
        throw new OutputBindingError(`Output binding '${name}' (${type}) of function '${fn.name}' failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private account(binding: RpcBindingInfo): StorageAccount {
    const settingName = typeof binding.connection === 'string' && binding.connection !== '' ? binding.connection : 'AzureWebJobsStorage';
    const cached = this.#accounts.get(settingName);
    if (cached) return cached;
    const connectionString = this.settings[settingName] ?? this.settings[`AzureWebJobs${settingName}`];
    if (!connectionString) throw new OutputBindingError(`The connection setting '${settingName}' is not set`);
    const account = parseConnectionString(connectionString);
    this.#accounts.set(settingName, account);
    return account;
  }

  private async writeBlob(binding: RpcBindingInfo, resolve: (template: string) => string, data: RpcTypedData): Promise<void> {
    const path = resolve(String(binding.path ?? ''));
    const slash = path.indexOf('/');
    if (slash <= 0 || slash === path.length - 1) throw new OutputBindingError(`The blob path '${path}' must be 'container/blob'`);
    const container = new BlobContainer(this.account(binding), path.slice(0, slash));
    const bytes = data.bytes ?? data.stream;
    if (bytes) await container.put(path.slice(slash + 1), Buffer.from(bytes), 'application/octet-stream');
    else await container.put(path.slice(slash + 1), data.string ?? data.json ?? String(data.int ?? data.double ?? ''), 'text/plain; charset=utf-8');
  }

  private async writeQueue(binding: RpcBindingInfo, resolve: (template: string) => string, value: unknown): Promise<void> {
    const account = this.account(binding);
    const queue = resolve(String(binding.queueName ?? '')).toLowerCase();
    if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(queue)) throw new OutputBindingError(`'${queue}' is not a valid queue name`);
    if (!this.#createdQueues.has(`${account.queueUrl}/${queue}`)) {
      await storageRequest(account, 'queue', { method: 'PUT', path: `/${queue}` }, [409]);
      this.#createdQueues.add(`${account.queueUrl}/${queue}`);
    }
    // An array is one message per element, as the Functions host does for a collection output.
    for (const message of Array.isArray(value) ? value : [value]) {
      const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('utf8') : JSON.stringify(message);
      // The storage extension's default message encoding is base64.
      const body = `<QueueMessage><MessageText>${Buffer.from(text, 'utf8').toString('base64')}</MessageText></QueueMessage>`;
      await storageRequest(account, 'queue', { method: 'POST', path: `/${queue}/messages`, headers: { 'content-type': 'application/xml' }, body: Buffer.from(body) });
    }
  }

  private async writeTable(binding: RpcBindingInfo, resolve: (template: string) => string, value: unknown): Promise<void> {
    const account = this.account(binding);
    const tableName = resolve(String(binding.tableName ?? ''));
    const client = new TableClient(`${account.tableUrl}`, tableName, new AzureNamedKeyCredential(account.name, account.key), {
      allowInsecureConnection: account.tableUrl.startsWith('http:'),
    });
    if (!this.#createdTables.has(`${account.tableUrl}/${tableName}`)) {
      await client.createTable();
      this.#createdTables.add(`${account.tableUrl}/${tableName}`);
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'object' || item === null) throw new OutputBindingError(`A table output must be an object or an array of objects`);
      const entity = { ...(item as Record<string, unknown>) };
      const partitionKey = entity.PartitionKey ?? entity.partitionKey ?? (binding.partitionKey ? resolve(String(binding.partitionKey)) : undefined);
      const rowKey = entity.RowKey ?? entity.rowKey ?? (binding.rowKey ? resolve(String(binding.rowKey)) : undefined);
      if (typeof partitionKey !== 'string' || typeof rowKey !== 'string') {
        throw new OutputBindingError('A table output entity needs a PartitionKey and a RowKey (in the entity or the binding)');
      }
      delete entity.PartitionKey;
      delete entity.RowKey;
      delete entity.partitionKey;
      delete entity.rowKey;
      // The binding inserts: an existing entity with the same keys is a conflict, as on Azure.
      await client.createEntity({ ...entity, partitionKey, rowKey });
    }
  }
}

function decode(data: RpcTypedData): unknown {
  if (data.json !== undefined && data.json !== null) return JSON.parse(data.json);
  if (data.string !== undefined && data.string !== null) return data.string;
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (data.int !== undefined && data.int !== null) return data.int;
  if (data.double !== undefined && data.double !== null) return data.double;
  return undefined;
}

/** Resolves `{...}` binding expressions; an expression that names nothing fails the write, as on Azure. */
export function resolveExpressions(template: string, triggerData: RpcTypedData | undefined, where: string): string {
  const http = triggerData?.http;
  let body: Record<string, unknown> | undefined;
  const bodyText = http?.body?.string ?? (http?.body?.bytes ? Buffer.from(http.body.bytes).toString('utf8') : undefined);
  if (bodyText) {
    try {
      const parsed: unknown = JSON.parse(bodyText);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // not JSON: no body fields
    }
  }
  return template.replace(/\{([^{}]+)\}/g, (_match, expression: string) => {
    const key = expression.trim();
    const lower = key.toLowerCase();
    if (lower === 'rand-guid' || lower === 'sys.randguid') return randomUUID();
    if (lower === 'datetime' || lower === 'sys.utcnow') return new Date().toISOString();
    if (lower.startsWith('query.')) {
      const name = key.slice('query.'.length);
      const found = Object.entries(http?.query ?? {}).find(([candidate]) => candidate.toLowerCase() === name.toLowerCase());
      if (found) return found[1];
    }
    const param = Object.entries(http?.params ?? {}).find(([candidate]) => candidate.toLowerCase() === lower);
    if (param) return param[1];
    const field = body ? Object.entries(body).find(([candidate]) => candidate.toLowerCase() === lower) : undefined;
    if (field && (typeof field[1] === 'string' || typeof field[1] === 'number')) return String(field[1]);
    throw new OutputBindingError(`No value for the binding expression '{${key}}' in ${where}`);
  });
}
