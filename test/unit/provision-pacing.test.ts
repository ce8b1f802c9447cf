/**
 * Creates and starts wait for their turn in the shared ARM write schedule: the step answers
 * `paced` with `retryAt`, the orchestration waits on a durable timer until then, and only then is
 * the create sent. Nothing is sent, nor refused by ARM, while a server waits.
 */
import { ACTIVITIES, type GiveUpInput } from '../../shared/adapters/durable/orchestration-names';
import { serverIdFor } from '../../shared/domain/naming';
import { newServer } from '../../shared/domain/server-changes';
import { provisionServerOrchestrator } from '../../shared/orchestrations/provision-server';
import { advanceProvisioning, giveUpProvisioning } from '../../shared/use-cases/advance-provisioning';
import { InMemoryWritePacer } from '../support/in-memory-pacing';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { replayOrchestration, type ActivityImplementation } from '../support/orchestration-replay';
import { provisionStepActivity } from '../support/provision-step-activity';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { respawnedServer } from '../support/server-builder';
import { testDependencies, VirtualClock } from '../support/test-dependencies';

const START = new Date('2026-11-26T09:00:00Z');
const POLL_SECONDS = 10;

function setUp() {
  const servers = new InMemoryServerRepository();
  const gateway = new ScriptedAmlGateway({ createSeconds: 30 });
  const clock = new VirtualClock(START);
  gateway.setTime(START);
  // One write at once, then one every 20 s: the second create of a burst waits 20 s.
  const writePacer = new InMemoryWritePacer({ burst: 1, perSecond: 0.05 });
  const deps = testDependencies({ servers, aml: gateway, clock, writePacer });
  const id = (serverName: string) => serverIdFor({ hubId: 'hub', user: 'alice', project: 'climate-lab', vmSize: 'Standard_DS3_v2', serverName });
  const seed = (serverName: string) => servers.create(newServer({
    id: id(serverName), hubId: 'hub', user: 'alice', serverName, project: 'climate-lab', size: 'Medium', vmSize: 'Standard_DS3_v2',
    userObjectId: null, tenantId: null,
  }, START.toISOString()));
  const activities: Record<string, ActivityImplementation> = {
    // No watcher here: every wait ends on the run's fallback timer, one poll interval long.
    [ACTIVITIES.watchServer]: async () => ({ fallbackSeconds: POLL_SECONDS }),
    [ACTIVITIES.provisionStep]: provisionStepActivity(deps),
    [ACTIVITIES.provisionGiveUp]: (input) => {
      const { serverId, code, message } = input as GiveUpInput;
      return giveUpProvisioning(deps, serverId, { code, message });
    },
  };
  const provision = (serverId: string) => replayOrchestration(provisionServerOrchestrator, {
    name: 'provisionServer',
    input: { serverId, timeoutMinutes: 25 },
    start: clock.now(),
    activities,
    onTime: (now) => {
      clock.set(now);
      gateway.setTime(now);
    },
  });
  return { servers, gateway, clock, deps, id, seed, provision };
}

describe('a create paced by the ARM write schedule', () => {
  it('answers paced with its turn and its place in the queue, sending nothing', async () => {
    const ctx = setUp();
    await ctx.seed('first');
    await ctx.seed('second');
    expect(await advanceProvisioning(ctx.deps, ctx.id('first'))).toMatchObject({ outcome: 'wait', state: 'Creating' });
    const step = await advanceProvisioning(ctx.deps, ctx.id('second'));
    expect(step).toEqual({ outcome: 'paced', state: 'Requested', retryAt: new Date(START.getTime() + 20_000).toISOString(), observed: null });
    expect(ctx.gateway.calls.filter((call) => call.startsWith('create'))).toEqual([`create ${ctx.id('first')}`]);
    const server = ctx.servers.server(ctx.id('second'));
    expect(server.launchRequestedAt).toBeNull();
    expect(server.progress.at(-1)?.message).toBe(`Create of compute instance ${ctx.id('second')} queued behind Azure's write limit: 1 ahead of you`);
  });

  it('does not look at Azure again while its turn has not come', async () => {
    const ctx = setUp();
    await ctx.seed('first');
    await ctx.seed('second');
    await advanceProvisioning(ctx.deps, ctx.id('first'));
    await advanceProvisioning(ctx.deps, ctx.id('second'));
    const before = ctx.gateway.calls.length;
    ctx.clock.advanceSeconds(5);
    expect(await advanceProvisioning(ctx.deps, ctx.id('second'))).toMatchObject({ outcome: 'paced' });
    expect(ctx.gateway.calls.length).toBe(before);
  });

  it('waits on a durable timer until its turn, then sends the create and runs to Running', async () => {
    const ctx = setUp();
    await ctx.seed('first');
    await ctx.seed('second');
    await advanceProvisioning(ctx.deps, ctx.id('first')); // takes the one write of the burst
    const result = await ctx.provision(ctx.id('second'));
    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    expect(result.timers[0]?.toISOString()).toBe(new Date(START.getTime() + 20_000).toISOString());
    const created = ctx.gateway.createRequests.map((request) => request.name);
    expect(created).toEqual([ctx.id('first'), ctx.id('second')]);
    // The second create went out at its turn, not before.
    expect(ctx.servers.server(ctx.id('second')).startedAt).toBe(new Date(START.getTime() + 20_000 + 30_000).toISOString());
    // A new server has no instance: nothing was read from Azure before its create, paced or not.
    const beforeCreate = ctx.gateway.calls.slice(0, ctx.gateway.calls.indexOf(`create ${ctx.id('second')}`));
    expect(beforeCreate.filter((call) => call === `get ${ctx.id('second')}`)).toEqual([]);
  });

  it('starts a stopped instance at its turn with the look the paced step took: one read in all', async () => {
    const ctx = setUp();
    await ctx.seed('first');
    await ctx.servers.create(respawnedServer({
      id: ctx.id('second'), hubId: 'hub', user: 'alice', serverName: 'second', project: 'climate-lab', size: 'Medium', vmSize: 'Standard_DS3_v2',
      userObjectId: null, tenantId: null,
    }, 'Stopped', START.toISOString()));
    ctx.gateway.seed('climate-lab', ctx.id('second'), 'Standard_DS3_v2', 'Stopped', { idleTimeBeforeShutdown: 'PT120M' });
    await advanceProvisioning(ctx.deps, ctx.id('first')); // takes the one write of the burst

    const result = await ctx.provision(ctx.id('second'));
    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    expect(result.timers[0]?.toISOString()).toBe(new Date(START.getTime() + 20_000).toISOString()); // it was paced
    const second = ctx.gateway.calls.filter((call) => call.endsWith(ctx.id('second')));
    expect(second.slice(0, second.indexOf(`start ${ctx.id('second')}`))).toEqual([`get ${ctx.id('second')}`]);
  });

  it('does not trust a look that found no instance once the server left Requested', async () => {
    const ctx = setUp();
    await ctx.seed('first');
    expect(await advanceProvisioning(ctx.deps, ctx.id('first'))).toMatchObject({ outcome: 'wait', state: 'Creating' });
    const gets = () => ctx.gateway.calls.filter((call) => call === `get ${ctx.id('first')}`).length;
    const before = gets();
    // A stale "no instance" (e.g. a retried activity) must not send a second create.
    expect(await advanceProvisioning(ctx.deps, ctx.id('first'), null)).toMatchObject({ outcome: 'wait', state: 'Creating' });
    expect(gets()).toBe(before + 1);
    expect(ctx.gateway.calls.filter((call) => call.startsWith('create'))).toEqual([`create ${ctx.id('first')}`]);
  });
});
