/**
 * The dispatcher's poll loop when storage fails (issue 10: the host died on an unhandled
 * "RestError: connect ECONNREFUSED" while Azurite was down): every failing storage call of a pass
 * is logged and retried after a back-off; nothing rejects unawaited, and stop() still resolves.
 */
import { Dispatcher } from '../../../local/durable-engine/dispatch/dispatcher';
import type { EngineLogger } from '../../../local/durable-engine/durable-functions-port';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10002'), { name: 'RestError', code: 'ECONNREFUSED' });

function loggerInto(lines: string[]): EngineLogger {
  const log = (event: string, message: string) => lines.push(`${event} ${message}`);
  return { debug: log, info: log, warn: log, error: log };
}

/** A work-item store where each query is scripted: `failing` names the calls that reject. */
function fakeWorkItems(failing: Set<string>, calls: string[]) {
  const call = async <T>(name: string, value: T): Promise<T> => {
    calls.push(name);
    if (failing.has(name)) throw refused();
    return value;
  };
  return {
    instancesWithDueMessages: () => call('instancesWithDueMessages', [] as string[]),
    claimableActivities: () => call('claimableActivities', []),
    nextMessageDueMs: () => call('nextMessageDueMs', undefined),
    lease: () => call('lease', undefined),
    release: () => call('release', undefined),
  };
}

const waitUntil = async (condition: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe.each([
  ['the look for due work', 'instancesWithDueMessages'],
  ['the time of the next due message (after a pass found nothing)', 'nextMessageDueMs'],
])('when %s fails', (_what, failingCall) => {
  it('logs, backs off, retries, and never lets a rejection escape', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const lines: string[] = [];
    const calls: string[] = [];
    const failing = new Set([failingCall]);
    const dispatcher = new Dispatcher(
      { workItems: fakeWorkItems(failing, calls) as never, episodes: {} as never, activities: {} as never, logger: loggerInto(lines) },
      { maxConcurrentActivities: 1, maxConcurrentOrchestrations: 1, leaseMs: 30_000, idlePollMs: 50, owner: 'test:1' },
    );
    try {
      dispatcher.start();
      await waitUntil(() => lines.filter((line) => line.startsWith('durable.dispatch-failed')).length >= 2);
      expect(lines[0]).toMatch(/ECONNREFUSED/);
      // Storage is back: the loop carries on polling.
      failing.clear();
      const before = calls.filter((name) => name === 'nextMessageDueMs').length;
      await waitUntil(() => calls.filter((name) => name === 'nextMessageDueMs').length > before + 1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      await dispatcher.stop(1_000);
      process.removeListener('unhandledRejection', onUnhandled);
    }
  }, 30_000);
});
