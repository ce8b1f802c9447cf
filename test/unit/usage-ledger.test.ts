/**
 * The usage ledger is fed by the lifecycle's own transitions: a spawn that reaches Running opens an
 * interval; a stop, Azure ML's idle shutdown, a stop or delete in the studio (reconciled by the
 * sweep) close it; a start in the studio (adopted by the sweep) opens one. A ledger write that
 * fails never fails the transition, and the sweep repairs the ledger.
 */
import type { ComputeLastOperation, UsageLedger } from '../../shared/domain/ports';
import type { UsageInterval } from '../../shared/domain/usage';
import { advanceProvisioning } from '../../shared/use-cases/advance-provisioning';
import { advanceStop } from '../../shared/use-cases/advance-wind-down';
import { sweepIdleServers } from '../../shared/use-cases/idle-sweep';
import { spawnServer, type SpawnRequest } from '../../shared/use-cases/spawn-server';
import { stopServer } from '../../shared/use-cases/stop-server';
import { UsageRecordingServers } from '../../shared/use-cases/usage-recording-servers';
import { reportUsage } from '../../shared/use-cases/usage-report';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { FixedPriceBook, InMemoryUsageLedger } from '../support/in-memory-usage-ledger';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const START = new Date('2026-11-26T09:00:00Z');
const request: SpawnRequest = { user: 'alice', project: 'climate-lab', size: 'Medium', serverName: '', userObjectId: ALICE, tenantId: null };
const operation = (operationName: string, operationTrigger: ComputeLastOperation['operationTrigger'], at: Date): ComputeLastOperation => ({
  operationName, operationStatus: 'Succeeded', operationTime: at.toISOString(), operationTrigger,
});

/** A ledger whose next `failures` writes fail, as a storage outage would. */
class FlakyLedger extends InMemoryUsageLedger {
  failures = 0;
  override async open(interval: UsageInterval): Promise<void> {
    if (this.failures-- > 0) throw new Error('storage unavailable');
    return super.open(interval);
  }
  override async close(interval: UsageInterval & { end: string }): Promise<void> {
    if (this.failures-- > 0) throw new Error('storage unavailable');
    return super.close(interval);
  }
}

function setUp() {
  const clock = new VirtualClock(START);
  const aml = new ScriptedAmlGateway();
  aml.setTime(START);
  const ledger = new FlakyLedger();
  const logged: string[] = [];
  const inner = new InMemoryServerRepository();
  const servers = new UsageRecordingServers(inner, ledger, async () => 'westeurope', (event) => logged.push(event));
  const prices = new FixedPriceBook({ 'westeurope/standard_ds3_v2': 0.3 });
  const deps = testDependencies({ servers, aml, clock, usage: ledger, prices, settings: testSettings({ MAX_RUNTIME_HOURS: '24' }) });
  const control = new RecordingOrchestrationControl();
  const at = (minutes: number) => {
    const time = new Date(START.getTime() + minutes * 60_000);
    clock.set(time);
    aml.setTime(time);
    return time;
  };
  /** Spawns and drives provisioning until the server is Running. */
  const spawnRunning = async (minutes: number): Promise<string> => {
    let now = at(minutes);
    const { server } = await spawnServer(deps, control, request);
    for (let step = 0; step < 60; step++) {
      const result = await advanceProvisioning(deps, server.id);
      if (result.outcome === 'running') return server.id;
      now = at((now.getTime() - START.getTime()) / 60_000 + 0.5);
    }
    throw new Error('never Running');
  };
  const rows = () => [...ledger.rows.values()].sort((a, b) => a.start.localeCompare(b.start));
  return { aml, ledger, deps, control, at, spawnRunning, rows, logged, inner };
}

describe('usage ledger from the lifecycle', () => {
  it('records one interval per Running period across start, stop, idle stop, external stop and a studio start', async () => {
    const { aml, deps, control, at, spawnRunning, rows } = setUp();

    // 1. A spawn reaches Running; the person stops it an hour later.
    const id = await spawnRunning(0);
    const firstStart = rows()[0]?.start;
    expect(rows()).toEqual([expect.objectContaining({ serverId: id, end: null, user: 'alice', userObjectId: ALICE, project: 'climate-lab', size: 'Medium', vmSize: 'Standard_DS3_v2', region: 'westeurope' })]);
    const stopAt = at(60);
    await stopServer(deps, control, id, 'user');
    expect(rows()).toEqual([expect.objectContaining({ start: firstStart, end: stopAt.toISOString() })]);
    for (let step = 0; step < 60 && (await advanceStop(deps, id)) === 'wait'; step++) at(61 + step);
    expect((await deps.servers.get(id))?.server.state).toBe('Stopped');
    expect(rows()).toHaveLength(1); // Stopping → Stopped is not a second interval

    // 2. Spawned again; Azure ML's idle shutdown stops it; the sweep records that.
    await spawnRunning(120);
    aml.seed('climate-lab', id, 'Standard_DS3_v2', 'Stopped', { lastOperation: operation('Stop', 'IdleShutdown', at(200)), idleTimeBeforeShutdown: 'PT60M' });
    const idleSweptAt = at(205);
    await sweepIdleServers(deps, control);
    expect((await deps.servers.get(id))?.server).toMatchObject({ state: 'Stopped', stopReason: 'idle' });
    expect(rows()[1]).toMatchObject({ end: idleSweptAt.toISOString() });

    // 3. A person starts it in the studio; the sweep adopts it: an interval from the studio's start.
    const studioStart = at(300);
    aml.seed('climate-lab', id, 'Standard_DS3_v2', 'Running', { lastOperation: operation('Start', 'User', studioStart) });
    at(303);
    await sweepIdleServers(deps, control);
    expect((await deps.servers.get(id))?.server.state).toBe('Running');
    expect(rows()[2]).toMatchObject({ start: studioStart.toISOString(), end: null });

    // 4. Stopped in the studio: reconciled as external, the interval closed.
    aml.seed('climate-lab', id, 'Standard_DS3_v2', 'Stopped', { lastOperation: operation('Stop', 'User', at(360)) });
    const externalSweptAt = at(362);
    await sweepIdleServers(deps, control);
    expect((await deps.servers.get(id))?.server).toMatchObject({ state: 'Stopped', stopReason: 'external' });
    expect(rows()).toHaveLength(3);
    expect(rows()[2]).toMatchObject({ end: externalSweptAt.toISOString() });
    expect(rows().every((row) => row.end !== null)).toBe(true);

    // The hours are the sum of the three intervals, and the cost is hours × 0.30.
    const hours = rows().reduce((sum, row) => sum + (Date.parse(row.end ?? '') - Date.parse(row.start)) / 3_600_000, 0);
    const report = await reportUsage(deps, { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), groupBy: 'user' });
    expect(report.groups).toEqual([{ key: 'alice', hours: expect.closeTo(hours, 3), cost: expect.closeTo(hours * 0.3, 2), unpricedHours: 0 }]);
    expect(report.currency).toBe('USD');
  });

  it('counts a running server until now, and a window cuts intervals at its edges', async () => {
    const { deps, spawnRunning, at, rows } = setUp();
    await spawnRunning(0);
    const start = Date.parse(rows()[0]?.start ?? '');
    at(240); // four hours later (give or take the start's few seconds)
    const all = await reportUsage(deps, { from: new Date('2026-11-26T00:00:00Z'), to: new Date('2026-11-27T00:00:00Z'), groupBy: 'project' });
    const expected = (START.getTime() + 240 * 60_000 - start) / 3_600_000;
    expect(all.groups).toEqual([{ key: 'climate-lab', hours: expect.closeTo(expected, 3), cost: expect.closeTo(expected * 0.3, 2), unpricedHours: 0 }]);
    const lastHour = await reportUsage(deps, { from: new Date(START.getTime() + 180 * 60_000), to: new Date(START.getTime() + 600 * 60_000), groupBy: 'size' });
    expect(lastHour.groups).toEqual([{ key: 'Medium', hours: 1, cost: 0.3, unpricedHours: 0 }]);
  });

  it('never fails a transition for a ledger write, and the sweep repairs the ledger', async () => {
    const { ledger, deps, control, spawnRunning, at, rows, logged } = setUp();
    ledger.failures = 1; // the open is lost
    const id = await spawnRunning(0);
    expect(rows()).toEqual([]);
    expect(logged).toEqual(['usage.record-failed']);
    at(30);
    const report = await sweepIdleServers(deps, control);
    expect(report.ledger.opened).toEqual([id]);
    expect(rows()).toEqual([expect.objectContaining({ serverId: id, end: null })]);

    ledger.failures = 1; // now the close is lost
    at(90);
    await stopServer(deps, control, id, 'user');
    for (let step = 0; step < 60 && (await advanceStop(deps, id)) === 'wait'; step++) at(91 + step);
    const stopped = (await deps.servers.get(id))?.server;
    expect(stopped?.state).toBe('Stopped');
    expect(rows()[0]?.end).toBeNull();
    at(120);
    const repaired = await sweepIdleServers(deps, control);
    expect(repaired.ledger.closed).toEqual([id]);
    // Closed when the server stopped (an upper bound of when it left Running, never later).
    expect(rows()[0]?.end).toBe(stopped?.stoppedAt);
    // A second sweep finds nothing to repair.
    expect((await sweepIdleServers(deps, control)).ledger).toEqual({ opened: [], closed: [] });
  });
});

describe('the ledger port', () => {
  it('keeps an interval whose close arrived before its open (two writers racing)', async () => {
    const ledger: UsageLedger = new InMemoryUsageLedger();
    const interval: UsageInterval = { serverId: 'ci-x', start: '2026-11-26T09:00:00Z', end: null, user: 'a', userObjectId: null, project: 'p', size: 'Small', vmSize: 'v', region: 'r' };
    await ledger.close({ ...interval, end: '2026-11-26T10:00:00Z' });
    await ledger.open(interval);
    expect(await ledger.listOpen()).toEqual([]);
    expect(await ledger.overlapping(new Date('2026-11-26T00:00:00Z'), new Date('2026-11-27T00:00:00Z'))).toEqual([{ ...interval, start: '2026-11-26T09:00:00.000Z', end: '2026-11-26T10:00:00.000Z' }]);
  });
});
