/**
 * What a start costs the instance table: a new id is one create and no read (a class's burst of
 * spawns starts a run per server); an existing id is read and, when finished, replaced. Stores are
 * in-memory fakes that record each call.
 */
import type { EngineLogger } from '../../../local/durable-engine';
import { InstanceStarter, newInstanceRecord } from '../../../local/durable-engine/episode/instance-starter';
import type { HistoryStore } from '../../../local/durable-engine/store/history-store';
import type { InstanceRecord, RuntimeStatus } from '../../../local/durable-engine/store/instance-record';
import type { InstanceStore, StoredInstance } from '../../../local/durable-engine/store/instance-store';
import type { WorkItemStore } from '../../../local/durable-engine/store/work-item-store';

const silent: EngineLogger = { debug() {}, info() {}, warn() {}, error() {} };

function starterOver(stored: StoredInstance | undefined) {
  const calls: string[] = [];
  let row = stored;
  const instances = {
    get: async () => {
      calls.push('get');
      return row;
    },
    create: async (record: InstanceRecord) => {
      calls.push('create');
      if (row) return undefined;
      row = { record, etag: 'etag-new', blobNames: [] };
      return row.etag;
    },
    replace: async (record: InstanceRecord, etag: string) => {
      calls.push('replace');
      if (row?.etag !== etag) return undefined;
      row = { record, etag: 'etag-replaced', blobNames: [] };
      return row.etag;
    },
  } as unknown as InstanceStore;
  const queued: string[] = [];
  const workItems = { enqueueMessage: async (instanceId: string) => void queued.push(instanceId) } as unknown as WorkItemStore;
  const history = { deleteAllExcept: async () => undefined } as unknown as HistoryStore;
  const starter = new InstanceStarter({ instances, history, workItems, logger: silent, notify: () => undefined });
  return { starter, calls, queued, row: () => row };
}

const request = { instanceId: 'provision-ci-1', name: 'provisionServer', inputJson: '{"serverId":"ci-1"}' };

function storedAs(runtimeStatus: RuntimeStatus): StoredInstance {
  return { record: { ...newInstanceRecord(request, new Date()), runtimeStatus }, etag: 'etag-old', blobNames: [] };
}

it('starts a new id with one create, reading nothing', async () => {
  const { starter, calls, queued, row } = starterOver(undefined);
  const result = await starter.start(request);
  expect(result).toMatchObject({ kind: 'started', record: { instanceId: 'provision-ci-1', runtimeStatus: 'Pending' } });
  expect(calls).toEqual(['create']);
  expect(queued).toEqual(['provision-ci-1']);
  expect(row()?.etag).toBe('etag-new');
});

it('replaces a finished instance of the id with a new execution', async () => {
  const finished = storedAs('Completed');
  const { starter, calls, queued, row } = starterOver(finished);
  const result = await starter.start(request);
  expect(result.kind).toBe('started');
  expect(calls).toEqual(['create', 'get', 'replace']);
  expect(row()).toMatchObject({ etag: 'etag-replaced', record: { runtimeStatus: 'Pending' } });
  expect(row()?.record.executionId).not.toBe(finished.record.executionId);
  expect(queued).toEqual(['provision-ci-1']);
});

it('refuses an id whose instance still runs, and changes nothing', async () => {
  const running = storedAs('Running');
  const { starter, calls, queued, row } = starterOver(running);
  expect(await starter.start(request)).toEqual({ kind: 'conflict', runtimeStatus: 'Running' });
  expect(calls).toEqual(['create', 'get']);
  expect(queued).toEqual([]);
  expect(row()).toBe(running);
});
