/**
 * Reliability on the real local stack: random interleavings of spawn, stop and delete from three
 * clients while Azure fails 30% of its requests. Every round must end with the control plane's state
 * equal to Azure's within one sweep, and no instance left for a Deleted server.
 */
import { serverIdFor } from '../../shared/domain/naming';
import { LocalStack, sleep } from '../support/local-stack';

jest.setTimeout(900_000);

const ROUNDS = 50;
/** Rounds run this many at a time (each its own user), so 50 rounds fit in a few minutes. */
const WAVE = 5;
const SWEEP_SECONDS = 2;
const FAULT_RATE = 0.3;
const SEED = 20261203;
const VM_SIZE = 'Standard_DS1_v2';
const AT_REST = new Set(['Running', 'Stopped', 'Deleted', 'Failed']);

type Action = 'spawn' | 'stop' | 'delete';

/** A small seeded generator (mulberry32): the same seed gives the same interleavings. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface AzureView {
  state: string | null;
}

/** Whether the control plane's state agrees with what Azure holds for the instance. */
function agrees(apiState: string | null, azure: AzureView): boolean {
  switch (apiState) {
    case null:
    case 'Deleted':
      return azure.state === null;
    case 'Stopped':
      return azure.state === null || azure.state === 'Stopped';
    case 'Running':
      return azure.state === 'Running';
    case 'Failed':
      // A failed server may keep a failed or stopped instance, never one that runs or is coming up.
      return !['Running', 'Creating', 'Starting', 'Restarting'].includes(azure.state ?? '');
    default:
      return false;
  }
}

describe('spawn, stop and delete interleaved from three clients, with 30% of ARM requests failing', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await LocalStack.start({
      emulator: { faultRate: FAULT_RATE, faultSeed: SEED, createSeconds: 2, startSeconds: 1, stopSeconds: 1, deleteSeconds: 1 },
      appSettings: { IDLE_SWEEP_SCHEDULE: `*/${SWEEP_SECONDS} * * * * *`, APPLICATION_SHARING_POLICY: 'Shared' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const azureState = async (id: string): Promise<AzureView> => {
    const response = await fetch(`${stack.emulator.url}/_emulator/computes/${id}`);
    if (response.status === 404) return { state: null };
    return { state: ((await response.json()) as { state: string }).state };
  };

  const apiState = async (id: string): Promise<string | null> => {
    const response = await stack.api('GET', `/api/servers/${id}`);
    return response.status === 404 ? null : (response.body as { state: string }).state;
  };

  async function act(action: Action, user: string, id: string): Promise<number> {
    if (action === 'spawn') return (await stack.api('POST', '/api/servers', { user, project: 'climate-lab', size: 'Small' })).status;
    if (action === 'stop') return (await stack.api('POST', `/api/servers/${id}/stop`, {})).status;
    return (await stack.api('DELETE', `/api/servers/${id}`)).status;
  }

  /** One round: three clients each send one to three actions at random moments, then the round settles. */
  async function round(index: number): Promise<{ id: string; actions: string[]; api: string | null; azure: string | null; matched: boolean }> {
    const next = random(SEED + index);
    const user = `rel-${index}`;
    const id = serverIdFor({ hubId: 'hub', user, project: 'climate-lab', vmSize: VM_SIZE, serverName: '' });
    const actions: string[] = [];
    const clients = Array.from({ length: 3 }, async (_, client) => {
      const count = 1 + Math.floor(next() * 3);
      for (let i = 0; i < count; i++) {
        await sleep(Math.floor(next() * 1500));
        const action: Action = (['spawn', 'spawn', 'stop', 'delete'] as const)[Math.floor(next() * 4)];
        const status = await act(action, user, id);
        expect(status).toBeLessThan(500);
        actions.push(`${client}:${action}→${status}`);
      }
    });
    await Promise.all(clients);

    // The round settles: the server comes to rest (or was never created), bounded.
    const restDeadline = Date.now() + 120_000;
    let api = await apiState(id);
    while (api !== null && !AT_REST.has(api)) {
      if (Date.now() > restDeadline) throw new Error(`round ${index}: server ${id} stayed ${api}; actions ${actions.join(', ')}`);
      await sleep(250);
      api = await apiState(id);
    }
    // Within one sweep (and the emulator's stop delay), the control plane and Azure agree.
    const agreeDeadline = Date.now() + (2 * SWEEP_SECONDS + 3) * 1000;
    let azure = await azureState(id);
    while (!agrees(api, azure) && Date.now() < agreeDeadline) {
      await sleep(250);
      api = await apiState(id);
      azure = await azureState(id);
    }
    return { id, actions, api, azure: azure.state, matched: agrees(api, azure) };
  }

  it(`ends each of ${ROUNDS} rounds with the API state equal to Azure's, and no instance for a Deleted server`, async () => {
    const results = [];
    for (let start = 0; start < ROUNDS; start += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, ROUNDS - start) }, (_, offset) => round(start + offset));
      results.push(...(await Promise.all(wave)));
    }
    const stats = (await stack.emulatorJson('GET', '/_emulator/stats')) as { faults: number };
    const mismatches = results.filter((result) => !result.matched);
    const deletedWithInstance = results.filter((result) => result.api === 'Deleted' && result.azure !== null);
    const ends = results.reduce<Record<string, number>>((counts, result) => ({ ...counts, [String(result.api)]: (counts[String(result.api)] ?? 0) + 1 }), {});
    console.log(`reliability: ${results.length} rounds, ${stats.faults} ARM faults injected, ${mismatches.length} mismatches; ends ${JSON.stringify(ends)}`);

    expect(results).toHaveLength(ROUNDS);
    expect(stats.faults).toBeGreaterThan(0);
    expect(deletedWithInstance).toEqual([]);
    expect(mismatches).toEqual([]);
  });
});
