/**
 * How a server's run on the local stack was woken, from its durable history: the workspace
 * watcher's computeChanged events, and the timers that fired (a run's own fallback look).
 */
import { sleep, type LocalStack } from './local-stack';

export interface RunWakes {
  /** What each wake said Azure showed, in order. */
  wakes: (string | undefined)[];
  /** Durable timers that fired in the run: its fallback looks, when no watcher woke it. */
  fallbacks: number;
}

/** Read once the run ended (it may still be recording its last step: waits up to 30 s for it). */
export async function wakesOf(stack: LocalStack, instanceId: string): Promise<RunWakes> {
  const read = () => stack.api('GET', `/runtime/webhooks/durabletask/instances/${instanceId}?showHistory=true&showHistoryOutput=true`);
  let status = await read();
  const ended = Date.now() + 30_000;
  while (status.status === 202 && Date.now() < ended) {
    await sleep(200);
    status = await read();
  }
  expect(status.status).toBe(200);
  const history = (status.body as { historyEvents: { EventType: string; Name?: string; Input?: { observed: string } }[] }).historyEvents;
  return {
    wakes: history.filter((event) => event.EventType === 'EventRaised' && event.Name === 'computeChanged').map((event) => event.Input?.observed),
    fallbacks: history.filter((event) => event.EventType === 'TimerFired').length,
  };
}
