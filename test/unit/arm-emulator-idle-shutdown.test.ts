import { checkIdleTime, idleTimeMs } from '../../local/arm-emulator/compute-body';
import type { ComputeRecord } from '../../local/arm-emulator/compute-record';
import { idleDeadline, settleWithIdleShutdown, withActivity } from '../../local/arm-emulator/idle-shutdown';
import { created } from '../../local/arm-emulator/lifecycle';
import { optionsFromEnv, resolveOptions } from '../../local/arm-emulator/options';

const durations = { createMs: 60_000, startMs: 30_000, stopMs: 20_000, deleteMs: 10_000 };
const MINUTE = 60_000;

const instance = (idleTimeBeforeShutdown: string | null): ComputeRecord =>
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
      idleTimeBeforeShutdown,
      createdBy: { userId: 'u', userOrgId: 't', userName: 'n' },
    },
    0,
    durations,
    null,
  );

const at = (record: ComputeRecord, now: number) => settleWithIdleShutdown(record, now, durations.stopMs);

describe("the emulator's Azure ML idle shutdown", () => {
  it('stops an instance idle for its idle time, counted from when it became Running, with trigger IdleShutdown', () => {
    const record = instance('PT15M');
    const deadline = 60_000 + 15 * MINUTE;
    expect(at(record, deadline - 1)?.state).toBe('Running');
    const stopping = at(record, deadline);
    expect(stopping).toMatchObject({ state: 'Stopping', since: deadline, until: deadline + 20_000, lastOperation: { name: 'Stop', at: deadline, trigger: 'IdleShutdown' } });
    expect(at(record, deadline + 20_000)).toMatchObject({ state: 'Stopped', lastOperation: { name: 'Stop', trigger: 'IdleShutdown' } });
  });

  it('holds off while there is activity, and stops once it ends', () => {
    const running = at(instance('PT15M'), 60_000) as ComputeRecord;
    const active = withActivity(running, 60_000 + 14 * MINUTE) as ComputeRecord;
    expect(at(active, 60_000 + 20 * MINUTE)?.state).toBe('Running');
    expect(idleDeadline(active)).toBe(60_000 + 29 * MINUTE);
    expect(at(active, 60_000 + 29 * MINUTE)?.state).toBe('Stopping');
  });

  it('never stops an instance without idle shutdown, and activity needs a Running instance', () => {
    expect(at(instance(null), 100 * 24 * 60 * MINUTE)?.state).toBe('Running');
    expect(withActivity(instance('PT15M'), 1_000)).toBeNull(); // still Creating
  });

  it.each([
    ['PT15M', 15 * MINUTE],
    ['PT30S', 30_000],
    ['P1DT2H', 26 * 60 * MINUTE],
    ['PT', null],
    ['15m', null],
  ])('reads %s as %s ms', (value, ms) => {
    expect(idleTimeMs(value)).toBe(ms);
  });

  it("enforces Azure's 15-minute floor unless short idle times are allowed", () => {
    expect(() => checkIdleTime('PT14M')).toThrow(/PT15M/);
    expect(() => checkIdleTime('PT15M')).not.toThrow();
    expect(() => checkIdleTime('P4D')).toThrow(/P3D/);
    expect(() => checkIdleTime('PT30S', true)).not.toThrow();
    expect(() => checkIdleTime('PT0S', true)).toThrow();
  });
});

describe('EMULATOR_ALLOW_SHORT_IDLE', () => {
  it('turns short idle times on from the environment, off by default', () => {
    expect(optionsFromEnv({ EMULATOR_ALLOW_SHORT_IDLE: '1' }).allowShortIdle).toBe(true);
    expect(optionsFromEnv({ EMULATOR_ALLOW_SHORT_IDLE: 'false' }).allowShortIdle).toBe(false);
    expect(resolveOptions(optionsFromEnv({})).allowShortIdle).toBe(false);
    expect(() => optionsFromEnv({ EMULATOR_ALLOW_SHORT_IDLE: 'yes' })).toThrow(/EMULATOR_ALLOW_SHORT_IDLE/);
  });
});
