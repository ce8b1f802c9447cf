/**
 * The lifecycle under races and earlier failures (issues 9.2, 9.4, 10.1): the provisioning and
 * wind-down steps against a scripted Azure on a virtual clock, with the competing request injected
 * at the exact point the race needs, and whole runs through durable-functions' own replay.
 */
import { ACTIVITIES, type GiveUpInput } from '../../shared/adapters/durable/orchestration-names';
import { AppError } from '../../shared/domain/errors';
import { LAUNCH_IN_FLIGHT_GRACE_MS } from '../../shared/domain/lifecycle';
import { serverIdFor } from '../../shared/domain/naming';
import type { AmlGateway, ComputeLocator, CreateComputeRequest } from '../../shared/domain/ports';
import { newServer } from '../../shared/domain/server-changes';
import { provisionServerOrchestrator } from '../../shared/orchestrations/provision-server';
import { windDownOrchestrator, type WindDownKind } from '../../shared/orchestrations/wind-down-server';
import { advanceProvisioning, giveUpProvisioning, REPLACING_FAILED_MESSAGE } from '../../shared/use-cases/advance-provisioning';
import { advanceDelete, advanceStop, giveUpWindDown, stopActionFor, type StopAction } from '../../shared/use-cases/advance-wind-down';
import { deleteServer } from '../../shared/use-cases/delete-server';
import { spawnServer } from '../../shared/use-cases/spawn-server';
import { stopServer } from '../../shared/use-cases/stop-server';
import { InMemoryWritePacer } from '../support/in-memory-pacing';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { replayOrchestration, type ActivityImplementation } from '../support/orchestration-replay';
import { provisionStepActivity } from '../support/provision-step-activity';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway, type ScriptedAmlOptions } from '../support/scripted-aml-gateway';
import { respawnedServer } from '../support/server-builder';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const START = new Date('2026-11-26T09:00:00Z');
const POLL_SECONDS = 10;

/** Lets a test act at a precise point of a gateway call (before it reaches "Azure"), or before a launch takes its turn to write. */
type Hooks = { beforeGet?: () => Promise<void>; beforeTurn?: () => Promise<void>; beforeCreate?: () => Promise<void>; beforeStart?: () => Promise<void> };

function hooked(gateway: ScriptedAmlGateway, hooks: Hooks): AmlGateway {
  return Object.assign(Object.create(gateway) as ScriptedAmlGateway, {
    async getCompute(at: ComputeLocator) {
      const result = await gateway.getCompute(at);
      const hook = hooks.beforeGet;
      hooks.beforeGet = undefined; // once
      await hook?.();
      return result;
    },
    async createCompute(request: CreateComputeRequest) {
      const hook = hooks.beforeCreate;
      hooks.beforeCreate = undefined;
      await hook?.();
      return gateway.createCompute(request);
    },
    async startCompute(at: ComputeLocator) {
      const hook = hooks.beforeStart;
      hooks.beforeStart = undefined;
      await hook?.();
      return gateway.startCompute(at);
    },
  });
}

function setUp(options: ScriptedAmlOptions = {}) {
  const servers = new InMemoryServerRepository();
  const gateway = new ScriptedAmlGateway({ createSeconds: 60, startSeconds: 30, stopSeconds: 20, deleteSeconds: 15, ...options });
  const hooks: Hooks = {};
  const clock = new VirtualClock(START);
  const writePacer = new InMemoryWritePacer(testSettings().armWrites);
  const pass = writePacer.pass.bind(writePacer);
  writePacer.pass = async (...args) => {
    const hook = hooks.beforeTurn;
    hooks.beforeTurn = undefined;
    await hook?.();
    return pass(...args);
  };
  const deps = testDependencies({ servers, aml: hooked(gateway, hooks), clock, writePacer });
  const control = new RecordingOrchestrationControl();
  const id = serverIdFor({ hubId: 'hub', user: 'alice', project: 'climate-lab', vmSize: 'Standard_DS3_v2', serverName: '' });
  const activities: Record<string, ActivityImplementation> = {
    // No watcher here: every wait ends on the run's fallback timer, one poll interval long.
    [ACTIVITIES.watchServer]: async () => ({ fallbackSeconds: POLL_SECONDS }),
    [ACTIVITIES.provisionStep]: provisionStepActivity(deps),
    [ACTIVITIES.provisionGiveUp]: (input) => giveUpProvisioning(deps, (input as GiveUpInput).serverId, input as GiveUpInput),
    [ACTIVITIES.stopStep]: (input) => advanceStop(deps, input as string),
    [ACTIVITIES.deleteStep]: (input) => advanceDelete(deps, input as string),
    [ACTIVITIES.windDownGiveUp]: (input) => giveUpWindDown(deps, (input as GiveUpInput).serverId, input as GiveUpInput),
  };
  const onTime = (now: Date) => {
    clock.set(now);
    gateway.setTime(now);
  };
  onTime(START);
  const provision = () => replayOrchestration(provisionServerOrchestrator, {
    name: 'provisionServer', input: { serverId: id, pollSeconds: POLL_SECONDS, timeoutMinutes: 25 }, start: clock.now(), activities, onTime,
  });
  const windDown = (kind: WindDownKind) => replayOrchestration(windDownOrchestrator(kind), {
    name: kind === 'stop' ? 'stopServer' : 'deleteServer',
    input: { serverId: id, pollSeconds: POLL_SECONDS, timeoutMinutes: 30 }, start: clock.now(), activities, onTime,
  });
  /** A new server, or — with `amlState` — one spawned again whose instance an earlier run left. */
  const seedRequested = (amlState?: string) => {
    const input = { id, hubId: 'hub', user: 'alice', serverName: '', project: 'climate-lab', size: 'Medium', vmSize: 'Standard_DS3_v2', userObjectId: null, tenantId: null } as const;
    return servers.create(amlState ? respawnedServer(input, amlState, clock.now().toISOString()) : newServer(input, clock.now().toISOString()));
  };
  const creates = () => gateway.calls.filter((call) => call.startsWith('create')).length;
  return { servers, gateway, hooks, clock, deps, control, id, provision, windDown, seedRequested, creates, onTime };
}

describe('a spawn of a server whose instance failed earlier (9.2)', () => {
  it.each(['CreateFailed', 'SetupFailed', 'UserSetupFailed', 'Unusable'] as const)('deletes the %s instance, creates it anew and runs', async (failed) => {
    const ctx = setUp();
    ctx.gateway.seed('climate-lab', ctx.id, 'Standard_DS3_v2', failed);
    await ctx.seedRequested(failed);
    const result = await ctx.provision();

    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    expect(ctx.gateway.calls.filter((call) => !call.startsWith('get'))).toEqual([`delete ${ctx.id}`, `create ${ctx.id}`]);
    const server = ctx.servers.server(ctx.id);
    expect(server).toMatchObject({ state: 'Running', error: null, amlState: 'Running' });
    expect(server.progress.map((event) => event.message)).toContain(REPLACING_FAILED_MESSAGE);
  });

  it('still replaces it when a later look reads the old failure again (Azure dates the failed operation before this spawn)', async () => {
    const ctx = setUp();
    await ctx.seedRequested();
    await ctx.servers.update(ctx.id, (server) => ({ ...server, state: 'Creating' })); // a look already made, e.g. the delete sent
    const deletes: string[] = [];
    const aml = Object.assign(Object.create(ctx.deps.aml) as AmlGateway, {
      getCompute: async () => ({
        name: ctx.id, state: 'CreateFailed' as const, provisioningState: 'Failed', vmSize: 'Standard_DS3_v2', jupyterLabUrl: null,
        errors: [{ code: 'AllocationFailed', message: 'old failure' }],
        lastOperation: { operationName: 'Create', operationStatus: 'CreateFailed', operationTime: new Date(START.getTime() - 86_400_000).toISOString() },
      }),
      deleteCompute: async (at: ComputeLocator) => {
        deletes.push(at.name);
      },
    });
    const step = await advanceProvisioning({ ...ctx.deps, aml }, ctx.id);

    expect(step).toEqual({ outcome: 'wait', state: 'Creating' });
    expect(deletes).toEqual([ctx.id]);
    expect(ctx.servers.server(ctx.id).error).toBeNull();
  });

  it('reports a failure of the instance it created itself, without a second create', async () => {
    const message = 'Allocation failed. We do not have sufficient capacity for the requested VM size in this region.';
    const ctx = setUp({ createOutcome: { state: 'CreateFailed', code: 'AllocationFailed', message } });
    await ctx.seedRequested();
    const result = await ctx.provision();

    expect(result.output).toEqual({ outcome: 'failed', state: 'Failed' });
    expect(ctx.creates()).toBe(1);
    expect(ctx.gateway.calls.some((call) => call.startsWith('delete'))).toBe(false);
    expect(ctx.servers.server(ctx.id).error).toEqual({ code: 'AllocationFailed', message });
  });
});

describe('stop while provisioning (9.4)', () => {
  it('while Starting waits for Running (Azure refuses a stop while Starting), then stops; Stopped only once stopped', async () => {
    const ctx = setUp();
    ctx.gateway.seed('climate-lab', ctx.id, 'Standard_DS3_v2', 'Stopped');
    await ctx.seedRequested('Stopped');
    await advanceProvisioning(ctx.deps, ctx.id);
    expect(ctx.gateway.stateOfInstance(ctx.id)).toBe('Starting');
    await stopServer(ctx.deps, ctx.control, ctx.id, 'user');

    const result = await ctx.windDown('stop');
    expect(result.output).toBe('done');
    expect(ctx.gateway.stateOfInstance(ctx.id)).toBe('Stopped');
    expect(ctx.gateway.calls.filter((call) => call.startsWith('stop') || call.startsWith('delete'))).toEqual([`stop ${ctx.id}`]);
    expect(ctx.servers.server(ctx.id)).toMatchObject({ state: 'Stopped', amlState: 'Stopped' });
  });

  it('that lands between the step reading Stopped and its start POST waits for the start to land, then stops it', async () => {
    const ctx = setUp();
    ctx.gateway.seed('climate-lab', ctx.id, 'Standard_DS3_v2', 'Stopped');
    await ctx.seedRequested('Stopped');
    ctx.hooks.beforeStart = async () => {
      await stopServer(ctx.deps, ctx.control, ctx.id, 'user');
      // The stop run's first look, while the start is still on its way: "Stopped" is not final yet.
      expect(await advanceStop(ctx.deps, ctx.id)).toBe('wait');
    };
    await advanceProvisioning(ctx.deps, ctx.id);
    expect(ctx.servers.server(ctx.id).launchRequestedAt).toBeNull(); // the start was answered

    expect((await ctx.windDown('stop')).output).toBe('done');
    expect(ctx.gateway.stateOfInstance(ctx.id)).toBe('Stopped');
    expect(ctx.servers.server(ctx.id).state).toBe('Stopped');
  });

  it('a cancel that lands before the spawn request was answered still leaves nothing behind', async () => {
    const ctx = setUp();
    // The spawn has stored its server and is about to start the run when the stop arrives.
    const control = Object.assign(new RecordingOrchestrationControl(), {
      ensureProvisioning: async () => {
        await stopServer(ctx.deps, ctx.control, ctx.id, 'user');
      },
    });
    const spawned = await spawnServer(ctx.deps, control, {
      user: 'alice', project: 'climate-lab', size: 'Medium', serverName: '', userObjectId: 'a11ce000-0000-4000-8000-000000000001', tenantId: null,
    });
    expect(spawned.server.id).toBe(ctx.id);

    expect((await ctx.provision()).output).toEqual({ outcome: 'cancelled', state: 'Stopping' });
    expect((await ctx.windDown('stop')).output).toBe('done');
    expect(ctx.creates()).toBe(0);
    expect(ctx.servers.server(ctx.id)).toMatchObject({ state: 'Stopped', amlState: null });
  });

  it.each([
    ['running', false, 'stop'], ['creating', false, 'delete'], ['creating', true, 'delete'],
    ['starting', false, 'wait'], ['stopping', false, 'wait'], ['deleting', false, 'wait'], ['unknown', false, 'wait'],
    ['stopped', false, 'finish'], ['stopped', true, 'wait'], ['absent', false, 'finish'], ['absent', true, 'wait'],
    ['failed', false, 'finish'],
  ] as const)('a stop step finding the instance %s (launch in flight: %s) decides %s', (phase, inFlight, action: StopAction) => {
    expect(stopActionFor(phase, inFlight)).toBe(action);
  });
});

describe('a new server whose id names an instance that outlived an earlier server', () => {
  it('sends its create unread, and starts the stopped instance Azure answered with', async () => {
    const ctx = setUp();
    ctx.gateway.seed('climate-lab', ctx.id, 'Standard_DS3_v2', 'Stopped', { idleTimeBeforeShutdown: 'PT120M' });
    await ctx.seedRequested();
    const result = await ctx.provision();

    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    const calls = ctx.gateway.calls.filter((call) => !call.startsWith('get'));
    expect(calls).toEqual([`create ${ctx.id}`, `start ${ctx.id}`]);
    expect(ctx.gateway.calls[0]).toBe(`create ${ctx.id}`); // nothing read before it
    expect(ctx.servers.server(ctx.id)).toMatchObject({ state: 'Running', error: null });
  });

  it('is not failed when Azure refuses the create because the old instance is still being deleted', async () => {
    const ctx = setUp({ deleteSeconds: 15 });
    ctx.gateway.seed('climate-lab', ctx.id, 'Standard_DS3_v2', 'Running');
    await ctx.gateway.deleteCompute({ project: 'climate-lab', name: ctx.id });
    await ctx.seedRequested();
    ctx.gateway.calls.length = 0;
    const result = await ctx.provision();

    expect(result.output).toEqual({ outcome: 'running', state: 'Running' });
    // Refused while Deleting, looked at, then created anew once the old one was gone.
    expect(ctx.gateway.calls.filter((call) => call.startsWith('create'))).toEqual([`create ${ctx.id}`, `create ${ctx.id}`]);
    expect(ctx.servers.server(ctx.id)).toMatchObject({ state: 'Running', error: null });
  });

  it('is failed when Azure refuses the create and there is no instance after all', async () => {
    const ctx = setUp({ createRejection: new AppError('quota-exceeded', 'The subscription has no quota for Standard_DS3_v2 in westeurope.') });
    await ctx.seedRequested();
    const result = await ctx.provision();

    expect(result.output).toEqual({ outcome: 'failed', state: 'Failed' });
    expect(ctx.servers.server(ctx.id).error).toEqual({ code: 'quota-exceeded', message: 'The subscription has no quota for Standard_DS3_v2 in westeurope.' });
    expect(ctx.gateway.calls).toEqual([`create ${ctx.id}`, `get ${ctx.id}`]); // one look, to tell a refusal from an instance
  });
});

describe('a delete or stop racing the create (10.1)', () => {
  it.each(['delete', 'stop'] as const)('a %s between the step reading Requested and its intent write: no create is sent', async (kind) => {
    const ctx = setUp();
    await ctx.seedRequested();
    ctx.hooks.beforeTurn = async () => {
      if (kind === 'delete') await deleteServer(ctx.deps, ctx.control, ctx.id);
      else await stopServer(ctx.deps, ctx.control, ctx.id, 'user');
    };
    expect((await advanceProvisioning(ctx.deps, ctx.id)).outcome).toBe('cancelled');
    expect(ctx.creates()).toBe(0);
    expect((await ctx.windDown(kind)).output).toBe('done');
    expect(ctx.servers.server(ctx.id).state).toBe(kind === 'delete' ? 'Deleted' : 'Stopped');
    expect(ctx.gateway.stateOfInstance(ctx.id)).toBeNull();
  });

  it.each(['delete', 'stop'] as const)('a %s while the create PUT is on its way: the run looks again and removes the instance', async (kind) => {
    const ctx = setUp();
    await ctx.seedRequested();
    ctx.hooks.beforeCreate = async () => {
      if (kind === 'delete') await deleteServer(ctx.deps, ctx.control, ctx.id);
      else await stopServer(ctx.deps, ctx.control, ctx.id, 'user');
      // The wind-down run's first look finds no instance yet; it must not conclude.
      expect(await (kind === 'delete' ? advanceDelete : advanceStop)(ctx.deps, ctx.id)).toBe('wait');
    };
    await advanceProvisioning(ctx.deps, ctx.id);
    expect(ctx.creates()).toBe(1);
    expect(ctx.gateway.stateOfInstance(ctx.id)).toBe('Creating');

    expect((await ctx.windDown(kind)).output).toBe('done');
    expect(ctx.gateway.stateOfInstance(ctx.id)).toBeNull();
    expect(ctx.servers.server(ctx.id)).toMatchObject({ state: kind === 'delete' ? 'Deleted' : 'Stopped', amlState: null });
  });

  it.each([
    ['the step died while sending it', new Error('host killed while sending the create')],
    ['a gateway timed out waiting for Azure', new AppError('azure-error', 'GatewayTimeout', { mayStillTakeEffect: true })],
  ])('a delete whose create never shows up (%s) concludes once the grace has passed', async (_why, failure) => {
    const ctx = setUp();
    await ctx.seedRequested();
    ctx.hooks.beforeCreate = async () => {
      throw failure;
    };
    await expect(advanceProvisioning(ctx.deps, ctx.id)).rejects.toThrow(failure.message);
    expect(ctx.servers.server(ctx.id).launchRequestedAt).not.toBeNull();
    // No answer came: nothing to tell the person yet (the create may still land).
    expect(ctx.servers.server(ctx.id).progress.some((line) => line.message.startsWith('Azure answered'))).toBe(false);
    await deleteServer(ctx.deps, ctx.control, ctx.id);

    const result = await ctx.windDown('delete');
    expect(result.output).toBe('done');
    expect(result.end.getTime() - START.getTime()).toBeGreaterThanOrEqual(LAUNCH_IN_FLIGHT_GRACE_MS);
    expect(ctx.servers.server(ctx.id).state).toBe('Deleted');
  });

  it.each(['delete', 'stop'] as const)('a %s after Azure answered the create with an error concludes at once, without the grace', async (kind) => {
    const ctx = setUp();
    await ctx.seedRequested();
    ctx.hooks.beforeCreate = async () => {
      throw new AppError('azure-error', 'Encountered internal server error.'); // the answer after the SDK's own retries
    };
    await expect(advanceProvisioning(ctx.deps, ctx.id)).rejects.toThrow('internal server error');
    expect(ctx.servers.server(ctx.id)).toMatchObject({ state: 'Creating', launchRequestedAt: null });
    // Recorded with the answer, in the same write: the person reads why it takes longer.
    expect(ctx.servers.server(ctx.id).progress.at(-1)?.message).toBe('Azure answered the create with an error: Encountered internal server error. Trying again.');
    if (kind === 'delete') await deleteServer(ctx.deps, ctx.control, ctx.id);
    else await stopServer(ctx.deps, ctx.control, ctx.id, 'user');

    const result = await ctx.windDown(kind);
    expect(result.output).toBe('done');
    expect(result.end.getTime() - START.getTime()).toBeLessThan(POLL_SECONDS * 1000); // the first look concludes
    expect(ctx.servers.server(ctx.id).state).toBe(kind === 'delete' ? 'Deleted' : 'Stopped');
    expect(ctx.gateway.stateOfInstance(ctx.id)).toBeNull();
  });

  it('a provisioning run whose create Azure answered with an error sends it again and runs', async () => {
    const ctx = setUp();
    await ctx.seedRequested();
    ctx.hooks.beforeCreate = async () => {
      throw new AppError('throttled', 'The request is being throttled.');
    };
    expect((await ctx.provision()).output).toEqual({ outcome: 'running', state: 'Running' });
    expect(ctx.creates()).toBe(1); // the refused one never reached the scripted Azure
    expect(ctx.servers.server(ctx.id)).toMatchObject({ state: 'Running', launchRequestedAt: null });
    const lines = ctx.servers.server(ctx.id).progress.map((line) => line.message);
    const retried = lines.indexOf('Azure answered the create with an error: The request is being throttled. Trying again.');
    expect(retried).toBeGreaterThan(0);
    expect(lines.slice(retried + 1).some((line) => line.startsWith('Creating your '))).toBe(true); // sent again, and said so
  });

  it('after every interleaving of a delete with the provisioning steps, a Deleted server has no instance', async () => {
    for (let deleteAt = 0; deleteAt < 8; deleteAt++) {
      const ctx = setUp();
      await ctx.seedRequested();
      const hookPoints: (keyof Hooks)[] = ['beforeGet', 'beforeCreate'];
      const sendDelete = async () => {
        await deleteServer(ctx.deps, ctx.control, ctx.id);
      };
      if (deleteAt < hookPoints.length) ctx.hooks[hookPoints[deleteAt]] = sendDelete;
      // Provisioning steps, a poll apart; the delete comes at a hook or before step number deleteAt.
      for (let step = hookPoints.length; step < 8; step++) {
        if (step === deleteAt) await sendDelete();
        const outcome = await advanceProvisioning(ctx.deps, ctx.id);
        if (outcome.outcome !== 'wait') break;
        ctx.onTime(new Date(ctx.clock.now().getTime() + POLL_SECONDS * 1000));
      }
      if (ctx.servers.server(ctx.id).state !== 'Deleting') await sendDelete();
      expect((await ctx.windDown('delete')).output).toBe('done');
      expect(ctx.servers.server(ctx.id).state).toBe('Deleted');
      expect(ctx.gateway.stateOfInstance(ctx.id)).toBeNull();
    }
  });
});
