import { sweepIdleServers } from '../../shared/use-cases/idle-sweep';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const NOW = new Date('2026-11-26T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

async function setUp() {
  const servers = new InMemoryServerRepository();
  const aml = new ScriptedAmlGateway();
  aml.setTime(NOW);
  const settings = testSettings({ IDLE_STOP_MINUTES_MEDIUM: '60', IDLE_STOP_MINUTES_GPU: '30', MAX_RUNTIME_HOURS: '8' });
  const deps = testDependencies({ servers, aml, settings, clock: new VirtualClock(NOW) });
  const control = new RecordingOrchestrationControl();
  const running = async (overrides: Parameters<typeof buildServer>[0], amlState: 'Running' | 'Stopped' | null = 'Running') => {
    const server = buildServer({ state: 'Running', amlState: 'Running', url: 'https://x/lab', ...overrides });
    await servers.create(server);
    if (amlState) aml.seed(server.project, server.id, server.vmSize, amlState);
    return server.id;
  };
  return { servers, aml, deps, control, running };
}

describe('idle sweep', () => {
  it('stops servers idle past their size limit or running past the max runtime, and leaves the rest', async () => {
    const { servers, deps, control, running } = await setUp();
    const idle = await running({ size: 'Medium', startedAt: minutesAgo(180), lastActivityAt: minutesAgo(61) });
    const busy = await running({ size: 'Medium', startedAt: minutesAgo(180), lastActivityAt: minutesAgo(5) });
    const idleGpu = await running({ size: 'GPU', startedAt: minutesAgo(40), lastActivityAt: null });
    const marathon = await running({ size: 'Medium', startedAt: minutesAgo(8 * 60 + 1), lastActivityAt: minutesAgo(1) });

    const report = await sweepIdleServers(deps, control);

    expect(report.stopped).toEqual(expect.arrayContaining([
      { id: idle, reason: 'idle' }, { id: idleGpu, reason: 'idle' }, { id: marathon, reason: 'max-runtime' },
    ]));
    expect(report.stopped).toHaveLength(3);
    expect(servers.server(idle)).toMatchObject({ state: 'Stopping', stopReason: 'idle' });
    expect(servers.server(marathon)).toMatchObject({ state: 'Stopping', stopReason: 'max-runtime' });
    expect(servers.server(busy).state).toBe('Running');
    expect(control.requests).toEqual(expect.arrayContaining([`stop ${idle}`, `stop ${idleGpu}`, `stop ${marathon}`]));
  });

  it('reconciles servers stopped or deleted outside, with one ARM list per workspace', async () => {
    const { servers, aml, deps, control, running } = await setUp();
    const stoppedInStudio = await running({ startedAt: minutesAgo(10), lastActivityAt: minutesAgo(1) }, 'Stopped');
    const deleted = await running({ startedAt: minutesAgo(10), lastActivityAt: minutesAgo(1) }, null);
    const healthy = await running({ startedAt: minutesAgo(10), lastActivityAt: minutesAgo(1) });

    const report = await sweepIdleServers(deps, control);

    expect(report.reconciled).toEqual(expect.arrayContaining([
      { id: stoppedInStudio, from: 'Running', to: 'Stopped' }, { id: deleted, from: 'Running', to: 'Deleted' },
    ]));
    expect(servers.server(stoppedInStudio)).toMatchObject({ state: 'Stopped', stopReason: 'external', url: null });
    expect(servers.server(deleted)).toMatchObject({ state: 'Deleted', stopReason: 'external' });
    expect(servers.server(healthy).state).toBe('Running');
    expect(aml.calls.filter((call) => call.startsWith('list'))).toEqual(['list climate-lab']);
    expect(aml.calls.filter((call) => call.startsWith('get'))).toEqual([]);
  });

  it('stops an instance that runs in Azure while the product holds its server at rest', async () => {
    const { aml, deps, control, running, servers } = await setUp();
    const orphan = await running({ state: 'Stopped', stoppedAt: minutesAgo(3) });

    const report = await sweepIdleServers(deps, control);

    expect(report.orphansStopped).toEqual([orphan]);
    expect(aml.calls).toContain(`stop ${orphan}`);
    expect(servers.server(orphan).state).toBe('Stopped');
  });
});
