/**
 * The local stack for end-to-end tests (see local/stack/local-stack.ts, shared with the benchmark),
 * with short emulator delays and fast app settings so a test runs in seconds rather than minutes.
 */
import { resolve } from 'node:path';
import { LocalStack as Stack, type LocalStackOptions } from '../../local/stack/local-stack';

export { sleep } from '../../local/stack/local-stack';

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

export type LocalStack = Stack;

export const LocalStack = {
  start(options: StackOptions = {}): Promise<LocalStack> {
    return Stack.start({
      appDir: REPO,
      functionsKey: TEST_KEY,
      emulator: { createSeconds: 3, startSeconds: 2, stopSeconds: 1, deleteSeconds: 1, ...options.emulator },
      appSettings: { ...FAST_APP_SETTINGS, ...options.appSettings },
    });
  },
};
