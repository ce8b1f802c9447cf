/**
 * An episode whose state storage refuses (a permanent 4xx such as 413 "entity too large") fails
 * its instance with the reason, and queues none of the work it had decided: no loop that re-runs
 * the episode and multiplies the activities it schedules. Stores are in-memory fakes.
 */
import type { DurableFunctionsPort, EngineLogger } from '../../../local/durable-engine';
import { EpisodeRunner } from '../../../local/durable-engine/episode/episode-runner';
import { newInstanceRecord } from '../../../local/durable-engine/episode/instance-starter';
import type { EpisodeDecision } from '../../../local/durable-engine/episode/episode-decision';
import type { WorkWriter } from '../../../local/durable-engine/episode/work-writer';
import type { QueuedMessage } from '../../../local/durable-engine/protocol/instance-message';
import type { HistoryStore } from '../../../local/durable-engine/store/history-store';
import type { InstanceRecord } from '../../../local/durable-engine/store/instance-record';
import type { InstanceStore, PreparedInstance, StoredInstance } from '../../../local/durable-engine/store/instance-store';
import type { WorkItemStore } from '../../../local/durable-engine/store/work-item-store';

const silent: EngineLogger = { debug() {}, info() {}, warn() {}, error() {} };

function fanOutPort(count: number): DurableFunctionsPort {
  const actions = Array.from({ length: count }, (_, n) => ({ actionType: 0, functionName: 'work', input: n }));
  return {
    hasOrchestrator: () => true,
    hasActivity: () => true,
    hasEntity: () => false,
    runEntity: async () => ({ thrown: new Error('no entities') }),
    runActivity: async () => ({ returned: null }),
    runOrchestrator: async () => ({ returned: { isDone: false, actions: [actions], schemaVersion: 2 } }),
  };
}

it('fails the instance with the storage refusal as its reason and writes no activities', async () => {
  const record = newInstanceRecord({ instanceId: 'wide', name: 'fanOut', inputJson: undefined }, new Date());
  const stored: StoredInstance = { record, etag: 'etag-1', blobNames: [] };
  const start: QueuedMessage = { id: 'm1', instanceId: 'wide', message: { kind: 'start', executionId: record.executionId } };
  const prepared: InstanceRecord[] = [];
  let replaced: InstanceRecord | undefined;
  const instances = {
    get: async () => stored,
    prepare: async (next: InstanceRecord): Promise<PreparedInstance> => {
      prepared.push(structuredClone(next));
      if (next.runtimeStatus !== 'Failed') throw Object.assign(new Error('The entity is larger than the maximum allowed size (1MB).'), { statusCode: 413 });
      return { record: next, entity: { partitionKey: 'wide', rowKey: '' }, blobNames: [] };
    },
    replace: async (next: PreparedInstance) => {
      replaced = next.record;
      return 'etag-2';
    },
  } as unknown as InstanceStore;
  const appended: unknown[][] = [];
  const history = {
    load: async () => [],
    append: async (_id: string, _execution: string, _start: number, events: unknown[]) => void appended.push(events),
    committed: () => undefined,
  } as unknown as HistoryStore;
  const deleted: string[] = [];
  const workItems = { dueMessagesFor: async () => [start], deleteMessages: async (ids: string[]) => void deleted.push(...ids) } as unknown as WorkItemStore;
  const written: EpisodeDecision[] = [];
  const writer = { write: async (_record: InstanceRecord, decision: EpisodeDecision) => void written.push(decision) } as unknown as WorkWriter;

  const runner = new EpisodeRunner({ instances, history, workItems, writer, port: fanOutPort(20_000), logger: silent });
  expect(await runner.run('wide')).toBe('done');

  expect(prepared.map((next) => next.runtimeStatus)).toEqual(['Running', 'Failed']);
  expect(written).toHaveLength(1);
  expect(written[0]!.work.activities).toEqual([]);
  expect(replaced).toMatchObject({ runtimeStatus: 'Failed', failure: { errorType: 'OrchestrationStateNotStored' } });
  expect(replaced!.failure!.errorMessage).toMatch(/could not be stored \(storage answered 413: The entity is larger/);
  // Only the failed episode's history was written: no TaskScheduled events.
  expect(appended).toHaveLength(1);
  expect((appended[0] as { EventType: number }[]).map((event) => event.EventType)).toEqual([12, 0, 1, 13]);
  expect(deleted).toEqual(['m1']);
});
