import type { ComputeRecord } from '../../local/arm-emulator/compute-record';
import { applyAction, created, lastOperationStatus, provisioningState, settle, type ActionName } from '../../local/arm-emulator/lifecycle';

const durations = { createMs: 60_000, startMs: 30_000, stopMs: 20_000, deleteMs: 10_000 };

const fresh = (failure: Parameters<typeof created>[3] = null): ComputeRecord =>
  created(
    {
      name: 'ci-abc',
      resourceGroup: 'climate-lab',
      workspace: 'climate-lab',
      location: 'westeurope',
      vmSize: 'Standard_DS1_v2',
      tags: {},
      description: null,
      assignedUser: null,
      authorizationType: null,
      applicationSharingPolicy: null,
      idleTimeBeforeShutdown: null,
      createdBy: { userId: 'u', userOrgId: 't', userName: 'n' },
    },
    0,
    durations,
    failure,
  );

const inState = (state: ComputeRecord['state']): ComputeRecord => ({ ...fresh(), state, until: null, next: null });

describe('compute instance lifecycle', () => {
  it('is Creating until the create delay has passed, then Running', () => {
    const record = fresh();
    expect(settle(record, 59_999)?.state).toBe('Creating');
    expect(provisioningState(record)).toBe('Creating');
    expect(lastOperationStatus(record)).toBe('InProgress');
    const running = settle(record, 60_000);
    expect(running).toMatchObject({ state: 'Running', until: null, next: null, since: 60_000 });
    expect(running && provisioningState(running)).toBe('Succeeded');
  });

  it('ends in the failure a scenario chose, with its error', () => {
    const failed = settle(fresh({ state: 'CreateFailed', error: { code: 'AllocationFailed', message: 'no capacity' } }), 60_000);
    expect(failed).toMatchObject({ state: 'CreateFailed', failure: { code: 'AllocationFailed', message: 'no capacity' } });
    expect(failed && provisioningState(failed)).toBe('Failed');
    expect(failed && lastOperationStatus(failed)).toBe('CreateFailed');
  });

  const table: [ComputeRecord['state'], ActionName, 'begin' | 'noop' | 'conflict', string | null][] = [
    ['Stopped', 'Start', 'begin', 'Starting'],
    ['Running', 'Start', 'noop', null],
    ['Creating', 'Start', 'conflict', null],
    ['Stopping', 'Start', 'conflict', null],
    ['Running', 'Stop', 'begin', 'Stopping'],
    ['Stopped', 'Stop', 'noop', null],
    ['Creating', 'Stop', 'conflict', null],
    ['Starting', 'Stop', 'conflict', null],
    ['Running', 'Restart', 'begin', 'Restarting'],
    ['Stopped', 'Restart', 'conflict', null],
    ['Creating', 'Delete', 'begin', 'Deleting'],
    ['CreateFailed', 'Delete', 'begin', 'Deleting'],
    ['Deleting', 'Delete', 'noop', null],
  ];

  it.each(table)('%s + %s → %s %s', (state, action, kind, via) => {
    const result = applyAction(inState(state), action, 1_000, durations);
    expect(result.kind).toBe(kind);
    if (result.kind === 'begin') expect(result.record).toMatchObject({ state: via, since: 1_000, lastOperation: { name: action, at: 1_000 } });
    if (result.kind === 'conflict') expect(result.message).toContain(`'${state}'`);
  });

  it('takes each transition its own time, and a deleted instance is gone', () => {
    const stop = applyAction(inState('Running'), 'Stop', 0, durations);
    const start = applyAction(inState('Stopped'), 'Start', 0, durations);
    const remove = applyAction(inState('Running'), 'Delete', 0, durations);
    if (stop.kind !== 'begin' || start.kind !== 'begin' || remove.kind !== 'begin') throw new Error('expected transitions');
    expect([settle(stop.record, 19_999)?.state, settle(stop.record, 20_000)?.state]).toEqual(['Stopping', 'Stopped']);
    expect([settle(start.record, 29_999)?.state, settle(start.record, 30_000)?.state]).toEqual(['Starting', 'Running']);
    expect(settle(remove.record, 9_999)?.state).toBe('Deleting');
    expect(settle(remove.record, 10_000)).toBeNull();
  });
});
