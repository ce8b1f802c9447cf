import { AppError } from '../../shared/domain/errors';
import { newServer } from '../../shared/domain/server-changes';
import { serverIdFor } from '../../shared/domain/naming';
import { ACTIVITIES, type GiveUpInput } from '../../shared/adapters/durable/orchestration-names';
import { provisionServerOrchestrator } from '../../shared/orchestrations/provision-server';
import { windDownOrchestrator } from '../../shared/orchestrations/wind-down-server';
import { giveUpProvisioning } from '../../shared/use-cases/advance-provisioning';
import { advanceStop, giveUpWindDown } from '../../shared/use-cases/advance-wind-down';
import { stopServer } from '../../shared/use-cases/stop-server';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { provisionStepActivity } from '../support/provision-step-activity';
import { replayOrchestration, type ActivityImplementation } from '../support/orchestration-replay';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway, type ScriptedAmlOptions } from '../support/scripted-aml-gateway';
import { respawnedServer } from '../support/server-builder';
import { testDependencies, VirtualClock } from '../support/test-dependencies';

const START = new Date('2026-11-26T09:00:00Z');
const POLL_SECONDS = 10;
const TIMEOUT_MINUTES = 25;

function setUp(aml: ScriptedAmlOptions = {}) {
  const servers = new InMemoryServerRepository();
  const gateway = new ScriptedAmlGateway(aml);
  const clock = new VirtualClock(START);
  const deps = testDependencies({ servers, aml: gateway, clock });
  const id = serverIdFor({ hubId: 'hub', user: 'alice', project: 'climate-lab', vmSize: 'Standard_DS3_v2', serverName: '' });
  const activities: Record<string, ActivityImplementation> = {
    // No watcher here: every wait ends on the run's fallback timer, one poll interval long.
    [ACTIVITIES.watchServer]: async () => ({ fallbackSeconds: POLL_SECONDS }),
    [ACTIVITIES.provisionStep]: provisionStepActivity(deps),
    [ACTIVITIES.provisionGiveUp]: (input) => {
      const { serverId, code, message } = input as GiveUpInput;
      return giveUpProvisioning(deps, serverId, { code, message });
    },
    [ACTIVITIES.stopStep]: (input) => advanceStop(deps, input as string),
    [ACTIVITIES.windDownGiveUp]: async (input) => {
      const { serverId, code, message } = input as GiveUpInput;
      await giveUpWindDown(deps, serverId, { code, message });
    },
  };
  const onTime = (now: Date) => {
    clock.set(now);
    gateway.setTime(now);
  };
  const provision = (extra: Partial<typeof activities> = {}) =>
    replayOrchestration(provisionServerOrchestrator, {
      name: 'provisionServer',
      input: { serverId: id, pollSeconds: POLL_SECONDS, timeoutMinutes: TIMEOUT_MINUTES },
      start: clock.now(),
      activities: { ...activities, ...extra } as Record<string, ActivityImplementation>,
      onTime,
    });
  return { servers, gateway, clock, deps, id, activities, onTime, provision };
}

/** A new server (no instance yet), or — with `amlState` — one spawned again whose instance an earlier run left. */
async function seedRequested(ctx: ReturnType<typeof setUp>, amlState?: string) {
  const input = {
    id: ctx.id, hubId: 'hub', user: 'alice', serverName: '', project: 'climate-lab', size: 'Medium', vmSize: 'Standard_DS3_v2',
    userObjectId: null, tenantId: null,
  } as const;
  await ctx.servers.create(amlState ? respawnedServer(input, amlState, START.toISOString()) : newServer(input, START.toISOString()));
}

describe('provisionServer orchestration (durable-functions replay)', () => {
  it('creates an instance from nothing and polls with durable timers until Running', async () => {
    const ctx = setUp({ createSeconds: 60 });
    await seedRequested(ctx);
    const result = await ctx.provision();

    expect(result.status).toBe('Completed');
    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    expect(ctx.gateway.calls.filter((call) => call.startsWith('create'))).toEqual([`create ${ctx.id}`]);
    expect(result.timers.length).toBe(6);
    result.timers.forEach((fireAt, index) => expect(fireAt.getTime() - START.getTime()).toBe((index + 1) * POLL_SECONDS * 1000));
    const server = ctx.servers.server(ctx.id);
    expect(server.state).toBe('Running');
    expect(server.amlState).toBe('Running');
    expect(server.url).toBe(`https://${ctx.id}.westeurope.instances.azureml.ms/lab`);
    expect(server.startedAt).toBe(new Date(START.getTime() + 60_000).toISOString());
    // One line per real change (the intent, Azure creating, Running), none per poll; no id or SKU in them.
    expect(server.progress.map((event) => event.message)).toEqual([
      'Spawn requested: your Medium server',
      'Creating your Medium server — usually about 6 minutes',
      'Creating your Medium server — usually about 6 minutes (under a minute so far)',
      'Your Medium server is running',
    ]);
    expect(server.progress.at(-1)?.progress).toBe(100);
    const percents = server.progress.map((event) => event.progress);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });

  it('starts a stopped instance instead of creating one', async () => {
    const ctx = setUp({ startSeconds: 30 });
    await seedRequested(ctx, 'Stopped');
    ctx.gateway.seed('climate-lab', ctx.id, 'Standard_DS3_v2', 'Stopped');
    const result = await ctx.provision();

    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    expect(ctx.gateway.calls).toContain(`start ${ctx.id}`);
    expect(ctx.gateway.calls.some((call) => call.startsWith('create'))).toBe(false);
    expect(ctx.servers.server(ctx.id).progress.map((e) => e.message)).toContain('Starting your Medium server — usually about 3 minutes');
  });

  it('finishes at once when the instance is already running', async () => {
    const ctx = setUp();
    await seedRequested(ctx, 'Stopped');
    ctx.gateway.seed('climate-lab', ctx.id, 'Standard_DS3_v2', 'Running');
    const result = await ctx.provision();

    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    expect(result.timers).toHaveLength(0);
    expect(ctx.gateway.calls).toEqual([`get ${ctx.id}`]);
  });

  it.each([
    ['CreateFailed', 'Allocation failed. We do not have sufficient capacity for the requested VM size in this region.'],
    ['SetupFailed', 'Compute instance setup script failed with exit code 1: conda: command not found'],
  ] as const)('reports %s with Azure\'s message', async (state, message) => {
    const ctx = setUp({ createSeconds: 40, createOutcome: { state, code: 'ComputeInstanceError', message } });
    await seedRequested(ctx);
    const result = await ctx.provision();

    expect(result.output).toEqual({ outcome: 'failed', state: 'Failed' });
    const server = ctx.servers.server(ctx.id);
    expect(server.state).toBe('Failed');
    expect(server.amlState).toBe(state);
    expect(server.error).toEqual({ code: 'ComputeInstanceError', message });
    expect(server.progress.at(-1)?.message).toBe(`Failed: ${message}`);
  });

  it('records a quota refusal of the create as the failure, without retrying it', async () => {
    const message = 'Operation could not be completed as it results in exceeding approved standardDSv2Family Cores quota.';
    const ctx = setUp({ createRejection: new AppError('quota-exceeded', message) });
    await seedRequested(ctx);
    const result = await ctx.provision();

    expect(result.output).toEqual({ outcome: 'failed', state: 'Failed' });
    expect(ctx.servers.server(ctx.id).error).toEqual({ code: 'quota-exceeded', message });
    expect(ctx.gateway.calls.filter((call) => call.startsWith('create'))).toHaveLength(1);
  });

  it('gives up at the deadline and says so', async () => {
    const ctx = setUp({ createHangs: true });
    await seedRequested(ctx);
    const result = await ctx.provision();

    expect(result.status).toBe('Completed');
    expect(result.output).toEqual({ outcome: 'failed', state: 'Failed' });
    expect(result.end.getTime() - START.getTime()).toBe(TIMEOUT_MINUTES * 60_000);
    expect(ctx.servers.server(ctx.id).error).toEqual({
      code: 'provision-timeout',
      message: `The compute instance did not reach Running within ${TIMEOUT_MINUTES} minutes.`,
    });
  });

  it('retries a step that failed for a transient reason', async () => {
    const ctx = setUp({ createSeconds: 20 });
    await seedRequested(ctx);
    let failures = 1;
    const flaky: ActivityImplementation = async (input, now) => {
      if (failures-- > 0) throw new AppError('throttled', 'Too many requests');
      return ctx.activities[ACTIVITIES.provisionStep](input, now);
    };
    const result = await ctx.provision({ [ACTIVITIES.provisionStep]: flaky });

    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    expect(result.calls.filter((call) => call.failed)).toHaveLength(1);
  });

  it('marks the server failed when Azure keeps failing past the retries', async () => {
    const ctx = setUp();
    await seedRequested(ctx);
    const broken: ActivityImplementation = async () => {
      throw new AppError('azure-error', 'InternalServerError: the service is unavailable');
    };
    const result = await ctx.provision({ [ACTIVITIES.provisionStep]: broken });

    expect(result.status).toBe('Completed');
    expect(result.calls.filter((call) => call.name === ACTIVITIES.provisionStep)).toHaveLength(6);
    const server = ctx.servers.server(ctx.id);
    expect(server.state).toBe('Failed');
    expect(server.error?.code).toBe('provision-error');
    // People read a plain sentence with a reference; Azure's words go to the log (issue 10).
    expect(server.error?.message).toMatch(/^Something went wrong; try again in a few minutes, or give an administrator the reference \(reference [0-9a-f]{10}\)\.$/);
  });

  it('is cancelled by a stop mid-create, and the stop deletes the instance being created, never letting it run', async () => {
    const ctx = setUp({ createSeconds: 60, deleteSeconds: 20 });
    await seedRequested(ctx);
    const control = new RecordingOrchestrationControl();
    let steps = 0;
    const stepThenStop: ActivityImplementation = async (input, now) => {
      if (++steps === 3) await stopServer(ctx.deps, control, ctx.id, 'user');
      return ctx.activities[ACTIVITIES.provisionStep](input, now);
    };
    const provisioning = await ctx.provision({ [ACTIVITIES.provisionStep]: stepThenStop });

    expect(provisioning.output).toEqual({ outcome: 'cancelled', state: 'Stopping' });
    expect(control.requests).toEqual([`cancel ${ctx.id}`, `stop ${ctx.id}`]);
    expect(ctx.servers.server(ctx.id).state).toBe('Stopping');

    // The hub sees Stopped only once the instance is gone.
    const seen: { state: string; instance: string | null }[] = [];
    const watchedStop: ActivityImplementation = async (input, now) => {
      const outcome = await ctx.activities[ACTIVITIES.stopStep](input, now);
      seen.push({ state: ctx.servers.server(ctx.id).state, instance: ctx.gateway.stateOfInstance(ctx.id) });
      return outcome;
    };
    const stopping = await replayOrchestration(windDownOrchestrator('stop'), {
      name: 'stopServer',
      input: { serverId: ctx.id, pollSeconds: POLL_SECONDS, timeoutMinutes: 30 },
      start: ctx.clock.now(),
      activities: { ...ctx.activities, [ACTIVITIES.stopStep]: watchedStop },
      onTime: ctx.onTime,
    });
    expect(stopping.output).toBe('done');
    expect(ctx.gateway.calls).toContain(`delete ${ctx.id}`);
    expect(ctx.gateway.calls).not.toContain(`stop ${ctx.id}`);
    expect(ctx.gateway.stateOfInstance(ctx.id)).toBeNull();
    expect(seen.filter((look) => look.instance !== null).map((look) => look.state)).toEqual(expect.arrayContaining(['Stopping']));
    expect(seen.filter((look) => look.state === 'Stopped').every((look) => look.instance === null)).toBe(true);
    const server = ctx.servers.server(ctx.id);
    expect(server).toMatchObject({ state: 'Stopped', stopReason: 'user', url: null, amlState: null });
    expect(server.progress.map((event) => event.message)).toContain(`Cancelling the create: deleting compute instance ${ctx.id}`);
    expect(server.progress.some((event) => event.message.endsWith('is running'))).toBe(false);
  });
});
