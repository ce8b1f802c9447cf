import { WIND_DOWN_TIMEOUT_MINUTES } from '../../shared/domain/lifecycle';
import type { ServerState } from '../../shared/domain/server';
import { transitioned } from '../../shared/domain/server-changes';
import { sweepIdleServers } from '../../shared/use-cases/idle-sweep';
import { LIVE_RUN_SLACK_MINUTES, recoveryFor, type RecoveryAction } from '../../shared/use-cases/recover-stalled-servers';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const NOW = new Date('2026-11-26T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const LIMITS = { provisionTimeoutMinutes: 25, windDownTimeoutMinutes: 30 };

describe('recoveryFor (what the sweep does about one server)', () => {
  const timeout = (code: string, what: string, minutes: number, state: string): Partial<RecoveryAction> => ({
    kind: 'give-up',
    error: { code, message: `${what} did not complete within ${minutes} minutes (the server was still ${state}); spawn, stop or delete it again.` },
  });
  it.each<[ServerState, number, boolean, object]>([
    // at rest or running: nothing to drive
    ['Running', 600, false, { kind: 'none' }],
    ['Stopped', 600, false, { kind: 'none' }],
    ['Failed', 600, false, { kind: 'none' }],
    ['Deleted', 600, false, { kind: 'none' }],
    // driven by a live run, within the timeout: leave it to the run
    ['Requested', 1, true, { kind: 'none' }],
    ['Creating', 24, true, { kind: 'none' }],
    ['Stopping', 29, true, { kind: 'none' }],
    ['Deleting', 29, true, { kind: 'none' }],
    // nothing drives it (the starter crashed after its write): drive it again
    ['Requested', 0, false, { kind: 'drive', run: 'provision' }],
    ['Creating', 10, false, { kind: 'drive', run: 'provision' }],
    ['Starting', 24, false, { kind: 'drive', run: 'provision' }],
    ['Stopping', 1, false, { kind: 'drive', run: 'stop' }],
    ['Deleting', 29, false, { kind: 'drive', run: 'delete' }],
    // past the timeout with no live run: give up
    ['Creating', 26, false, { run: 'provision', ...timeout('provision-timeout', 'The create or start', 25, 'Creating') }],
    ['Stopping', 31, false, { run: 'stop', ...timeout('stop-timeout', 'The stop', 30, 'Stopping') }],
    ['Deleting', 31, false, { run: 'delete', ...timeout('delete-timeout', 'The delete', 30, 'Deleting') }],
    // a live run gets a little slack past its own deadline, then is overruled too
    ['Starting', 25 + LIVE_RUN_SLACK_MINUTES - 1, true, { kind: 'none' }],
    ['Starting', 25 + LIVE_RUN_SLACK_MINUTES + 1, true, { run: 'provision', ...timeout('provision-timeout', 'The create or start', 25, 'Starting') }],
    ['Deleting', 30 + LIVE_RUN_SLACK_MINUTES + 1, true, { run: 'delete', ...timeout('delete-timeout', 'The delete', 30, 'Deleting') }],
  ])('%s for %d min, run live %s → %j', (state, minutes, live, expected) => {
    expect(recoveryFor({ state, phaseSince: minutesAgo(minutes) }, live, NOW, LIMITS)).toEqual(expected);
  });
});

describe('phaseSince', () => {
  it('is kept while a server moves within a phase and restarts when the phase changes', () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 12, minute)).toISOString();
    const requested = buildServer({ state: 'Requested', phaseSince: at(0) });
    const creating = transitioned(requested, 'Creating', at(1))!;
    const starting = transitioned(creating, 'Starting', at(2))!;
    const stopping = transitioned(starting, 'Stopping', at(3))!;
    const stopped = transitioned(stopping, 'Stopped', at(4))!;
    expect([creating, starting, stopping, stopped].map((server) => server.phaseSince)).toEqual([at(0), at(0), at(3), at(4)]);
  });
});

describe('the sweep recovers stalled servers', () => {
  async function setUp() {
    const servers = new InMemoryServerRepository();
    const aml = new ScriptedAmlGateway();
    aml.setTime(NOW);
    const settings = testSettings({ PROVISION_TIMEOUT_MINUTES: '25' });
    const deps = testDependencies({ servers, aml, settings, clock: new VirtualClock(NOW) });
    const control = new RecordingOrchestrationControl();
    const stored = async (state: ServerState, minutes: number) => {
      const server = buildServer({ state, phaseSince: minutesAgo(minutes), updatedAt: minutesAgo(minutes) });
      await servers.create(server);
      return server.id;
    };
    return { servers, deps, control, stored };
  }

  it('starts the missing run of a server left Stopping or Deleting by a crash, and leaves live runs alone', async () => {
    const { deps, control, stored } = await setUp();
    const stopping = await stored('Stopping', 2);
    const deleting = await stored('Deleting', 2);
    const requested = await stored('Requested', 2);
    const driven = await stored('Stopping', 2);
    control.live.add(`stop ${driven}`);

    const report = await sweepIdleServers(deps, control);

    expect(control.requests.sort()).toEqual([`delete ${deleting}`, `provision ${requested}`, `stop ${stopping}`].sort());
    expect(report.recovered).toEqual(expect.arrayContaining([
      { id: stopping, state: 'Stopping', action: 'driven' },
      { id: deleting, state: 'Deleting', action: 'driven' },
      { id: requested, state: 'Requested', action: 'driven' },
    ]));
    expect(report.recovered).toHaveLength(3);
  });

  it('fails a server transitional past its timeout with a clear error, and cancels a provisioning run still live', async () => {
    const { servers, deps, control, stored } = await setUp();
    const creating = await stored('Creating', 25 + LIVE_RUN_SLACK_MINUTES + 1);
    control.live.add(`provision ${creating}`);
    const stopping = await stored('Stopping', WIND_DOWN_TIMEOUT_MINUTES + 1);

    const report = await sweepIdleServers(deps, control);

    expect(servers.server(creating)).toMatchObject({ state: 'Failed', error: { code: 'provision-timeout' } });
    expect(servers.server(stopping)).toMatchObject({ state: 'Failed', error: { code: 'stop-timeout' } });
    expect(servers.server(stopping).error?.message).toContain(`within ${WIND_DOWN_TIMEOUT_MINUTES} minutes`);
    expect(control.requests).toEqual([`cancel ${creating}`]);
    expect(report.recovered).toEqual(expect.arrayContaining([
      { id: creating, state: 'Creating', action: 'failed' }, { id: stopping, state: 'Stopping', action: 'failed' },
    ]));
  });

  it('goes on with the other servers when one cannot be recovered, and says why', async () => {
    const { deps, control, stored } = await setUp();
    const broken = await stored('Stopping', 2);
    const fine = await stored('Deleting', 2);
    const flaky = Object.assign(control, {
      isLive: async (_kind: string, id: string) => {
        if (id === broken) throw new Error('durable API unavailable');
        return false;
      },
    });

    const report = await sweepIdleServers(deps, flaky);

    expect(report.recovered).toEqual(expect.arrayContaining([
      { id: broken, state: 'Stopping', action: 'error', error: 'durable API unavailable' },
      { id: fine, state: 'Deleting', action: 'driven' },
    ]));
    expect(control.requests).toEqual([`delete ${fine}`]);
  });
});
