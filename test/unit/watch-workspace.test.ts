/**
 * The workspace watcher (issue 12): one look at Azure per watcher look for all in-flight servers of a
 * project, waking exactly the runs whose instance changed; the runs wait for that wake or a long
 * fallback; the watcher ends when nothing is in flight and continues as new on long watches.
 */
import {
  ACTIVITIES, EVENTS, type GiveUpInput, type WatchInput, type WatchServerInput,
} from '../../shared/adapters/durable/orchestration-names';
import type { ComputeInstance } from '../../shared/domain/ports';
import { serverIdFor } from '../../shared/domain/naming';
import { newServer } from '../../shared/domain/server-changes';
import { provisionServerOrchestrator } from '../../shared/orchestrations/provision-server';
import { LOOKS_PER_GENERATION, watchWorkspaceOrchestrator } from '../../shared/orchestrations/watch-workspace';
import { advanceProvisioning, giveUpProvisioning } from '../../shared/use-cases/advance-provisioning';
import {
  enrolForWatch, watchWorkspace, type RunWaker, type Wakeup, type WatchStarter,
} from '../../shared/use-cases/watch-workspace';
import { InMemoryWatchList } from '../support/in-memory-watch-list';
import { InMemoryLaunchDurations } from '../support/in-memory-launch-durations';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { replayOrchestration, type ActivityImplementation } from '../support/orchestration-replay';
import { provisionStepActivity } from '../support/provision-step-activity';
import { ScriptedAmlGateway, type ScriptedAmlOptions } from '../support/scripted-aml-gateway';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const START = new Date('2026-11-26T09:00:00Z');

class RecordingWatch implements RunWaker, WatchStarter {
  readonly wakeups: Wakeup[] = [];
  /** Watchers started: `project#generation`. */
  readonly started: string[] = [];
  /** Stop-gap starts after a run waited in vain. */
  readonly ensured: string[] = [];
  onWake: (wakeup: Wakeup) => Promise<void> = async () => undefined;
  async wake(wakeup: Wakeup): Promise<void> {
    this.wakeups.push(wakeup);
    await this.onWake(wakeup);
  }
  async startWatcher(project: string, generation: number): Promise<void> {
    this.started.push(`${project}#${generation}`);
  }
  async ensureWatching(project: string, generation: number): Promise<void> {
    this.ensured.push(`${project}#${generation}`);
  }
}

function setUp(aml: ScriptedAmlOptions = {}, settings: Record<string, string> = {}) {
  const servers = new InMemoryServerRepository();
  const gateway = new ScriptedAmlGateway({ projects: ['climate-lab', 'ocean-lab'], createSeconds: 300, startSeconds: 120, ...aml });
  const clock = new VirtualClock(START);
  const durations = new InMemoryLaunchDurations();
  const watchList = new InMemoryWatchList();
  const deps = testDependencies({ servers, aml: gateway, clock, durations, watchList, settings: testSettings({ PROVISION_POLL_SECONDS: '3', ...settings }) });
  const watch = new RecordingWatch();
  const onTime = (now: Date) => {
    clock.set(now);
    gateway.setTime(now);
  };
  onTime(START);
  const spawn = async (user: string, project = 'climate-lab') => {
    const id = serverIdFor({ hubId: 'hub', user, project, vmSize: 'Standard_DS3_v2', serverName: '' });
    await servers.create(newServer({ id, hubId: 'hub', user, serverName: '', project, size: 'Medium', vmSize: 'Standard_DS3_v2', userObjectId: null, tenantId: null }, clock.now().toISOString()));
    return id;
  };
  const activities: Record<string, ActivityImplementation> = {
    [ACTIVITIES.provisionStep]: provisionStepActivity(deps),
    [ACTIVITIES.provisionGiveUp]: (input) => giveUpProvisioning(deps, (input as GiveUpInput).serverId, input as GiveUpInput),
    [ACTIVITIES.watchServer]: (input) => enrolForWatch(deps, watch, input as WatchServerInput),
    [ACTIVITIES.watchLook]: (input) => {
      const { project, generation, lastLookAt, listPages } = input as WatchInput;
      return watchWorkspace(deps, watch, { project, generation: generation ?? 0, lastLookAt: lastLookAt ?? null, listPages: listPages ?? null });
    },
  };
  /** One look of a project's watcher, as the orchestration asks for it. */
  const look = (project = 'climate-lab', lastLookAt: string | null = null, listPages: number | null = null) =>
    watchWorkspace(deps, watch, { project, generation: 1, lastLookAt, listPages });
  /** The run of the server enrols, as it does before it waits. */
  const enrol = (id: string) => enrolForWatch(deps, watch, id);
  const lists = () => gateway.calls.filter((call) => call.startsWith('list')).length;
  const gets = () => gateway.calls.filter((call) => call.startsWith('get')).length;
  return { servers, gateway, clock, deps, watch, watchList, onTime, spawn, activities, lists, gets, durations, look, enrol };
}

describe('one look of the workspace watcher', () => {
  it('lists the workspace once and wakes exactly the waiting runs whose instance changed', async () => {
    const ctx = setUp({ createSeconds: 400 });
    const [a, b, c, d, e] = [await ctx.spawn('alice'), await ctx.spawn('bob'), await ctx.spawn('carol'), await ctx.spawn('dave'), await ctx.spawn('fay')];
    const other = await ctx.spawn('erin', 'ocean-lab');
    for (const id of [a, b, c, d, e, other]) await advanceProvisioning(ctx.deps, id); // creates sent: Creating
    ctx.gateway.seed('climate-lab', d, 'Standard_DS3_v2', 'Running'); // d is already up
    ctx.gateway.seed('climate-lab', e, 'Standard_DS3_v2', 'Running'); // so is e, but its run is not waiting (not enrolled)
    ctx.gateway.seed('ocean-lab', other, 'Standard_DS3_v2', 'Running'); // another workspace's watcher wakes that one
    await ctx.servers.update(c, (server) => ({ ...server, state: 'Stopping' })); // c is being stopped
    ctx.onTime(new Date(START.getTime() + 345_000)); // past the quiet part of the expected 6 minutes (95%)
    for (const id of [a, b, c, d, other]) await ctx.enrol(id);
    ctx.gateway.calls.length = 0;

    const look = await ctx.look();

    expect(ctx.gateway.calls).toEqual(['list climate-lab']); // no per-server GET, nothing for ocean-lab
    expect(ctx.watch.wakeups).toHaveLength(2);
    expect(ctx.watch.wakeups).toEqual(expect.arrayContaining([
      expect.objectContaining({ run: 'stop', serverId: c, observed: 'Creating' }),
      expect.objectContaining({ run: 'provision', serverId: d, observed: 'Running', compute: expect.objectContaining({ name: d, state: 'Running' }) }),
    ]));
    expect(look.woken).toEqual([c, d].sort()); // a and b still create (no change), e and other are not this look's
    expect(look).toMatchObject({ inFlight: 4, listed: true, nextLookSeconds: 1 }); // a list of one page: cheap, so again in a second
    // The woken runs left the list (they enrol again if they must wait on); the others wait on.
    expect(ctx.watchList.waiting('climate-lab')).toEqual([a, b].sort());

    // The next look, nothing changed: nobody is woken twice for the same state.
    ctx.watch.wakeups.length = 0;
    const again = await ctx.look();
    expect(again.woken).toEqual([]);
    expect(ctx.watch.wakeups).toEqual([]);
  });

  it('GETs the due instances while they are fewer than the pages of the last list, and lists otherwise', async () => {
    const ctx = setUp({ createSeconds: 400, listPageSize: 2 });
    const ids = [await ctx.spawn('alice'), await ctx.spawn('bob'), await ctx.spawn('carol'), await ctx.spawn('dave'), await ctx.spawn('fay')];
    for (const id of ids) await advanceProvisioning(ctx.deps, id);
    ctx.gateway.seed('climate-lab', ids[0]!, 'Standard_DS3_v2', 'Running');
    ctx.onTime(new Date(START.getTime() + 345_000));
    for (const id of ids) await ctx.enrol(id);
    ctx.gateway.calls.length = 0;

    // Nothing known of a list's cost yet: one list (5 instances in pages of 2 = 3 requests).
    const first = await ctx.look();
    expect(ctx.gateway.calls).toEqual(['list climate-lab']);
    expect(first).toMatchObject({ listed: true, listPages: 3, woken: [ids[0]] });

    // Two due instances cost two GETs, fewer than the list's three pages; the change is seen all the same.
    await ctx.watchList.remove('climate-lab', (await ctx.watchList.read('climate-lab')).entries.find((entry) => entry.serverId === ids[3])!);
    await ctx.watchList.remove('climate-lab', (await ctx.watchList.read('climate-lab')).entries.find((entry) => entry.serverId === ids[4])!);
    ctx.gateway.seed('climate-lab', ids[1]!, 'Standard_DS3_v2', 'Running');
    ctx.gateway.calls.length = 0;
    ctx.watch.wakeups.length = 0;
    const second = await ctx.look('climate-lab', first.lookedAt, first.listPages);
    expect([...ctx.gateway.calls].sort()).toEqual([`get ${ids[1]}`, `get ${ids[2]}`].sort());
    expect(second).toMatchObject({ listed: true, listPages: 3, woken: [ids[1]] });
    expect(ctx.watch.wakeups).toEqual([expect.objectContaining({ serverId: ids[1], observed: 'Running', compute: expect.objectContaining({ state: 'Running' }) })]);

    // As many due instances as the list has pages: the list again.
    for (const id of [ids[1]!, ids[3]!, ids[4]!]) await ctx.enrol(id);
    ctx.gateway.calls.length = 0;
    await ctx.look('climate-lab', second.lookedAt, second.listPages);
    expect(ctx.gateway.calls).toEqual(['list climate-lab']);
  });

  it('looks again sooner after a cheap look than after a costly one, never later than the interval', async () => {
    const look = async (instances: number, pageSize: number) => {
      const ctx = setUp({ createSeconds: 400, listPageSize: pageSize });
      const ids: string[] = [];
      for (let i = 0; i < instances; i++) ids.push(await ctx.spawn(`user${i}`));
      for (const id of ids) await advanceProvisioning(ctx.deps, id); // creates sent: Creating
      ctx.onTime(new Date(START.getTime() + 345_000));
      for (const id of ids) await ctx.enrol(id);
      ctx.gateway.calls.length = 0;
      return ctx.look();
    };
    // Interval 3 s; a look spreads its reads over 10 a second.
    expect(await look(25, 25)).toMatchObject({ listPages: 1, nextLookSeconds: 1 });
    expect(await look(25, 1)).toMatchObject({ listPages: 25, nextLookSeconds: 2.5 });
    expect(await look(60, 1)).toMatchObject({ listPages: 60, nextLookSeconds: 3 });
  });

  it('wakes the runs of each page of the list as it arrives, and the runs whose instance is gone once the list is whole', async () => {
    const woken: number[] = []; // runs woken before each page was read
    const ctx = setUp({ createSeconds: 400, listPageSize: 2, beforeListPage: async () => {
      await new Promise((resolve) => setTimeout(resolve, 0)); // the wakes of the pages read so far go on meanwhile
      woken.push(ctx.watch.wakeups.length);
    } });
    const ids: string[] = [];
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'fay']) ids.push(await ctx.spawn(user));
    for (const id of ids) await advanceProvisioning(ctx.deps, id);
    for (const id of ids.slice(0, 5)) ctx.gateway.seed('climate-lab', id, 'Standard_DS3_v2', 'Running');
    ctx.onTime(new Date(START.getTime() + 345_000));
    for (const id of ids) await ctx.enrol(id);
    await ctx.gateway.deleteCompute({ project: 'climate-lab', name: ids[5]! }); // gone at once: absent from the list

    const look = await ctx.look();

    expect(look).toMatchObject({ listed: true, listPages: 3, woken: [...ids].sort() });
    // Pages of 2: the first page's two runs were woken before the second page was read, and so on.
    expect(woken).toEqual([0, 2, 4]);
    expect(ctx.watch.wakeups.map((wakeup) => [wakeup.serverId, wakeup.observed])).toEqual([
      ...ids.slice(0, 5).map((id) => [id, 'Running']),
      [ids[5], 'absent'], // only a whole list says it is gone
    ]);
    expect(ctx.watchList.waiting('climate-lab')).toEqual([]);
  });

  it('fails the look when a wake fails while the list reads on, after the wakes of the other pages', async () => {
    const ctx = setUp({ createSeconds: 400, listPageSize: 2, beforeListPage: () => new Promise((resolve) => setTimeout(resolve, 0)) });
    const ids: string[] = [];
    for (const user of ['alice', 'bob', 'carol', 'dave']) ids.push(await ctx.spawn(user));
    for (const id of ids) await advanceProvisioning(ctx.deps, id);
    for (const id of ids) ctx.gateway.seed('climate-lab', id, 'Standard_DS3_v2', 'Running');
    ctx.onTime(new Date(START.getTime() + 345_000));
    for (const id of ids) await ctx.enrol(id);
    ctx.watch.onWake = async (wakeup) => {
      if (wakeup.serverId === ids[0]) throw new Error('the event could not be raised');
    };

    await expect(ctx.look()).rejects.toThrow('the event could not be raised');
    // The second page's runs were woken all the same; the failed one waits on for the next look.
    expect(ctx.watchList.waiting('climate-lab')).toEqual([ids[0]]);
  });

  it('reads no server and no learned duration per look: only the watch list, and the list of computes', async () => {
    const ctx = setUp();
    const ids = [await ctx.spawn('alice'), await ctx.spawn('bob')];
    for (const id of ids) await advanceProvisioning(ctx.deps, id);
    for (const id of ids) await ctx.enrol(id);
    const reads = jest.spyOn(ctx.servers, 'get');
    const listActive = jest.spyOn(ctx.servers, 'listActive');
    const durations = jest.spyOn(ctx.durations, 'recent');
    ctx.onTime(new Date(START.getTime() + 200_000));
    await ctx.look();
    ctx.onTime(new Date(START.getTime() + 203_000));
    await ctx.look(undefined, new Date(START.getTime() + 200_000).toISOString());
    expect(reads).not.toHaveBeenCalled();
    expect(listActive).not.toHaveBeenCalled();
    expect(durations).not.toHaveBeenCalled();
  });

  it('makes no ARM call while every launch is in the quiet part of its expected duration, and says when to look', async () => {
    const ctx = setUp();
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    await ctx.enrol(id);
    ctx.gateway.calls.length = 0;
    ctx.onTime(new Date(START.getTime() + 100_000));

    const look = await ctx.look();

    expect(ctx.gateway.calls).toEqual([]);
    expect(look).toMatchObject({ inFlight: 1, listed: false, woken: [] });
    expect(look.nextLookSeconds).toBe(60); // due at 342 s, but at most a minute: the "still creating" line
    ctx.onTime(new Date(START.getTime() + 300_000));
    expect((await ctx.look()).nextLookSeconds).toBe(42); // due in 42 s
  });

  it('learns: with recent creates of 40 s the launch is due after 34 s (two intervals before its end)', async () => {
    const ctx = setUp({ createSeconds: 40 });
    for (const seconds of [38, 40, 44]) await ctx.durations.record({ region: 'westeurope', vmSize: 'Standard_DS3_v2', kind: 'create' }, seconds, START.toISOString());
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    expect(ctx.servers.server(id).progress.at(-1)?.message).toBe('Creating your Medium server — usually about 40 seconds');
    expect(await ctx.enrol(id)).toEqual({ fallbackSeconds: 100 }); // its expected end, then a minute
    ctx.gateway.calls.length = 0;

    ctx.onTime(new Date(START.getTime() + 10_000));
    expect(await ctx.look()).toMatchObject({ listed: false, nextLookSeconds: 24 });
    ctx.onTime(new Date(START.getTime() + 34_000));
    expect(await ctx.look()).toMatchObject({ listed: true, woken: [] }); // still Creating: no change
    ctx.onTime(new Date(START.getTime() + 41_000));
    expect(await ctx.look()).toMatchObject({ listed: true, woken: [id] });
  });

  it('adds one "still creating" line a minute, following the expected duration', async () => {
    const ctx = setUp();
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    await ctx.enrol(id);
    let lastLookAt: string | null = null;
    for (let second = 0; second <= 150; second += 3) {
      ctx.onTime(new Date(START.getTime() + second * 1000));
      lastLookAt = (await ctx.look(undefined, lastLookAt)).lookedAt;
    }
    const lines = ctx.servers.server(id).progress.slice(1);
    expect(lines.map((line) => line.message)).toEqual([
      'Creating your Medium server — usually about 6 minutes',
      'Creating your Medium server — usually about 6 minutes (1 min so far)',
      'Creating your Medium server — usually about 6 minutes (2 min so far)',
    ]);
    expect(lines.map((line) => line.progress)).toEqual([20, 32, 43]);
  });

  it('goes off duty when nothing waits, without an ARM call', async () => {
    const ctx = setUp();
    const id = await ctx.spawn('erin', 'ocean-lab');
    await advanceProvisioning(ctx.deps, id);
    await ctx.enrol(id); // another workspace's run
    const look = await ctx.look();
    expect(look).toMatchObject({ inFlight: 0, listed: false, woken: [], nextLookSeconds: null });
    expect(ctx.gateway.calls.filter((call) => call.startsWith('list'))).toEqual([]);
    expect((await ctx.watchList.record('climate-lab')).onDuty).toBe(false);
  });

  it('steps down when a newer watcher is on duty', async () => {
    const ctx = setUp();
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    await ctx.enrol(id); // claims generation 1
    await ctx.watchList.claim('climate-lab', await ctx.watchList.record('climate-lab')); // generation 2 took over
    ctx.onTime(new Date(START.getTime() + 200_000));
    const look = await watchWorkspace(ctx.deps, ctx.watch, { project: 'climate-lab', generation: 1, lastLookAt: null });
    expect(look).toMatchObject({ listed: false, woken: [], nextLookSeconds: null });
  });

  it('wakes a delete waiting on a create once Azure answered it or its grace ran out, though Azure shows no change', async () => {
    const ctx = setUp();
    const [answered, lost, pending] = [await ctx.spawn('alice'), await ctx.spawn('bob'), await ctx.spawn('carol')];
    // Each create was on its way when the delete landed (no instance yet); carol's was sent a minute later.
    const sentAt = { [answered]: START, [lost]: START, [pending]: new Date(START.getTime() + 60_000) };
    for (const id of [answered, lost, pending]) {
      await ctx.servers.update(id, (server) => ({ ...server, state: 'Deleting', amlState: 'Creating', launchRequestedAt: sentAt[id]!.toISOString() }));
    }
    ctx.onTime(new Date(START.getTime() + 65_000));
    // Each run already saw the instance absent (its first wake), and waits for the create's answer.
    for (const id of [answered, lost, pending]) await enrolForWatch(ctx.deps, ctx.watch, { serverId: id, seen: 'absent' });
    expect(ctx.watchList.entries.get('climate-lab')!.get(lost)).toMatchObject({ run: 'delete', awaitsLaunch: START.toISOString() });

    expect(await ctx.look()).toMatchObject({ listed: true, woken: [] }); // still absent, every create in flight

    // The provisioning step recorded Azure's answer to alice's create (a refusal: still no instance).
    await ctx.servers.update(answered, (server) => ({ ...server, launchRequestedAt: null }));
    ctx.onTime(new Date(START.getTime() + 68_000));
    expect((await ctx.look()).woken).toEqual([answered]);
    expect(ctx.watch.wakeups).toEqual([{ run: 'delete', serverId: answered, observed: 'absent', compute: null }]);

    // Bob's create never got an answer: once its grace (3 minutes) is over it cannot land any more.
    ctx.onTime(new Date(START.getTime() + 179_000));
    expect((await ctx.look()).woken).toEqual([]);
    ctx.onTime(new Date(START.getTime() + 180_000));
    expect((await ctx.look()).woken).toEqual([lost]);
    expect(ctx.watchList.waiting('climate-lab')).toEqual([pending]);

    // A run that enrols after the answer awaits no launch.
    await enrolForWatch(ctx.deps, ctx.watch, { serverId: answered, seen: 'absent' });
    expect(ctx.watchList.entries.get('climate-lab')!.get(answered)!.awaitsLaunch).toBeNull();
  });

  it('records the duration of a launch that reached Running, for the next ones', async () => {
    const ctx = setUp({ createSeconds: 250 });
    const id = await ctx.spawn('alice');
    ctx.onTime(new Date(START.getTime() + 5_000));
    await advanceProvisioning(ctx.deps, id);
    ctx.onTime(new Date(START.getTime() + 260_000));
    await advanceProvisioning(ctx.deps, id);
    expect(ctx.servers.server(id).state).toBe('Running');
    expect(ctx.durations.rows).toEqual([{ key: { region: 'westeurope', vmSize: 'Standard_DS3_v2', kind: 'create' }, seconds: 255, endedAt: new Date(START.getTime() + 260_000).toISOString() }]);
  });
});

describe('one watcher on duty per workspace', () => {
  it('the first waiting run puts a watcher on duty; the next ones find it there', async () => {
    const ctx = setUp();
    const [a, b] = [await ctx.spawn('alice'), await ctx.spawn('bob')];
    for (const id of [a, b]) await advanceProvisioning(ctx.deps, id);
    await ctx.enrol(a);
    await ctx.enrol(b);
    expect(ctx.watch.started).toEqual(['climate-lab#1']);
    expect(await ctx.watchList.record('climate-lab')).toMatchObject({ onDuty: true, generation: 1 });
    // A run that waited in vain makes sure the watcher on duty lives (it may have died).
    await enrolForWatch(ctx.deps, ctx.watch, { serverId: a, lookedAlone: true });
    expect(ctx.watch.ensured).toEqual(['climate-lab#1']);
    expect(ctx.watch.started).toEqual(['climate-lab#1']);
  });

  it('a run that enrols while the watcher decides to end is never left without one, whichever write comes first', async () => {
    // Enrolment lands between the watcher's read and its release: the release fails, the watcher looks again.
    const ctx = setUp();
    const [a, b] = [await ctx.spawn('alice'), await ctx.spawn('bob')];
    for (const id of [a, b]) await advanceProvisioning(ctx.deps, id);
    const read = ctx.watchList.read.bind(ctx.watchList);
    jest.spyOn(ctx.watchList, 'read').mockImplementationOnce(async (project) => {
      const seen = await read(project); // nothing waits yet
      await ctx.enrol(a); // ...but a run enrols now
      return seen;
    });
    await ctx.watchList.claim('climate-lab', await ctx.watchList.record('climate-lab')); // a watcher (generation 1) on duty
    const ending = await ctx.look();
    expect(ending.nextLookSeconds).not.toBeNull(); // it stays on duty
    expect((await ctx.look()).inFlight).toBe(1); // and its next look sees the run
    expect(ctx.watch.started).toEqual([]); // nobody needed to start another

    // Enrolment lands after the release: the run finds the watcher off duty and starts the next one.
    const ended = setUp();
    const id = await ended.spawn('carol');
    await advanceProvisioning(ended.deps, id);
    await ended.watchList.claim('climate-lab', await ended.watchList.record('climate-lab'));
    expect((await ended.look()).nextLookSeconds).toBeNull(); // off duty
    await ended.enrol(id);
    expect(ended.watch.started).toEqual(['climate-lab#2']);
    expect(await ended.watchList.record('climate-lab')).toMatchObject({ onDuty: true, generation: 2 });
  });

  it('of many runs enrolling with the watcher off duty, exactly one starts the next watcher', async () => {
    const ctx = setUp();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await ctx.spawn(`user${i}`));
    for (const id of ids) await advanceProvisioning(ctx.deps, id);
    await Promise.all(ids.map((id) => ctx.enrol(id)));
    expect(ctx.watch.started).toEqual(['climate-lab#1']);
    expect(ctx.watchList.waiting('climate-lab')).toEqual([...ids].sort());
  });
});

/** An instance as the watcher's list shows it once Running. */
function listed(name: string): ComputeInstance {
  return {
    name, state: 'Running', provisioningState: 'Succeeded', vmSize: 'Standard_DS3_v2', jupyterLabUrl: `https://${name}.listed.example/lab`, applications: [],
    errors: [], lastOperation: null, idleTimeBeforeShutdown: 'PT120M', tags: {}, createdAt: START.toISOString(),
  };
}

describe('a run waiting for the watcher (durable-functions replay)', () => {
  it('sleeps until the watcher wakes it, then steps once: no polling in between', async () => {
    const ctx = setUp({ createSeconds: 240 }, { EXPECTED_CREATE_SECONDS: '600' });
    const id = await ctx.spawn('alice');
    const result = await replayOrchestration(provisionServerOrchestrator, {
      name: 'provisionServer', input: { serverId: id, timeoutMinutes: 25 }, start: START, activities: ctx.activities, onTime: ctx.onTime,
      // The watcher sees the instance Running at 240 s and raises the event with the instance as listed.
      raiseEvent: ({ name }) => (name === EVENTS.computeChanged ? { input: { observed: 'Running', compute: listed(id) }, at: new Date(START.getTime() + 241_000) } : null),
    });

    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    expect(result.calls.map((call) => call.name)).toEqual([ACTIVITIES.provisionStep, ACTIVITIES.watchServer, ACTIVITIES.provisionStep]);
    expect(ctx.watch.started).toEqual(['climate-lab#1']);
    expect(result.events).toHaveLength(1);
    expect(result.timers).toEqual([new Date(START.getTime() + 660_000)]); // the fallback (expected end + a minute), never fired
    expect(ctx.gets()).toBe(0); // a new server's create goes out unread, and the wake carried the instance
    expect(ctx.servers.server(id)).toMatchObject({ state: 'Running', url: `https://${id}.listed.example/lab` });
  });

  it('looks by itself when no watcher wakes it, and makes sure a watcher runs again', async () => {
    const ctx = setUp({ createSeconds: 500 }); // slower than the expected 6 minutes
    const id = await ctx.spawn('alice');
    const result = await replayOrchestration(provisionServerOrchestrator, {
      name: 'provisionServer', input: { serverId: id, timeoutMinutes: 25 }, start: START, activities: ctx.activities, onTime: ctx.onTime,
      raiseEvent: () => null, // the watcher is lost
    });

    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    // Expected 6 min: its own look a minute past that, then once a minute.
    expect(result.timers.map((at) => (at.getTime() - START.getTime()) / 1000)).toEqual([420, 480, 540]);
    expect(result.calls.filter((call) => call.name === ACTIVITIES.watchServer).map((call) => call.input)).toEqual([
      { serverId: id }, { serverId: id, lookedAlone: true }, { serverId: id, lookedAlone: true },
    ]);
    expect(ctx.watch.started).toEqual(['climate-lab#1']);
    expect(ctx.watch.ensured).toEqual(['climate-lab#1', 'climate-lab#1']);
  });
});

describe('the watcher orchestration (durable-functions replay)', () => {
  it('follows five creates with one list per look, wakes each run only on its changes, and ends when all run', async () => {
    const ctx = setUp({ createSeconds: 360 }); // as long as expected
    const ids = [];
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) ids.push(await ctx.spawn(user));
    for (const id of ids) await advanceProvisioning(ctx.deps, id);
    for (const id of ids) await ctx.enrol(id);
    ctx.gateway.calls.length = 0;
    ctx.watch.onWake = async (wakeup) => {
      // The woken run steps with what the watcher saw, and enrols again if it must wait on.
      const step = await advanceProvisioning(ctx.deps, wakeup.serverId, wakeup.compute ?? undefined);
      if (step.outcome === 'wait') await enrolForWatch(ctx.deps, ctx.watch, { serverId: wakeup.serverId, seen: wakeup.observed });
    };

    // Generation after generation (continueAsNew), as the extension runs them.
    let input: unknown = { project: 'climate-lab', generation: 1, lastLookAt: null } satisfies WatchInput;
    const looks: unknown[] = [];
    let generations = 0;
    for (;;) {
      const result = await replayOrchestration(watchWorkspaceOrchestrator, {
        name: 'watchWorkspace', input, start: ctx.clock.now(), activities: ctx.activities, onTime: ctx.onTime,
      });
      generations++;
      looks.push(...result.calls.filter((call) => call.name === ACTIVITIES.watchLook));
      if (result.status !== 'ContinuedAsNew') {
        expect(result.status).toBe('Completed');
        expect(result.output).toBe('idle');
        break;
      }
      input = result.continuedAsNew;
    }
    expect(generations).toBe(1);
    for (const id of ids) {
      expect(ctx.servers.server(id).state).toBe('Running');
      expect(ctx.watch.wakeups.filter((wakeup) => wakeup.serverId === id).map((wakeup) => wakeup.observed)).toEqual(['Running']);
    }
    // Quiet until 95% of the expected 6 minutes (342 s), then one list a second (a list of one page
    // is cheap) until Running at 360 s.
    expect(ctx.lists()).toBe(19);
    expect(ctx.gets()).toBe(0); // the wakes carry the listed instance: no per-server GET at all
    expect(looks.length).toBe(ctx.lists() + 7); // + the quiet looks (0, 60, … 300 s) and the last one, off duty
    expect((await ctx.watchList.record('climate-lab')).onDuty).toBe(false);
  });

  it('continues as new after a generation of looks, carrying its generation, its last look and what a list costs', async () => {
    const ctx = setUp({ createHangs: true }, { PROVISION_POLL_SECONDS: '3', EXPECTED_CREATE_SECONDS: '2' });
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    await ctx.enrol(id);
    const result = await replayOrchestration(watchWorkspaceOrchestrator, {
      name: 'watchWorkspace', input: { project: 'climate-lab', generation: 1, lastLookAt: null } satisfies WatchInput, start: START, activities: ctx.activities, onTime: ctx.onTime,
    });
    expect(result.status).toBe('ContinuedAsNew');
    const lookedAt = (result.calls.at(-1)!.at).toISOString();
    expect(result.continuedAsNew).toEqual({ project: 'climate-lab', generation: 1, lastLookAt: lookedAt, listPages: 1 });
    expect(result.calls.filter((call) => call.name === ACTIVITIES.watchLook)).toHaveLength(LOOKS_PER_GENERATION);
    expect(ctx.watch.wakeups).toHaveLength(0); // Creating throughout: nothing to wake
  });

  it('stays on duty through a look that failed past its retries', async () => {
    // The run waits five minutes for a wake (expected 10): its entry outlives the failing looks.
    const ctx = setUp({ createSeconds: 30 }, { EXPECTED_CREATE_SECONDS: '600' });
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    await ctx.enrol(id);
    ctx.watch.onWake = async (wakeup) => {
      await advanceProvisioning(ctx.deps, wakeup.serverId, wakeup.compute ?? undefined);
    };
    let failures = 0;
    const activities = {
      ...ctx.activities,
      [ACTIVITIES.watchLook]: async (input: unknown, now: Date) => {
        if (failures < 6) { // one look exhausts its retries (about two minutes)
          failures++;
          throw new Error('Table Storage is unavailable');
        }
        return ctx.activities[ACTIVITIES.watchLook]!(input, now);
      },
    };
    const result = await replayOrchestration(watchWorkspaceOrchestrator, {
      name: 'watchWorkspace', input: { project: 'climate-lab', generation: 1, lastLookAt: null } satisfies WatchInput, start: START, activities, onTime: ctx.onTime,
    });
    expect(result.calls.filter((call) => call.failed)).toHaveLength(6);
    expect(result.status).toBe('Completed');
    expect(ctx.servers.server(id).state).toBe('Running');
    expect(ctx.watch.wakeups.map((wakeup) => wakeup.observed)).toEqual(['Running']);
  });
});
