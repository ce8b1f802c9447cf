/**
 * The workspace watcher (issue 12): one compute list per look for all in-flight servers of a
 * project, waking exactly the runs whose instance changed; the runs wait for that wake or a long
 * fallback; the watcher ends when nothing is in flight and continues as new on long watches.
 */
import {
  ACTIVITIES, EVENTS, provisionStepInput, type GiveUpInput, type ProvisionStepInput, type WatchInput,
} from '../../shared/adapters/durable/orchestration-names';
import type { ComputeInstance } from '../../shared/domain/ports';
import { serverIdFor } from '../../shared/domain/naming';
import { newServer } from '../../shared/domain/server-changes';
import { provisionServerOrchestrator } from '../../shared/orchestrations/provision-server';
import { LOOKS_PER_GENERATION, watchWorkspaceOrchestrator } from '../../shared/orchestrations/watch-workspace';
import { advanceProvisioning, giveUpProvisioning } from '../../shared/use-cases/advance-provisioning';
import {
  enrolForWatch, watchWorkspace, type RunWaker, type WatchLook, type Wakeup, type WatchStarter,
} from '../../shared/use-cases/watch-workspace';
import { InMemoryLaunchDurations } from '../support/in-memory-launch-durations';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { replayOrchestration, type ActivityImplementation } from '../support/orchestration-replay';
import { ScriptedAmlGateway, type ScriptedAmlOptions } from '../support/scripted-aml-gateway';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const START = new Date('2026-11-26T09:00:00Z');

class RecordingWatch implements RunWaker, WatchStarter {
  readonly wakeups: Wakeup[] = [];
  readonly started: string[] = [];
  onWake: (wakeup: Wakeup) => Promise<void> = async () => undefined;
  async wake(wakeup: Wakeup): Promise<void> {
    this.wakeups.push(wakeup);
    await this.onWake(wakeup);
  }
  async ensureWatching(project: string): Promise<void> {
    this.started.push(project);
  }
}

function setUp(aml: ScriptedAmlOptions = {}, settings: Record<string, string> = {}) {
  const servers = new InMemoryServerRepository();
  const gateway = new ScriptedAmlGateway({ projects: ['climate-lab', 'ocean-lab'], createSeconds: 300, startSeconds: 120, ...aml });
  const clock = new VirtualClock(START);
  const durations = new InMemoryLaunchDurations();
  const deps = testDependencies({ servers, aml: gateway, clock, durations, settings: testSettings({ PROVISION_POLL_SECONDS: '3', ...settings }) });
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
    [ACTIVITIES.provisionStep]: (input) => {
      const { serverId, observed } = provisionStepInput(input as ProvisionStepInput<ComputeInstance>);
      return advanceProvisioning(deps, serverId, observed);
    },
    [ACTIVITIES.provisionGiveUp]: (input) => giveUpProvisioning(deps, (input as GiveUpInput).serverId, input as GiveUpInput),
    [ACTIVITIES.watchServer]: (input) => enrolForWatch(deps, watch, input as string),
    [ACTIVITIES.watchLook]: (input) => watchWorkspace(deps, watch, (input as WatchInput).project, (input as WatchInput).seen),
  };
  const lists = () => gateway.calls.filter((call) => call.startsWith('list')).length;
  const gets = () => gateway.calls.filter((call) => call.startsWith('get')).length;
  return { servers, gateway, clock, deps, watch, onTime, spawn, activities, lists, gets, durations };
}

describe('one look of the workspace watcher', () => {
  it('lists the workspace once and wakes exactly the runs whose instance changed', async () => {
    const ctx = setUp();
    const [a, b, c, d] = [await ctx.spawn('alice'), await ctx.spawn('bob'), await ctx.spawn('carol'), await ctx.spawn('dave')];
    const other = await ctx.spawn('erin', 'ocean-lab');
    for (const id of [a, b, c, d, other]) await advanceProvisioning(ctx.deps, id); // creates sent: Creating, amlState null
    await ctx.servers.update(b, (server) => ({ ...server, amlState: 'Creating' })); // b's run already saw Creating
    ctx.gateway.seed('climate-lab', d, 'Standard_DS3_v2', 'Running'); // d is already up
    await ctx.servers.update(c, (server) => ({ ...server, state: 'Stopping' })); // c is being stopped
    ctx.gateway.calls.length = 0;
    ctx.onTime(new Date(START.getTime() + 200_000)); // past the quiet part of the expected 6 minutes

    const look = await watchWorkspace(ctx.deps, ctx.watch, 'climate-lab', {});

    expect(ctx.gateway.calls).toEqual(['list climate-lab']); // no per-server GET, nothing for ocean-lab
    expect(ctx.watch.wakeups).toEqual(expect.arrayContaining([
      expect.objectContaining({ run: 'provision', serverId: a, observed: 'Creating', compute: expect.objectContaining({ name: a, state: 'Creating' }) }),
      expect.objectContaining({ run: 'stop', serverId: c, observed: 'Creating' }),
      expect.objectContaining({ run: 'provision', serverId: d, observed: 'Running', compute: expect.objectContaining({ name: d, state: 'Running' }) }),
    ]));
    expect(look.woken).toEqual([a, c, d].sort());
    expect(ctx.watch.wakeups.map((wakeup) => wakeup.serverId)).not.toContain(b);
    expect(ctx.watch.wakeups.map((wakeup) => wakeup.serverId)).not.toContain(other);
    expect(look).toMatchObject({ inFlight: 4, listed: true, nextLookSeconds: 3 });

    // The next look, nothing changed: nobody is woken twice for the same state.
    ctx.watch.wakeups.length = 0;
    const again = await watchWorkspace(ctx.deps, ctx.watch, 'climate-lab', look.seen);
    expect(again.woken).toEqual([]);
    expect(ctx.watch.wakeups).toEqual([]);
  });

  it('makes no ARM call while every launch is in the quiet part of its expected duration, and says when to look', async () => {
    const ctx = setUp();
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    ctx.gateway.calls.length = 0;
    ctx.onTime(new Date(START.getTime() + 100_000));

    const look = await watchWorkspace(ctx.deps, ctx.watch, 'climate-lab', {});

    expect(ctx.gateway.calls).toEqual([]);
    expect(look).toMatchObject({ inFlight: 1, listed: false, woken: [] });
    expect(look.nextLookSeconds).toBe(60); // at most a minute: the "still creating" line
  });

  it('learns: with recent creates of 40 s the launch is due after 20 s', async () => {
    const ctx = setUp({ createSeconds: 40 });
    for (const seconds of [38, 40, 44]) await ctx.durations.record({ region: 'westeurope', vmSize: 'Standard_DS3_v2', kind: 'create' }, seconds, START.toISOString());
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    expect(ctx.servers.server(id).progress.at(-1)?.message).toBe('Creating your Medium server — usually about 40 seconds');
    ctx.gateway.calls.length = 0;

    ctx.onTime(new Date(START.getTime() + 10_000));
    expect(await watchWorkspace(ctx.deps, ctx.watch, 'climate-lab', {})).toMatchObject({ listed: false, nextLookSeconds: 10 });
    ctx.onTime(new Date(START.getTime() + 21_000));
    expect(await watchWorkspace(ctx.deps, ctx.watch, 'climate-lab', {})).toMatchObject({ listed: true, woken: [id] });
  });

  it('adds at most one "still creating" line a minute, following the expected duration', async () => {
    const ctx = setUp();
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    for (let second = 0; second <= 150; second += 3) {
      ctx.onTime(new Date(START.getTime() + second * 1000));
      await watchWorkspace(ctx.deps, ctx.watch, 'climate-lab', {});
    }
    const lines = ctx.servers.server(id).progress.slice(1);
    expect(lines.map((line) => line.message)).toEqual([
      'Creating your Medium server — usually about 6 minutes',
      'Creating your Medium server — usually about 6 minutes (1 min so far)',
      'Creating your Medium server — usually about 6 minutes (2 min so far)',
    ]);
    expect(lines.map((line) => line.progress)).toEqual([20, 32, 43]);
  });

  it('ends the watch when nothing of the project is in flight, without an ARM call', async () => {
    const ctx = setUp();
    await ctx.spawn('erin', 'ocean-lab');
    const look = await watchWorkspace(ctx.deps, ctx.watch, 'climate-lab', {});
    expect(look).toEqual({ inFlight: 0, listed: false, woken: [], seen: {}, nextLookSeconds: null });
    expect(ctx.gateway.calls).toEqual([]);
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
    expect(ctx.watch.started).toEqual(['climate-lab']);
    expect(result.events).toHaveLength(1);
    expect(result.timers).toEqual([new Date(START.getTime() + 300_000)]); // the fallback, never fired
    expect(ctx.gets()).toBe(1); // the first look only: the wake carried the instance
    expect(ctx.servers.server(id)).toMatchObject({ state: 'Running', url: `https://${id}.listed.example/lab` });
  });

  it('looks by itself when no watcher wakes it, and makes sure a watcher runs again', async () => {
    const ctx = setUp({ createSeconds: 240 });
    const id = await ctx.spawn('alice');
    const result = await replayOrchestration(provisionServerOrchestrator, {
      name: 'provisionServer', input: { serverId: id, timeoutMinutes: 25 }, start: START, activities: ctx.activities, onTime: ctx.onTime,
      raiseEvent: () => null, // the watcher is lost
    });

    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    expect(result.timers.map((at) => (at.getTime() - START.getTime()) / 1000)).toEqual([180, 360]); // expected 6 min: look after 3 min
    expect(ctx.watch.started).toEqual(['climate-lab', 'climate-lab']);
  });
});

describe('the watcher orchestration (durable-functions replay)', () => {
  it('follows five creates with one list per look, wakes each run only on its changes, and ends when all run', async () => {
    const ctx = setUp({ createSeconds: 300 });
    const ids = [];
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) ids.push(await ctx.spawn(user));
    for (const id of ids) await advanceProvisioning(ctx.deps, id);
    ctx.gateway.calls.length = 0;
    ctx.watch.onWake = async (wakeup) => {
      await advanceProvisioning(ctx.deps, wakeup.serverId, wakeup.compute ?? undefined); // the woken run steps, with what the watcher saw
    };

    // Generation after generation (continueAsNew), as the extension runs them.
    let input: unknown = { project: 'climate-lab', seen: {} } satisfies WatchInput;
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
    expect(generations).toBe(2);
    for (const id of ids) {
      expect(ctx.servers.server(id).state).toBe('Running');
      expect(ctx.watch.wakeups.filter((wakeup) => wakeup.serverId === id).map((wakeup) => wakeup.observed)).toEqual(['Creating', 'Running']);
    }
    // Quiet until half of the expected 6 minutes, then one list per 3 s until Running at 300 s.
    expect(ctx.lists()).toBeLessThanOrEqual(Math.ceil((300 - 180) / 3) + 2);
    expect(ctx.gets()).toBe(0); // the wakes carry the listed instance: no per-server GET at all
    expect(looks.length).toBe(ctx.lists() + 4); // + the quiet looks (0, 60, 120 s) and the last, idle one
  });

  it('continues as new after a generation of looks, carrying what it saw', async () => {
    const ctx = setUp({ createHangs: true }, { PROVISION_POLL_SECONDS: '3', EXPECTED_CREATE_SECONDS: '2' });
    const id = await ctx.spawn('alice');
    await advanceProvisioning(ctx.deps, id);
    const result = await replayOrchestration(watchWorkspaceOrchestrator, {
      name: 'watchWorkspace', input: { project: 'climate-lab', seen: {} } satisfies WatchInput, start: START, activities: ctx.activities, onTime: ctx.onTime,
    });
    expect(result.status).toBe('ContinuedAsNew');
    expect(result.continuedAsNew).toEqual({ project: 'climate-lab', seen: { [id]: 'Creating' } });
    expect(result.calls.filter((call) => call.name === ACTIVITIES.watchLook)).toHaveLength(LOOKS_PER_GENERATION);
    expect(ctx.watch.wakeups).toHaveLength(1);
  });
});
