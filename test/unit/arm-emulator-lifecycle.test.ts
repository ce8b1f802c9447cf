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

  const table: [ComputeRecord['state'], ActionName, 'begin' | 'noop' | 'refused' | 'conflict', string | null][] = [
    ['Stopped', 'Start', 'begin', 'Starting'],
    ['Running', 'Start', 'refused', null],
    ['Starting', 'Start', 'refused', null],
    ['JobRunning', 'Start', 'refused', null],
    ['Creating', 'Start', 'conflict', null],
    ['Stopping', 'Start', 'conflict', null],
    ['Running', 'Stop', 'begin', 'Stopping'],
    ['Stopped', 'Stop', 'refused', null],
    ['Stopping', 'Stop', 'refused', null],
    ['JobRunning', 'Stop', 'begin', 'Stopping'],
    ['Unusable', 'Delete', 'begin', 'Deleting'],
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
    if (result.kind === 'refused') {
      const code = action === 'Start' ? 'StartComputeInstanceOnlyAllowedInStoppedState' : 'StopComputeInstanceOnlyAllowedInRunningState';
      expect(result.error).toEqual({ code, message: expect.stringContaining("Compute Instance is only allowed when the instance ci-abc is in '") });
    }
  });

  it('goes Creating → SettingUp → Running when a scenario sets the instance up, even when both legs passed unseen', () => {
    const record = fresh({ state: 'SettingUp', error: null, settingUpMs: 15_000 });
    expect(settle(record, 60_000)).toMatchObject({ state: 'SettingUp', since: 60_000, until: 75_000, next: 'Running' });
    expect(settle(record, 74_999)?.state).toBe('SettingUp');
    expect(settle(record, 75_000)).toMatchObject({ state: 'Running', since: 75_000, until: null });
    expect(settle(record, 500_000)).toMatchObject({ state: 'Running', since: 75_000 });
  });

  it('ends in Unusable with a provisioning failure, or in JobRunning, when a scenario says so', () => {
    const unusable = settle(fresh({ state: 'Unusable', error: { code: 'ComputeInstanceUnusable', message: 'unusable node', details: [] } }), 60_000);
    expect(unusable && [unusable.state, provisioningState(unusable), lastOperationStatus(unusable)]).toEqual(['Unusable', 'Failed', 'CreateFailed']);
    const busy = settle(fresh({ state: 'JobRunning', error: null }), 60_000);
    expect(busy && [busy.state, provisioningState(busy), lastOperationStatus(busy)]).toEqual(['JobRunning', 'Succeeded', 'Succeeded']);
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
