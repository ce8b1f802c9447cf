/**
 * The Durable Functions management HTTP API (the routes the durable client and the
 * statusQueryGetUri links call), over a transport-neutral request. Mounted by the host under
 * /runtime/webhooks/durabletask/ and on the loopback RPC endpoint.
 *
 * The status codes, headers and bodies are those of the Durable Functions extension's HttpApiHandler:
 *   POST   orchestrators/{name}[/{instanceId}]      start (202 + management payload; 409 if running;
 *                                                  ?version=; ?timeout=&pollingInterval= waits)
 *   GET    instances/{id}                          status: 202 + Location + Retry-After while
 *                                                  Pending/Running/Suspended/ContinuedAsNew; 200 when
 *                                                  Completed/Failed/Terminated/Canceled (Failed is 500
 *                                                  with returnInternalServerErrorOnFailure=true); 404
 *   GET    instances                               query (runtimeStatus, createdTimeFrom/To, top,
 *                                                  instanceIdPrefix; x-ms-continuation-token paging)
 *   POST   instances/{id}/raiseEvent/{name}        202; 404; 410 when finished; 400 unless the content
 *                                                  type is application/json and the body JSON
 *   POST   instances/{id}/terminate|suspend|resume 202, 404, 410
 *   POST   instances/{id}/restart                  202 + payload of the new instance (restartWithNewInstanceId,
 *                                                  default true); 400 unknown id; 409 same id still running
 *   POST   instances/{id}/rewind                   404, 412 unless Failed, else 501 (not implemented here);
 *                                                  bodies are plain strings, which the durable client shows
 *   DELETE instances/{id}                          purge: 200 {instancesDeleted}; 404; 412 while running
 *   DELETE instances                               purge by filter: createdTimeFrom required (400),
 *                                                  createdTimeTo default now, only Completed/Failed/Terminated
 *   GET    entities/{name}/{key}                   entity state (200) or 404
 *   POST   entities/{name}/{key}?op=               signal an entity operation (202)
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { OrchestrationClient } from '../orchestration-client';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../store/instance-record';
import type { InstanceQuery } from '../store/instance-store';
import { managementPayload, type ManagementLinks } from './management-payload';

export interface ManagementRequest {
  method: string;
  /** Below the mount point, no leading slash, still URL-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The mount point's absolute URL as the caller reached it. */
  baseUrl: string;
}

export interface ManagementResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ManagementApiOptions {
  taskHubName: string;
  /** Query appended to links in payloads, e.g. "code=local-key". */
  requiredQuery: string;
  /** Public webhook root for links; defaults to the request's own base URL. */
  publicBaseUrl?: () => string | undefined;
}

const DEFAULT_PAGE_SIZE = 100;
/** Azure asks status pollers to wait 5 s. */
const STATUS_RETRY_AFTER_SECONDS = 5;
const FINISHED: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);
/** What a purge by filter may delete (the Azure Storage provider's rule). */
const PURGEABLE: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated']);

export function createManagementApi(client: OrchestrationClient, options: ManagementApiOptions) {
  const links = (request: ManagementRequest): ManagementLinks => ({
    baseUrl: options.publicBaseUrl?.() ?? request.baseUrl,
    taskHubName: options.taskHubName,
    requiredQuery: options.requiredQuery,
  });

  return async function handle(request: ManagementRequest): Promise<ManagementResponse> {
    let segments: string[];
    try {
      segments = request.path.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
    } catch {
      return json(400, { message: `Malformed path ${request.path}` });
    }
    const [root, id, action, name] = segments;
    const method = request.method.toUpperCase();

    if (root === 'orchestrators' && id && method === 'POST' && segments.length <= 3) {
      return start(client, request, links(request), id, segments[2]);
    }
    if (root === 'instances' && id === undefined) {
      if (method === 'GET') return list(client, request);
      if (method === 'DELETE') return purgeWhere(client, request);
    }
    if (root === 'instances' && id !== undefined) {
      if (action === undefined && method === 'GET') return status(client, request, links(request), id);
      if (action === undefined && method === 'DELETE') return purge(client, id);
      if (method === 'POST' && action === 'raiseEvent' && name && segments.length === 4) return raiseEvent(client, request, id, name);
      const reason = request.query.get('reason') ?? undefined;
      if (method === 'POST' && action === 'terminate') return change(await client.terminate(id, reason), id);
      if (method === 'POST' && action === 'suspend') return change(await client.suspend(id, reason), id);
      if (method === 'POST' && action === 'resume') return change(await client.resume(id, reason), id);
      if (method === 'POST' && action === 'restart') return restart(client, request, links(request), id);
      if (method === 'POST' && action === 'rewind') return rewind(client, id);
    }
    if (root === 'entities') return entity(client, request, method, segments.slice(1));
    return json(404, { message: `No durable management route for ${method} ${request.path}` });
  };
}

async function start(client: OrchestrationClient, request: ManagementRequest, links: ManagementLinks, name: string, instanceId: string | undefined): Promise<ManagementResponse> {
  const body = request.body.toString('utf8');
  if (body !== '' && !isJson(body)) return json(400, { message: 'The orchestration input must be JSON.' });
  if (instanceId !== undefined && !isValidInstanceId(instanceId)) {
    return json(400, { message: `Instance ID '${instanceId}' is not valid: it must be 1-256 characters without / \\ # ? or control characters.` });
  }
  const version = request.query.get('version') || undefined;
  const result = await client.startNew(name, { instanceId, inputJson: body === '' ? undefined : body, version });
  if (result.kind === 'unknownOrchestrator') {
    return json(400, { message: `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.` });
  }
  if (result.kind === 'conflict') {
    return json(409, { message: `An Orchestration instance with the status ${result.runtimeStatus} already exists.`, id: result.instanceId });
  }
  const payload = managementPayload(links, result.instanceId);
  const timeout = Number(request.query.get('timeout'));
  if (Number.isFinite(timeout) && timeout > 0) {
    const interval = Number(request.query.get('pollingInterval'));
    return waitForCompletion(client, result.instanceId, timeout * 1000, (Number.isFinite(interval) && interval > 0 ? interval : 1) * 1000, payload);
  }
  return json(202, payload, { location: payload.statusQueryGetUri, 'retry-after': '10' });
}

async function waitForCompletion(client: OrchestrationClient, instanceId: string, timeoutMs: number, intervalMs: number, payload: ReturnType<typeof managementPayload>): Promise<ManagementResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await client.getStatus(instanceId);
    if (current?.runtimeStatus === 'Completed') return json(200, current.output);
    if (current && ['Failed', 'Terminated', 'Canceled'].includes(current.runtimeStatus)) return json(200, current);
    if (Date.now() + intervalMs > deadline) return json(202, payload, { location: payload.statusQueryGetUri, 'retry-after': '10' });
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function status(client: OrchestrationClient, request: ManagementRequest, links: ManagementLinks, id: string): Promise<ManagementResponse> {
  const current = await client.getStatus(id, {
    showHistory: flag(request.query, 'showHistory', false),
    showHistoryOutput: flag(request.query, 'showHistoryOutput', false),
    showInput: flag(request.query, 'showInput', true),
  });
  if (!current) return json(404, { message: `No instance with ID '${id}' found.` });
  switch (current.runtimeStatus) {
    case 'Failed':
      return json(flag(request.query, 'returnInternalServerErrorOnFailure', false) ? 500 : 200, current);
    case 'Completed':
    case 'Terminated':
    case 'Canceled':
      return json(200, current);
    default: {
      // The request's own URL, and a pause so that pollers do not spin.
      const self = new URL(`${links.baseUrl}/${request.path.replace(/^\/+/, '')}`);
      self.search = request.query.toString();
      return json(202, current, { location: self.href, 'retry-after': String(STATUS_RETRY_AFTER_SECONDS) });
    }
  }
}

/** GET entities/{name}/{key}: the state (200) or 404; POST entities/{name}/{key}?op=: a signal (202). */
async function entity(client: OrchestrationClient, request: ManagementRequest, method: string, path: string[]): Promise<ManagementResponse> {
  const [name, key] = path;
  if (!name || key === undefined || path.length !== 2) {
    return json(501, { message: 'The local durable engine serves entities/{name}/{key} only (listing entities is not supported).' });
  }
  // The extension's notation for an empty key.
  const entityKey = key === '@empty' ? '' : key;
  if (method === 'GET') {
    const state = await client.readEntityState(name, entityKey);
    if (!state) return json(404, { message: `No entity @${name.toLowerCase()}@${entityKey} found.` });
    return json(200, state.stateJson === undefined ? null : JSON.parse(state.stateJson));
  }
  if (method === 'POST') {
    const body = request.body.toString('utf8');
    let inputJson: string | undefined;
    if (body !== '') {
      const mediaType = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (mediaType === 'application/json') {
        if (!isJson(body)) return json(400, { message: 'Could not parse JSON content' });
        inputJson = body;
      } else inputJson = JSON.stringify(body);
    }
    await client.signalEntity(name, entityKey, request.query.get('op') ?? '', inputJson);
    return { status: 202 };
  }
  return json(404, { message: `No durable management route for ${method} entities/${path.join('/')}` });
}

async function raiseEvent(client: OrchestrationClient, request: ManagementRequest, id: string, name: string): Promise<ManagementResponse> {
  const current = await client.getStatus(id, { showInput: false });
  if (!current) return json(404, { message: `No instance with ID '${id}' found.` });
  if (FINISHED.has(current.runtimeStatus)) return json(410, { message: `The instance '${id}' is no longer running.` });
  const mediaType = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') return json(400, { message: 'Only application/json request content is supported' });
  const body = request.body.toString('utf8');
  if (body.trim() !== '' && !isJson(body)) return json(400, { message: 'Invalid JSON content' });
  return change(await client.raiseEvent(id, name, body.trim() === '' ? undefined : body), id);
}

async function purge(client: OrchestrationClient, id: string): Promise<ManagementResponse> {
  const current = await client.getStatus(id, { showInput: false });
  if (!current) return json(404, { message: `No instance with ID '${id}' found.` });
  if (!FINISHED.has(current.runtimeStatus)) {
    return json(412, `Only orchestrations in a terminal state can be purged, but the orchestration with instance ID ${id} has status ${current.runtimeStatus}`);
  }
  return (await client.purge(id)) ? json(200, { instancesDeleted: 1 }) : json(404, { message: `No instance with ID '${id}' found.` });
}

async function restart(client: OrchestrationClient, request: ManagementRequest, links: ManagementLinks, id: string): Promise<ManagementResponse> {
  const withNewInstanceId = flag(request.query, 'restartWithNewInstanceId', true);
  const result = await client.restart(id, withNewInstanceId);
  if (result.kind === 'notFound' || result.kind === 'unknownOrchestrator') {
    return json(400, { message: `InstanceId does not match a valid orchestration instance: no instance with ID '${id}' (or its orchestrator) found.` });
  }
  if (result.kind === 'conflict') return json(409, { message: `A non-terminal instance with this instance ID already exists (${result.runtimeStatus}).` });
  const payload = managementPayload(links, result.instanceId);
  return json(202, payload, { location: payload.statusQueryGetUri, 'retry-after': '10' });
}

async function rewind(client: OrchestrationClient, id: string): Promise<ManagementResponse> {
  const current = await client.getStatus(id, { showInput: false });
  // Plain strings: durable-functions' client turns these bodies into its error message.
  if (!current) return json(404, `No orchestration with instance ID "${id}" found.`);
  if (current.runtimeStatus !== 'Failed') {
    return json(412, `This orchestration has status ${current.runtimeStatus}, but only orchestrations in the "Failed" state can be rewound.`);
  }
  return json(501, 'Rewind is not supported by the local durable engine; restart the instance instead (POST .../restart).');
}

async function list(client: OrchestrationClient, request: ManagementRequest): Promise<ManagementResponse> {
  const query = toQuery(request.query);
  if ('error' in query) return json(400, { message: query.error });
  const top = Number(request.query.get('top'));
  const token = request.headers['x-ms-continuation-token'];
  const page = await client.listStatuses(query, {
    pageSize: Number.isInteger(top) && top > 0 ? Math.min(top, 1000) : DEFAULT_PAGE_SIZE,
    continuationToken: typeof token === 'string' && token !== '' ? token : undefined,
    showInput: flag(request.query, 'showInput', true),
  });
  return json(200, page.statuses, page.continuationToken ? { 'x-ms-continuation-token': page.continuationToken } : {});
}

async function purgeWhere(client: OrchestrationClient, request: ManagementRequest): Promise<ManagementResponse> {
  const query = toQuery(request.query);
  if ('error' in query) return json(400, { message: query.error });
  // As on Azure: a time window is required (no accidental "delete everything"), the end defaults to
  // now, only finished instances are purged, and instanceIdPrefix is not a purge filter.
  if (!query.createdTimeFrom) return json(400, { message: "Please provide value for 'createdTimeFrom' parameter." });
  const requested = query.runtimeStatus && query.runtimeStatus.length > 0 ? query.runtimeStatus : [...PURGEABLE];
  const runtimeStatus = requested.filter((status) => PURGEABLE.has(status));
  if (runtimeStatus.length === 0) return json(404, { message: 'No instances matched.' });
  const deleted = await client.purgeWhere({
    createdTimeFrom: query.createdTimeFrom,
    createdTimeTo: query.createdTimeTo ?? new Date().toISOString(),
    runtimeStatus,
  });
  return deleted > 0 ? json(200, { instancesDeleted: deleted }) : json(404, { message: 'No instances matched.' });
}

function toQuery(params: URLSearchParams): InstanceQuery | { error: string } {
  const statuses = params.getAll('runtimeStatus').flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  const runtimeStatus: RuntimeStatus[] = [];
  for (const value of statuses) {
    const known = RUNTIME_STATUSES.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
    if (!known) return { error: `Unknown runtimeStatus '${value}'.` };
    runtimeStatus.push(known);
  }
  const time = (name: string) => {
    const value = params.get(name);
    if (!value) return undefined;
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
  };
  const createdTimeFrom = time('createdTimeFrom');
  const createdTimeTo = time('createdTimeTo');
  if (createdTimeFrom === null || createdTimeTo === null) return { error: 'createdTimeFrom/createdTimeTo must be ISO 8601 times.' };
  return { runtimeStatus, createdTimeFrom, createdTimeTo, instanceIdPrefix: params.get('instanceIdPrefix') ?? undefined };
}

function change(result: 'accepted' | 'notFound' | 'gone', id: string): ManagementResponse {
  if (result === 'accepted') return { status: 202 };
  if (result === 'notFound') return json(404, { message: `No instance with ID '${id}' found.` });
  return json(410, { message: `The instance '${id}' is no longer running.` });
}

function flag(params: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = params.get(name);
  return value === null ? fallback : value.toLowerCase() === 'true';
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function isValidInstanceId(id: string): boolean {
  return id.length > 0 && id.length <= 256 && !/[/\\#?\u0000-\u001f\u007f]/.test(id);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): ManagementResponse {
  return { status, body, headers };
}
