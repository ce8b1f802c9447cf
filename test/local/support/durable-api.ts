/** Calls to the host's durable management API (with the function key) and polling helpers. */
export const FUNCTION_KEY = 'local-key';
const WEBHOOKS = '/runtime/webhooks/durabletask';

export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
}

export function managementUrl(hostUrl: string, path: string, query: Record<string, string> = {}): string {
  const url = new URL(`${WEBHOOKS}/${path}`, hostUrl);
  url.searchParams.set('code', FUNCTION_KEY);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.href;
}

export async function startOrchestration(hostUrl: string, name: string, input?: unknown, instanceId?: string): Promise<Response> {
  return fetch(managementUrl(hostUrl, `orchestrators/${name}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`), {
    method: 'POST',
    body: input === undefined ? undefined : JSON.stringify(input),
    headers: { 'content-type': 'application/json' },
  });
}

export async function getStatus(hostUrl: string, instanceId: string, query: Record<string, string> = {}): Promise<OrchestrationStatus | undefined> {
  const response = await fetch(managementUrl(hostUrl, `instances/${encodeURIComponent(instanceId)}`, query));
  if (response.status === 404) return undefined;
  return (await response.json()) as OrchestrationStatus;
}

export async function raiseEvent(hostUrl: string, instanceId: string, event: string, data: unknown): Promise<number> {
  const response = await fetch(managementUrl(hostUrl, `instances/${encodeURIComponent(instanceId)}/raiseEvent/${event}`), {
    method: 'POST',
    body: JSON.stringify(data),
    headers: { 'content-type': 'application/json' },
  });
  return response.status;
}

const DONE = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

/** Polls until `accept` holds (default: the instance reached a terminal state). */
export async function waitForStatus(
  hostUrl: string,
  instanceId: string,
  accept: (status: OrchestrationStatus) => boolean = (status) => DONE.has(status.runtimeStatus),
  timeoutMs = 30_000,
  query: Record<string, string> = {},
): Promise<OrchestrationStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: OrchestrationStatus | undefined;
  while (Date.now() < deadline) {
    last = await getStatus(hostUrl, instanceId, query);
    if (last && accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Instance ${instanceId} did not reach the expected state in ${timeoutMs} ms; last status: ${JSON.stringify(last)}`);
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
