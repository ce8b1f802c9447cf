/**
 * The local stack for end-to-end tests (see local/stack/local-stack.ts, shared with the benchmark),
 * with short emulator delays and fast app settings so a test runs in seconds rather than minutes.
 */
import { resolve } from 'node:path';
import { LocalStack as Stack, type LocalStackOptions } from '../../local/stack/local-stack';

const REPO = resolve(__dirname, '..', '..');
export const TEST_KEY = 'e2e-key';

/** The emulator's seeded people (local/arm-emulator/seed.json): Personal instances are created for them. */
export const SEEDED = {
  tenantId: '00000000-0000-0000-0000-0000000a4b10',
  alice: 'a11ce000-0000-4000-8000-000000000001',
  bob: 'b0b00000-0000-4000-8000-000000000002',
  carol: 'ca201000-0000-4000-8000-000000000003',
} as const;

/** App settings that make a test run in seconds rather than minutes. */
export const FAST_APP_SETTINGS: Record<string, string> = {
  PROVISION_POLL_SECONDS: '0.5',
  STOP_POLL_SECONDS: '0.5',
  // The emulated launches below take seconds, not Azure's minutes: expect that before any completed.
  EXPECTED_CREATE_SECONDS: '3',
  EXPECTED_START_SECONDS: '2',
  BUSY_RETRY_AFTER_SECONDS: '1',
  IDLE_SWEEP_SCHEDULE: '0 0 0 1 1 *', // effectively never, unless a test asks for it
  LOCAL_DURABLE_POLL_SECONDS: '0.2',
};

export type StackOptions = Pick<LocalStackOptions, 'emulator' | 'appSettings'>;

/** What a test reads back: JSON bodies are whatever the route answers, checked by the test itself. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: any;
}

/** The runtime's stack with the tests' request helpers. */
export interface LocalStack extends Stack {
  /** A control-plane request with the function key. */
  api(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /** A request to the ARM emulator (its `/_emulator` controls and ARM routes); the JSON body. */
  emulatorJson(method: string, path: string, body?: unknown): Promise<any>;
  /** Polls the server until `until` holds or the time runs out; returns the last server seen. */
  waitForServer(id: string, until: (server: any) => boolean, timeoutMs?: number): Promise<any>;
}

export const LocalStack = {
  async start(options: StackOptions = {}): Promise<LocalStack> {
    const stack = await Stack.start({
      appDir: REPO,
      functionsKey: TEST_KEY,
      emulator: { createSeconds: 3, startSeconds: 2, stopSeconds: 1, deleteSeconds: 1, ...options.emulator },
      appSettings: { ...FAST_APP_SETTINGS, ...options.appSettings },
    });
    return withTestHelpers(stack);
  },
};

export function withTestHelpers(stack: Stack): LocalStack {
  const api: LocalStack['api'] = async (method, path, body) => {
    const response = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { 'x-functions-key': stack.functionsKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  };
  const emulatorJson: LocalStack['emulatorJson'] = async (method, path, body) => {
    const response = await fetch(`${stack.emulator.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  };
  const waitForServer: LocalStack['waitForServer'] = async (id, until, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown = null;
    while (Date.now() < deadline) {
      const response = await api('GET', `/api/servers/${id}`).catch(() => null);
      if (response?.status === 200) {
        last = response.body;
        if (until(last)) return last;
      }
      await sleep(250);
    }
    throw new Error(`server ${id} did not reach the expected state; last seen ${JSON.stringify(last)}\n${stack.log()}`);
  };
  return Object.assign(stack, { api, emulatorJson, waitForServer });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
