/**
 * Class schedules: the body's validation (nothing stored when refused), the sessions of a once and a
 * recurring schedule, and the sweep that launches a session's servers ahead of its start and, at
 * its end, leaves the running ones to Azure ML's idle shutdown shortened to the in-use window (the
 * idle sweep then records `stopReason: schedule`) and stops the ones still launching.
 */
import { AppError, isAppError } from '../../shared/domain/errors';
import type { ComputeLocator } from '../../shared/domain/ports';
import { currentOrNextSession, leadSeconds, type ScheduleDefinition } from '../../shared/domain/schedules';
import { ScheduleBodySchema } from '../../shared/http/schedule-schemas';
import { createSchedule, replaceSchedule, scheduleView, sweepSchedules } from '../../shared/use-cases/class-schedules';
import { sweepIdleServers } from '../../shared/use-cases/idle-sweep';
import { spawnServer } from '../../shared/use-cases/spawn-server';
import type { Dependencies } from '../../shared/use-cases/dependencies';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const NOW = new Date('2026-11-26T09:00:00Z');
const OID = (n: number) => `a11ce000-0000-4000-8000-00000000000${n}`;
const GROUP = '9a0c0000-0000-4000-8000-0000000000aa';
const CLASS = { project: 'climate-lab', size: 'Small' as const };
const PEOPLE = [1, 2, 3].map((n) => ({ user: `student${n}`, userObjectId: OID(n), tenantId: null }));

function setup(aml = new ScriptedAmlGateway()) {
  const clock = new VirtualClock(NOW);
  const servers = new InMemoryServerRepository();
  const deps = testDependencies({ servers, aml, clock, settings: testSettings({ APPLICATION_SHARING_POLICY: 'Shared' }) });
  return { clock, servers, deps, control: new RecordingOrchestrationControl() };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; errors?: { field: string }[] }> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, errors: error.errors };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the schedule body', () => {
  const once = { ...CLASS, users: [{ user: 'alice' }], start: '2026-11-27T09:00:00+01:00', end: '2026-11-27T11:00:00+01:00' };
  const recurring = { ...CLASS, groupObjectId: GROUP, cron: '0 9 * * 1', durationMinutes: 90, timeZone: 'Europe/Paris' };

  it('accepts a once schedule for listed people and a recurring one for a group', () => {
    expect(ScheduleBodySchema.parse(once)).toEqual({
      ...CLASS, users: [{ user: 'alice', userObjectId: null, tenantId: null }], start: '2026-11-27T08:00:00.000Z', end: '2026-11-27T10:00:00.000Z',
    });
    expect(ScheduleBodySchema.parse(recurring)).toEqual(recurring);
  });

  it.each([
    ['both audiences', { ...once, groupObjectId: GROUP }, 'users'],
    ['no audience', { ...CLASS, start: once.start, end: once.end }, 'users'],
    ['both timings', { ...once, cron: '0 9 * * 1' }, 'start'],
    ['no timing', { ...CLASS, users: once.users }, 'start'],
    ['an end before the start', { ...once, end: '2026-11-27T07:00:00Z' }, 'end'],
    ['a session longer than a day', { ...once, end: '2026-11-29T09:00:00Z' }, 'end'],
    ['a time without offset', { ...once, start: '2026-11-27T09:00:00' }, 'start'],
    ['a person listed twice', { ...once, users: [{ user: 'alice' }, { user: 'alice' }] }, 'users'],
    ['a recurring schedule without its zone', { ...recurring, timeZone: undefined }, 'timeZone'],
    ['an unknown field', { ...once, room: 'B12' }, ''],
    ['an empty list of people', { ...once, users: [] }, 'users'],
  ])('refuses %s', (_name, body, field) => {
    const parsed = ScheduleBodySchema.safeParse(body);
    expect(parsed.success).toBe(false);
    if (field) expect(parsed.error?.issues.map((issue) => issue.path[0])).toContain(field);
  });
});

describe('creating a schedule', () => {
  const once: ScheduleDefinition = { ...CLASS, users: PEOPLE, start: '2026-11-26T10:00:00.000Z', end: '2026-11-26T11:00:00.000Z' };

  it.each([
    ['an end already past', { ...once, start: '2026-11-26T07:00:00.000Z', end: '2026-11-26T08:00:00.000Z' }, 'invalid-request', 'end'],
    ['an unknown time zone', { ...CLASS, users: PEOPLE, cron: '0 9 * * 1', durationMinutes: 60, timeZone: 'Mars/Olympus' }, 'invalid-request', 'timeZone'],
    ['a cron expression that does not parse', { ...CLASS, users: PEOPLE, cron: '0 99 * * *', durationMinutes: 60, timeZone: 'UTC' }, 'invalid-request', 'cron'],
    ['sessions that would overlap', { ...CLASS, users: PEOPLE, cron: '*/30 * * * *', durationMinutes: 45, timeZone: 'UTC' }, 'invalid-request', 'durationMinutes'],
    ['an unknown project', { ...once, project: 'no-such-lab' }, 'project-not-found', undefined],
  ] as [string, ScheduleDefinition, string, string | undefined][])('refuses %s and stores nothing', async (_name, definition, code, field) => {
    const { deps } = setup();
    const refused = await refusal(createSchedule(deps, definition));
    expect(refused.code).toBe(code);
    if (field) expect(refused.errors?.map((error) => error.field)).toEqual([field]);
    expect(await deps.schedules.list()).toEqual([]);
  });

  it('stores a valid one and serves its next session', async () => {
    const { deps } = setup();
    const schedule = await createSchedule(deps, once);
    expect(schedule.id).toMatch(/^sch-[0-9a-f]{20}$/);
    expect(scheduleView(schedule, NOW)).toMatchObject({ nextSession: { start: once.start, end: once.end }, lastSession: null });
    const replaced = await replaceSchedule(deps, schedule.id, { ...once, size: 'Medium' });
    expect(replaced).toMatchObject({ id: schedule.id, size: 'Medium', createdAt: schedule.createdAt });
    expect(await refusal(replaceSchedule(deps, 'sch-00000000000000000000', once))).toMatchObject({ code: 'schedule-not-found' });
  });
});

describe('sessions', () => {
  it('reads a recurring schedule in its time zone, across a change of daylight saving time', () => {
    const weekly = { cron: '0 9 * * 1', durationMinutes: 90, timeZone: 'Europe/Paris' };
    // Monday 26 October 2026 is after the change to winter time (UTC+1); Monday 19 October before it (UTC+2).
    expect(currentOrNextSession(weekly, new Date('2026-10-20T00:00:00Z'))).toEqual({ start: new Date('2026-10-26T08:00:00Z'), end: new Date('2026-10-26T09:30:00Z') });
    expect(currentOrNextSession(weekly, new Date('2026-10-26T09:00:00Z'))?.start).toEqual(new Date('2026-10-26T08:00:00Z'));
    expect(currentOrNextSession(weekly, new Date('2026-10-19T08:00:00Z'))).toEqual({ start: new Date('2026-10-19T07:00:00Z'), end: new Date('2026-10-19T08:30:00Z') });
    expect(currentOrNextSession(weekly, new Date('2026-10-26T09:30:00Z'))?.start).toEqual(new Date('2026-11-02T08:00:00Z'));
  });

  it('leads by the slowest create, the pacing beyond the burst, and one sweep interval', () => {
    expect(leadSeconds(300, 10, { burst: 150, perSecond: 8 }, 60)).toBe(360);
    expect(leadSeconds(300, 310, { burst: 150, perSecond: 8 }, 60)).toBe(380);
  });
});

describe('the schedule sweep', () => {
  /** The servers Running, their instances too (the provisioning runs are only recorded here). */
  async function runningAll(deps: Dependencies, aml: ScriptedAmlGateway, ids: string[]) {
    for (const id of ids) {
      const stored = await deps.servers.update(id, (server) => ({ ...server, state: 'Running', amlState: 'Running', startedAt: NOW.toISOString() }));
      aml.seed(stored!.server.project, id, stored!.server.vmSize, 'Running', { idleTimeBeforeShutdown: 'PT120M' });
    }
  }

  /** One person's server, launched for a 10:00–11:00 session and Running. */
  async function oneRunningInSession(aml: ScriptedAmlGateway) {
    const { clock, deps, control } = setup(aml);
    const schedule = await createSchedule(deps, { ...CLASS, users: [PEOPLE[0]!], start: '2026-11-26T10:00:00.000Z', end: '2026-11-26T11:00:00.000Z' });
    clock.set(new Date('2026-11-26T09:56:00Z'));
    await sweepSchedules(deps, control);
    const id = (await deps.schedules.get(schedule.id))!.launched[0]!;
    await runningAll(deps, aml, [id]);
    return { clock, deps, control, schedule, id };
  }

  it("launches the people's servers within the lead time; at the end leaves the running ones to the idle shutdown, shortened", async () => {
    const aml = new ScriptedAmlGateway();
    const { clock, deps, control } = setup(aml);
    const schedule = await createSchedule(deps, { ...CLASS, users: PEOPLE, start: '2026-11-26T10:00:00.000Z', end: '2026-11-26T11:00:00.000Z' });

    // Lead: the default create (360 s; no create learned for this size) + one sweep (60 s) = 7 minutes.
    clock.set(new Date('2026-11-26T09:52:00Z'));
    expect((await sweepSchedules(deps, control)).launched).toEqual([]);
    clock.set(new Date('2026-11-26T09:53:00Z'));
    const report = await sweepSchedules(deps, control);
    expect(report.launched).toEqual([{ schedule: schedule.id, session: '2026-11-26T10:00:00.000Z', servers: 3, failures: 0 }]);
    const stored = await deps.schedules.get(schedule.id);
    expect(stored?.launched).toHaveLength(3);
    expect(control.requests.filter((request) => request.startsWith('provision'))).toHaveLength(3);
    // Launched once per session.
    expect((await sweepSchedules(deps, control)).launched).toEqual([]);

    // During the session a person spawning gets the running server at once.
    const student = async (n: number) => (await deps.servers.list({ user: `student${n}`, limit: 5 })).servers[0]!.id;
    const [one, two, three] = [await student(1), await student(2), await student(3)];
    await runningAll(deps, aml, [one, two]);
    const during = await spawnServer(deps, control, { ...PEOPLE[0]!, ...CLASS, serverName: '' });
    expect(during.accepted).toBe(false);
    expect(stored?.launched).toContain(during.server.id);

    // student3's is still being created at the end.
    clock.set(new Date('2026-11-26T11:00:30Z'));
    const ended = await sweepSchedules(deps, control);
    expect(ended.ended).toEqual([{ schedule: schedule.id, session: '2026-11-26T10:00:00.000Z', stopped: [three], leftToIdleShutdown: [one, two].sort(), keptForNextSession: false }]);
    // Whoever works on the instance keeps it for 15 minutes past their last activity (10, raised to Azure's floor).
    expect(aml.calls.filter((call) => call.startsWith('updateIdleShutdown')).sort()).toEqual([`updateIdleShutdown ${one} PT15M`, `updateIdleShutdown ${two} PT15M`].sort());
    for (const id of [one, two]) {
      expect((await deps.servers.get(id))?.server).toMatchObject({ state: 'Running', stopReason: null, sessionEndedAt: '2026-11-26T11:00:30.000Z' });
    }
    expect((await deps.servers.get(three))?.server).toMatchObject({ state: 'Stopping', stopReason: 'schedule' });
    // Ended once.
    expect((await sweepSchedules(deps, control)).ended).toEqual([]);
    expect(scheduleView((await deps.schedules.get(schedule.id))!, clock.now())).toMatchObject({
      nextSession: null, lastSession: { start: '2026-11-26T10:00:00.000Z', launched: 3, ended: true, failures: [] },
    });
  });

  it("records the session's end before Azure takes the shortened shutdown: an instance idle for longer stops at once, and that stop is the schedule's", async () => {
    const aml = new StopsOnShortenedShutdown();
    const { clock, deps, control, schedule, id } = await oneRunningInSession(aml);

    // The idle sweep lists the instance the moment Azure stopped it, before the schedule sweep goes on.
    aml.whenStopped = async () => {
      clock.set(new Date('2026-11-26T11:00:31Z'));
      aml.setTime(clock.now());
      expect((await sweepIdleServers(deps, control)).reconciled).toEqual([{ id, from: 'Running', to: 'Stopped', reason: 'schedule' }]);
    };
    clock.set(new Date('2026-11-26T11:00:30Z'));
    const ended = await sweepSchedules(deps, control);

    expect(ended.ended).toEqual([{ schedule: schedule.id, session: '2026-11-26T10:00:00.000Z', stopped: [], leftToIdleShutdown: [id], keptForNextSession: false }]);
    expect((await deps.servers.get(id))?.server).toMatchObject({ state: 'Stopped', stopReason: 'schedule', sessionEndedAt: '2026-11-26T11:00:30.000Z' });
  });

  it('stops a running server itself when Azure refuses the shortened shutdown, its session end taken back', async () => {
    const aml = new RefusesShortenedShutdown();
    const { clock, deps, control, schedule, id } = await oneRunningInSession(aml);

    clock.set(new Date('2026-11-26T11:00:30Z'));
    const ended = await sweepSchedules(deps, control);

    expect(ended.ended).toEqual([{ schedule: schedule.id, session: '2026-11-26T10:00:00.000Z', stopped: [id], leftToIdleShutdown: [], keptForNextSession: false }]);
    expect((await deps.servers.get(id))?.server).toMatchObject({ state: 'Stopping', stopReason: 'schedule', sessionEndedAt: null });
  });

  it('keeps the servers up between back-to-back sessions, and ends a session whose end the sweep missed', async () => {
    const aml = new ScriptedAmlGateway();
    const { clock, deps, control } = setup(aml);
    // Hourly sessions of 55 minutes: the next one's launch (7 minutes ahead) is due when one ends.
    const schedule = await createSchedule(deps, { ...CLASS, users: PEOPLE, cron: '0 * * * *', durationMinutes: 55, timeZone: 'UTC' });
    clock.set(new Date('2026-11-26T09:56:00Z'));
    expect((await sweepSchedules(deps, control)).launched).toMatchObject([{ session: '2026-11-26T10:00:00.000Z', servers: 3 }]);
    const launched = (await deps.schedules.get(schedule.id))!.launched;
    await runningAll(deps, aml, launched);
    clock.set(new Date('2026-11-26T10:55:30Z'));
    const between = await sweepSchedules(deps, control);
    expect(between.ended).toEqual([{ schedule: schedule.id, session: '2026-11-26T10:00:00.000Z', stopped: [], leftToIdleShutdown: [], keptForNextSession: true }]);
    expect(aml.calls.filter((call) => call.startsWith('updateIdleShutdown'))).toEqual([]);
    expect(between.launched).toMatchObject([{ session: '2026-11-26T11:00:00.000Z', servers: 3 }]);
    for (const id of launched) expect((await deps.servers.get(id))?.server.state).toBe('Running');

    // A session under way keeps them too.
    clock.set(new Date('2026-11-26T13:30:00Z'));
    expect((await sweepSchedules(deps, control)).ended).toMatchObject([{ session: '2026-11-26T11:00:00.000Z', stopped: [], keptForNextSession: true }]);
  });

  it('ends a session whose end the sweep missed, sessions later; the next session gives a server still running its idle shutdown back', async () => {
    const aml = new ScriptedAmlGateway();
    const { clock, deps, control } = setup(aml);
    const schedule = await createSchedule(deps, { ...CLASS, users: PEOPLE, cron: '0 10 * * *', durationMinutes: 60, timeZone: 'UTC' });
    clock.set(new Date('2026-11-26T09:56:00Z'));
    await sweepSchedules(deps, control);
    const launched = (await deps.schedules.get(schedule.id))!.launched;
    await runningAll(deps, aml, launched);
    // The sweep is down for two days; it comes back before the next session's launch.
    clock.set(new Date('2026-11-28T08:00:00Z'));
    const late = await sweepSchedules(deps, control);
    expect(late.ended).toMatchObject([{ session: '2026-11-26T10:00:00.000Z', keptForNextSession: false, stopped: [] }]);
    expect(late.ended[0]!.leftToIdleShutdown).toEqual([...launched].sort());
    expect(late.launched).toEqual([]);

    // Someone has worked on student1's instance ever since: the idle shutdown left it running.
    const [kept, ...stoppedByAzure] = launched;
    for (const id of stoppedByAzure) await deps.servers.update(id, (server) => ({ ...server, state: 'Stopped', amlState: 'Stopped', url: null, stopReason: 'schedule' }));
    aml.calls.length = 0;
    clock.set(new Date('2026-11-28T09:56:00Z'));
    expect((await sweepSchedules(deps, control)).launched).toMatchObject([{ session: '2026-11-28T10:00:00.000Z', servers: 3 }]);
    expect(aml.calls.filter((call) => call.startsWith('updateIdleShutdown'))).toEqual([`updateIdleShutdown ${kept} PT120M`]);
    expect((await deps.servers.get(kept!))?.server).toMatchObject({ state: 'Running', sessionEndedAt: null });
  });

  it('launches earlier when the recent creates of the region and size were slower', async () => {
    const { clock, deps, control } = setup();
    const size = await deps.catalog.sizeIn('Small', 'westeurope');
    await deps.durations.record({ region: 'westeurope', vmSize: size!.vmSize, kind: 'create' }, 540, NOW.toISOString());
    await deps.durations.record({ region: 'westeurope', vmSize: size!.vmSize, kind: 'create' }, 300, NOW.toISOString());
    await createSchedule(deps, { ...CLASS, users: PEOPLE, start: '2026-11-26T10:00:00.000Z', end: '2026-11-26T11:00:00.000Z' });
    // The slowest recent create (540 s) + one sweep (60 s) = 10 minutes.
    clock.set(new Date('2026-11-26T09:49:00Z'));
    expect((await sweepSchedules(deps, control)).launched).toEqual([]);
    clock.set(new Date('2026-11-26T09:50:00Z'));
    expect((await sweepSchedules(deps, control)).launched).toHaveLength(1);
  });

  it('launches a group\'s members: the hub\'s people whose role assignments on the project include the group', async () => {
    const viaGroup = [{ roleDefinitionId: 'r', principalId: GROUP.toUpperCase(), principalType: 'Group', scope: '/subscriptions/s/resourceGroups/climate-lab' }];
    const aml = new ScriptedAmlGateway({ roleAssignments: { [OID(1)]: viaGroup, [OID(3)]: viaGroup } });
    const { deps, control, servers } = setup(aml);
    for (const [n, project] of [[1, 'climate-lab'], [2, 'climate-lab'], [3, 'other-lab']] as const) {
      await servers.create(buildServer({ hubId: deps.settings.hubId, user: `student${n}`, userObjectId: OID(n), project, state: 'Stopped' }));
    }
    const schedule = await createSchedule(deps, { ...CLASS, groupObjectId: GROUP, start: '2026-11-26T09:05:00.000Z', end: '2026-11-26T10:00:00.000Z' });
    const report = await sweepSchedules(deps, control);
    expect(report.launched).toEqual([{ schedule: schedule.id, session: '2026-11-26T09:05:00.000Z', servers: 2, failures: 0 }]);
    const launchedUsers = await Promise.all(((await deps.schedules.get(schedule.id))?.launched ?? []).map(async (id) => (await deps.servers.get(id))?.server.user));
    expect(launchedUsers.sort()).toEqual(['student1', 'student3']);
  });

  it('records who could not be launched, and why, without failing the others', async () => {
    const { deps, control } = setup();
    const settings = testSettings({ APPLICATION_SHARING_POLICY: 'Personal' });
    const personal = { ...deps, settings };
    const schedule = await createSchedule(personal, { ...CLASS, users: [PEOPLE[0]!, { user: 'no-id', userObjectId: null, tenantId: null }], start: '2026-11-26T09:05:00.000Z', end: '2026-11-26T10:00:00.000Z' });
    await sweepSchedules(personal, control);
    expect((await deps.schedules.get(schedule.id))).toMatchObject({
      launched: [expect.stringMatching(/^ci-/)], failures: [{ user: 'no-id', code: 'user-object-id-required' }],
    });
  });
});

/** Azure ML as it behaves for an instance idle for longer than the new window: it stops at once. */
class StopsOnShortenedShutdown extends ScriptedAmlGateway {
  whenStopped: () => Promise<void> = async () => {};

  override async updateIdleShutdown(at: ComputeLocator, idleTimeBeforeShutdown: string): Promise<void> {
    await super.updateIdleShutdown(at, idleTimeBeforeShutdown);
    const { vmSize } = (await this.getCompute(at))!;
    this.seed(at.project, at.name, vmSize!, 'Stopped', {
      idleTimeBeforeShutdown,
      lastOperation: { operationName: 'Stop', operationStatus: 'Succeeded', operationTime: '2026-11-26T11:00:30.000Z', operationTrigger: 'IdleShutdown' },
    });
    await this.whenStopped();
  }
}

class RefusesShortenedShutdown extends ScriptedAmlGateway {
  override async updateIdleShutdown(at: ComputeLocator): Promise<void> {
    throw new AppError('azure-error', `The idle shutdown of '${at.name}' cannot be changed now.`);
  }
}
