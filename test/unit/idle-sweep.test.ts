import { AppError } from '../../shared/domain/errors';
import type { AmlComputeState, ComputeLastOperation } from '../../shared/domain/ports';
import type { Server } from '../../shared/domain/server';
import { sweepIdleServers } from '../../shared/use-cases/idle-sweep';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway, type ScriptedAmlOptions, type SeedDetails } from '../support/scripted-aml-gateway';
import { buildServer, nextServerId } from '../support/server-builder';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const NOW = new Date('2026-11-26T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const hoursAgo = (hours: number) => minutesAgo(hours * 60);

const operation = (operationName: string, operationTrigger: ComputeLastOperation['operationTrigger'], at: string): ComputeLastOperation => ({
  operationName, operationStatus: 'Succeeded', operationTime: at, operationTrigger,
});

async function setUp(options: ScriptedAmlOptions = {}, settingsOverrides: Record<string, string> = {}) {
  const servers = new InMemoryServerRepository();
  const aml = new ScriptedAmlGateway(options);
  aml.setTime(NOW);
  const settings = testSettings({ IDLE_STOP_MINUTES_MEDIUM: '60', MAX_RUNTIME_HOURS: '8', HUB_ID: 'hub-a', ORPHAN_DELETE_AFTER_HOURS: '72', ...settingsOverrides });
  const deps = testDependencies({ servers, aml, settings, clock: new VirtualClock(NOW) });
  const control = new RecordingOrchestrationControl();
  /** A stored server and (unless amlState is null) its instance in Azure. */
  const stored = async (overrides: Partial<Server>, amlState: AmlComputeState | null, details: SeedDetails = {}) => {
    const server = buildServer({ state: 'Running', amlState: 'Running', url: 'https://x/lab', startedAt: minutesAgo(30), ...overrides });
    await servers.create(server);
    if (amlState) aml.seed(server.project, server.id, server.vmSize, amlState, { tags: { 'aml-jupyterhub-hub': 'hub-a' }, ...details });
    return server.id;
  };
  return { servers, aml, deps, control, stored };
}

describe('idle sweep', () => {
  it('never stops a server for hub inactivity, only past the max runtime', async () => {
    const { servers, deps, control, stored } = await setUp();
    const quietHub = await stored({ size: 'Medium', startedAt: minutesAgo(180), lastActivityAt: minutesAgo(170) }, 'Running');
    const neverReported = await stored({ size: 'GPU', startedAt: minutesAgo(120), lastActivityAt: null }, 'Running');
    const marathon = await stored({ size: 'Medium', startedAt: minutesAgo(8 * 60 + 1), lastActivityAt: minutesAgo(1) }, 'Running');

    const report = await sweepIdleServers(deps, control);

    expect(report.stopped).toEqual([{ id: marathon, reason: 'max-runtime' }]);
    expect(servers.server(marathon)).toMatchObject({ state: 'Stopping', stopReason: 'max-runtime' });
    expect(servers.server(quietHub).state).toBe('Running');
    expect(servers.server(neverReported).state).toBe('Running');
    expect(control.requests.filter((request) => request.startsWith('stop'))).toEqual([`stop ${marathon}`]);
  });

  it("records Azure ML's idle shutdown as idle and any other stop outside as external, from the instance's lastOperation", async () => {
    const { servers, aml, deps, control, stored } = await setUp();
    const idle = await stored({}, 'Stopped', { lastOperation: operation('Stop', 'IdleShutdown', minutesAgo(2)), idleTimeBeforeShutdown: 'PT60M' });
    const inStudio = await stored({}, 'Stopped', { lastOperation: operation('Stop', 'User', minutesAgo(2)), idleTimeBeforeShutdown: 'PT60M' });
    const bySchedule = await stored({}, 'Stopped', { lastOperation: operation('Stop', 'Schedule', minutesAgo(2)) });
    const deleted = await stored({}, null);
    const healthy = await stored({}, 'Running', { lastOperation: operation('Start', 'User', minutesAgo(30)) });

    const report = await sweepIdleServers(deps, control);

    expect(report.reconciled).toEqual(expect.arrayContaining([
      { id: idle, from: 'Running', to: 'Stopped', reason: 'idle' },
      { id: inStudio, from: 'Running', to: 'Stopped', reason: 'external' },
      { id: bySchedule, from: 'Running', to: 'Stopped', reason: 'external' },
      { id: deleted, from: 'Running', to: 'Deleted', reason: 'external' },
    ]));
    expect(report.reconciled).toHaveLength(4);
    const idleServer = servers.server(idle);
    expect(idleServer).toMatchObject({ state: 'Stopped', stopReason: 'idle', url: null, amlState: 'Stopped', stoppedAt: NOW.toISOString() });
    expect(idleServer.progress.at(-1)?.message).toBe('Stopped by Azure ML after 60 minutes without activity');
    expect(servers.server(inStudio)).toMatchObject({ state: 'Stopped', stopReason: 'external' });
    expect(servers.server(deleted)).toMatchObject({ state: 'Deleted', stopReason: 'external' });
    expect(servers.server(healthy).state).toBe('Running');
    expect(report.stopped).toEqual([]);
    // One list per workspace, no GET per server, and nothing sent to Azure.
    expect(aml.calls).toEqual(['list climate-lab']);
  });

  it('adopts an instance a person or a schedule started after the server stopped', async () => {
    const { servers, aml, deps, control, stored } = await setUp();
    const studio = await stored(
      { state: 'Stopped', amlState: 'Stopped', url: null, stopReason: 'idle', stoppedAt: minutesAgo(30) },
      'Running', { lastOperation: operation('Start', 'User', minutesAgo(10)) },
    );
    const schedule = await stored(
      { state: 'Stopped', amlState: 'Stopped', url: null, stopReason: 'user', stoppedAt: minutesAgo(30) },
      'Running', { lastOperation: operation('Start', 'Schedule', minutesAgo(5)) },
    );

    const report = await sweepIdleServers(deps, control);

    expect(report.adopted.sort()).toEqual([studio, schedule].sort());
    expect(report.orphansStopped).toEqual([]);
    const adopted = servers.server(studio);
    expect(adopted).toMatchObject({
      state: 'Running', amlState: 'Running', stopReason: null, startedAt: minutesAgo(10),
      url: `https://${studio}.westeurope.instances.azureml.ms/lab`,
    });
    expect(adopted.progress.at(-1)?.message).toBe('Started outside JupyterHub (Azure ML studio or schedule)');
    expect(servers.server(schedule)).toMatchObject({ state: 'Running', startedAt: minutesAgo(5) });
    expect(aml.calls.filter((call) => call.startsWith('stop'))).toEqual([]);
  });

  it('stops an instance that runs only because a stop lost a race (no start after the server stopped)', async () => {
    const { servers, aml, deps, control, stored } = await setUp();
    // The product's own start came before the stop was recorded: the stop lost the race.
    const lostRace = await stored(
      { state: 'Stopped', amlState: 'Stopped', url: null, stopReason: 'user', stoppedAt: minutesAgo(3) },
      'Running', { lastOperation: operation('Start', 'User', minutesAgo(4)) },
    );
    const afterCreate = await stored(
      { state: 'Stopped', amlState: 'Stopped', url: null, stopReason: 'user', stoppedAt: minutesAgo(3) },
      'Running', { lastOperation: operation('Create', 'User', minutesAgo(1)) },
    );

    const report = await sweepIdleServers(deps, control);

    expect(report.orphansStopped.sort()).toEqual([lostRace, afterCreate].sort());
    expect(report.adopted).toEqual([]);
    expect(aml.calls).toEqual(expect.arrayContaining([`stop ${lostRace}`, `stop ${afterCreate}`]));
    expect(servers.server(lostRace)).toMatchObject({ state: 'Stopped', stopReason: 'user' });
  });

  it('deletes, not just stops, an instance whose server is recorded Deleted (a create that landed after the delete)', async () => {
    const { servers, aml, deps, control, stored } = await setUp();
    const lateCreate = await stored(
      { state: 'Deleted', amlState: null, url: null, stoppedAt: minutesAgo(5) },
      'Running', { lastOperation: operation('Create', 'User', minutesAgo(1)) },
    );

    const report = await sweepIdleServers(deps, control);

    expect(report.orphansDeleted).toEqual([lateCreate]);
    expect(report.orphansStopped).toEqual([]);
    expect(aml.calls).toContain(`delete ${lateCreate}`);
    expect(aml.calls).not.toContain(`stop ${lateCreate}`);
    expect(servers.server(lateCreate).state).toBe('Deleted');
  });

  it("records the idle shutdown after a class session's end as the schedule's stop, but not one in a later run", async () => {
    const { servers, deps, control, stored } = await setUp();
    const idleStop = { lastOperation: operation('Stop', 'IdleShutdown', minutesAgo(2)), idleTimeBeforeShutdown: 'PT15M' };
    const afterSession = await stored({ startedAt: minutesAgo(90), sessionEndedAt: minutesAgo(20) }, 'Stopped', idleStop);
    const restartedSince = await stored({ startedAt: minutesAgo(30), sessionEndedAt: minutesAgo(60 * 24) }, 'Stopped', idleStop);

    const report = await sweepIdleServers(deps, control);

    expect(report.reconciled).toEqual(expect.arrayContaining([
      { id: afterSession, from: 'Running', to: 'Stopped', reason: 'schedule' },
      { id: restartedSince, from: 'Running', to: 'Stopped', reason: 'idle' },
    ]));
    expect(servers.server(afterSession)).toMatchObject({ state: 'Stopped', stopReason: 'schedule' });
    expect(servers.server(afterSession).progress.at(-1)?.message).toBe('Stopped by Azure ML after 15 minutes without activity, once its class session had ended');
    expect(servers.server(restartedSince).stopReason).toBe('idle');
  });

  it('sweeps each project on its own: one whose list fails does not switch off the others', async () => {
    const forbidden = new AppError('azure-error', "The client does not have authorization to perform action 'computes/read' over scope 'ocean-lab'.");
    const { servers, deps, control, stored } = await setUp({ projects: ['climate-lab', 'ocean-lab', 'sea-lab'], listFailures: { 'ocean-lab': forbidden } });
    const idleHere = await stored({ project: 'climate-lab' }, 'Stopped', { lastOperation: operation('Stop', 'IdleShutdown', minutesAgo(1)), idleTimeBeforeShutdown: 'PT60M' });
    const adoptedThere = await stored(
      { project: 'sea-lab', state: 'Stopped', amlState: 'Stopped', url: null, stoppedAt: minutesAgo(30) },
      'Running', { lastOperation: operation('Start', 'User', minutesAgo(10)) },
    );
    const marathonInFailing = await stored({ project: 'ocean-lab', startedAt: hoursAgo(9) }, 'Running');
    const marathonHere = await stored({ project: 'sea-lab', startedAt: hoursAgo(9) }, 'Running');

    const report = await sweepIdleServers(deps, control);

    expect(report.failedProjects).toEqual([{ project: 'ocean-lab', code: 'azure-error', message: forbidden.message }]);
    expect(servers.server(idleHere)).toMatchObject({ state: 'Stopped', stopReason: 'idle' });
    expect(servers.server(adoptedThere).state).toBe('Running');
    expect(report.stopped).toEqual(expect.arrayContaining([
      { id: marathonInFailing, reason: 'max-runtime' }, { id: marathonHere, reason: 'max-runtime' },
    ]));
    expect(report.stopped).toHaveLength(2);
  });

  it("stops this hub's instances that have no stored server and deletes them after the grace period; other hubs' are never touched", async () => {
    const { aml, deps, control } = await setUp();
    const ours = { tags: { 'aml-jupyterhub-hub': 'hub-a' } };
    const runningOrphan = nextServerId();
    const longStopped = nextServerId();
    const recentlyStopped = nextServerId();
    const neverStarted = nextServerId();
    const otherHub = nextServerId();
    const untagged = nextServerId();
    aml.seed('climate-lab', runningOrphan, 'Standard_DS3_v2', 'Running', { ...ours, lastOperation: operation('Start', 'User', hoursAgo(100)) });
    aml.seed('climate-lab', longStopped, 'Standard_DS3_v2', 'Stopped', { ...ours, lastOperation: operation('Stop', 'User', hoursAgo(73)) });
    aml.seed('climate-lab', recentlyStopped, 'Standard_DS3_v2', 'Stopped', { ...ours, lastOperation: operation('Stop', 'IdleShutdown', hoursAgo(71)) });
    aml.seed('climate-lab', neverStarted, 'Standard_DS3_v2', 'CreateFailed', { ...ours, createdAt: hoursAgo(80) });
    aml.seed('climate-lab', otherHub, 'Standard_DS3_v2', 'Running', { tags: { 'aml-jupyterhub-hub': 'hub-b' } });
    aml.seed('climate-lab', untagged, 'Standard_DS3_v2', 'Running');
    aml.seed('climate-lab', 'ci-someone-elses-box', 'Standard_DS3_v2', 'Running', ours);

    const report = await sweepIdleServers(deps, control);

    expect(report.unknownInstances.stopped).toEqual([runningOrphan]);
    expect(report.unknownInstances.deleted.sort()).toEqual([longStopped, neverStarted].sort());
    expect(aml.stateOfInstance(runningOrphan)).toBe('Stopping');
    expect(aml.stateOfInstance(longStopped)).toBeNull();
    expect(aml.stateOfInstance(recentlyStopped)).toBe('Stopped');
    expect(aml.stateOfInstance(otherHub)).toBe('Running');
    expect(aml.stateOfInstance(untagged)).toBe('Running');
    expect(aml.stateOfInstance('ci-someone-elses-box')).toBe('Running');
    const writes = aml.calls.filter((call) => !call.startsWith('list'));
    expect(writes.sort()).toEqual([`delete ${longStopped}`, `delete ${neverStarted}`, `stop ${runningOrphan}`].sort());
  });

  it('reports an instance Azure refuses to act on and carries on with the rest', async () => {
    const { aml, deps, control } = await setUp();
    const busy = nextServerId();
    const orphan = nextServerId();
    aml.seed('climate-lab', busy, 'Standard_DS3_v2', 'Running', { tags: { 'aml-jupyterhub-hub': 'hub-a' } });
    aml.seed('climate-lab', orphan, 'Standard_DS3_v2', 'Running', { tags: { 'aml-jupyterhub-hub': 'hub-a' } });
    const stopCompute = aml.stopCompute.bind(aml);
    aml.stopCompute = async (at) => {
      if (at.name === busy) throw new AppError('conflicting-operation', `Compute ${busy} is busy`);
      return stopCompute(at);
    };

    const report = await sweepIdleServers(deps, control);

    expect(report.failedInstances).toEqual([{ name: busy, code: 'conflicting-operation', message: `Compute ${busy} is busy` }]);
    expect(report.unknownInstances.stopped).toEqual([orphan]);
  });
});
