/** Cost arithmetic, the retail price choice, and budgets: the form's warning and the spawn's refusal, racing spawns included. */
import { isAppError } from '../../shared/domain/errors';
import type { ResourceGroupInfo } from '../../shared/domain/ports';
import { linuxPayAsYouGo, retailPriceFilter, type RetailPriceItem } from '../../shared/domain/retail-prices';
import {
  budgetFromTag, budgetStatus, groupUsage, hoursWithin, monthOf, parseAmounts, type UsageInterval,
} from '../../shared/domain/usage';
import { loadSettings } from '../../shared/config/settings';
import { describeOptions } from '../../shared/use-cases/describe-options';
import { spawnServer, type SpawnRequest } from '../../shared/use-cases/spawn-server';
import { sweepIdleServers } from '../../shared/use-cases/idle-sweep';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { FixedPriceBook, InMemoryUsageLedger } from '../support/in-memory-usage-ledger';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { TEST_HUB_API_KEY, TEST_SUBSCRIPTION_ID, testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const NOW = new Date('2026-11-26T12:00:00Z');
const interval = (overrides: Partial<UsageInterval>): UsageInterval => ({
  serverId: 'ci-0', start: '2026-11-26T09:00:00.000Z', end: '2026-11-26T10:00:00.000Z', user: 'alice', userObjectId: null,
  project: 'climate-lab', size: 'Medium', vmSize: 'Standard_DS3_v2', region: 'westeurope', ...overrides,
});

describe('cost arithmetic', () => {
  const window = { from: new Date('2026-11-26T00:00:00Z'), to: new Date('2026-11-27T00:00:00Z'), now: NOW };

  it('cuts intervals to the window and counts an open one until now', () => {
    expect(hoursWithin(interval({}), window.from, window.to, NOW)).toBe(1);
    expect(hoursWithin(interval({ start: '2026-11-25T23:00:00Z', end: '2026-11-26T01:30:00Z' }), window.from, window.to, NOW)).toBe(1.5);
    expect(hoursWithin(interval({ start: '2026-11-26T10:30:00Z', end: null }), window.from, window.to, NOW)).toBe(1.5);
    expect(hoursWithin(interval({ start: '2026-11-27T10:30:00Z', end: null }), window.from, window.to, NOW)).toBe(0);
  });

  it('sums hours × price per group, keeps unpriced hours apart, and rounds money only at the end', () => {
    const price = (row: UsageInterval) => (row.vmSize === 'Standard_DS3_v2' ? { pricePerHour: 0.293, currency: 'USD' } : null);
    const rows = [
      // Three 20-minute stretches: 3 × 0.097666… = 0.293 exactly, not 3 × 0.10.
      interval({ serverId: 'a', start: '2026-11-26T09:00:00Z', end: '2026-11-26T09:20:00Z' }),
      interval({ serverId: 'a', start: '2026-11-26T10:00:00Z', end: '2026-11-26T10:20:00Z' }),
      interval({ serverId: 'a', start: '2026-11-26T11:00:00Z', end: '2026-11-26T11:20:00Z' }),
      interval({ serverId: 'b', user: 'bob', start: '2026-11-26T08:00:00Z', end: '2026-11-26T11:00:00Z' }),
      interval({ serverId: 'c', user: 'bob', vmSize: 'Standard_Unpriced', start: '2026-11-26T08:00:00Z', end: '2026-11-26T10:00:00Z' }),
    ];
    expect(groupUsage(rows, 'user', window, price)).toEqual([
      { key: 'bob', hours: 5, cost: 0.88, unpricedHours: 2 },
      { key: 'alice', hours: 1, cost: 0.29, unpricedHours: 0 },
    ]);
    expect(groupUsage(rows, 'project', window, price)).toEqual([{ key: 'climate-lab', hours: 6, cost: 1.17, unpricedHours: 2 }]);
  });

  it('knows the calendar month (UTC) and the budget thresholds', () => {
    expect(monthOf(new Date('2026-12-31T23:59:59Z'))).toEqual({ from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z'), label: '2026-12' });
    expect(budgetStatus(79.99, 100)).toBe('ok');
    expect(budgetStatus(80, 100)).toBe('warning');
    expect(budgetStatus(100, 100)).toBe('exceeded');
    expect(budgetStatus(1e6, null)).toBe('ok');
    expect(budgetFromTag('250.5')).toBe(250.5);
    expect(budgetFromTag('lots')).toBeNull();
  });

  it('reads PROJECT_BUDGETS and PRICE_OVERRIDES, refusing what is not name=amount', () => {
    expect(parseAmounts('Climate-Lab=500, ocean-lab=200.5').amounts).toEqual(new Map([['climate-lab', 500], ['ocean-lab', 200.5]]));
    expect(parseAmounts('climate-lab:500,x=-1').problems).toHaveLength(2);
    const env = { AZURE_SUBSCRIPTION_ID: TEST_SUBSCRIPTION_ID, STATE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', HUB_API_KEY: TEST_HUB_API_KEY };
    expect(() => loadSettings({ ...env, PROJECT_BUDGETS: 'climate-lab' })).toThrow(/PROJECT_BUDGETS: 'climate-lab' is not name=amount/);
    expect(loadSettings({ ...env, PRICE_OVERRIDES: 'westeurope/Standard_DS3_v2=0.21', BUDGET_STOP_AT_LIMIT: 'true' }).cost).toMatchObject({
      priceOverrides: new Map([['westeurope/standard_ds3_v2', 0.21]]), stopAtLimit: true, currency: 'USD',
    });
  });
});

describe('the retail price of a size', () => {
  const meter = (overrides: Partial<RetailPriceItem>): RetailPriceItem => ({
    currencyCode: 'USD', retailPrice: 0.293, unitOfMeasure: '1 Hour', armRegionName: 'westeurope', armSkuName: 'Standard_DS3_v2',
    productName: 'Virtual Machines DSv2 Series', skuName: 'DS3 v2', meterName: 'DS3 v2', type: 'Consumption', ...overrides,
  });

  it('is the lowest pay-as-you-go Linux meter: not Windows, Spot, Low Priority or a reservation', () => {
    const items = [
      meter({ retailPrice: 0.55, productName: 'Virtual Machines DSv2 Series Windows' }),
      meter({ retailPrice: 0.06, skuName: 'DS3 v2 Spot', meterName: 'DS3 v2 Spot' }),
      meter({ retailPrice: 0.05, skuName: 'DS3 v2 Low Priority', meterName: 'DS3 v2 Low Priority' }),
      meter({ retailPrice: 1500, type: 'Reservation', unitOfMeasure: '1 Year' }),
      meter({ retailPrice: 0.31 }),
      meter({}),
      meter({ retailPrice: 0.01, armSkuName: 'Standard_DS2_v2' }),
    ];
    expect(linuxPayAsYouGo(items, 'Standard_DS3_v2')).toEqual({ pricePerHour: 0.293, currency: 'USD' });
    expect(linuxPayAsYouGo(items.slice(0, 4), 'Standard_DS3_v2')).toBeNull();
  });

  it('is asked for with one OData filter, quotes escaped', () => {
    expect(retailPriceFilter('WestEurope', "Standard_D'1")).toBe(
      "serviceName eq 'Virtual Machines' and armRegionName eq 'westeurope' and armSkuName eq 'Standard_D''1' and priceType eq 'Consumption'",
    );
  });
});

describe('budgets', () => {
  const ALICE = 'a11ce000-0000-4000-8000-000000000001';
  const spawnOf = (user: string, project = 'climate-lab'): SpawnRequest => ({ user, project, size: 'Medium', serverName: '', userObjectId: ALICE, tenantId: null });

  /** climate-lab has spent `spent` this month at 1.00/h (one closed interval), under PROJECT_BUDGETS climate-lab=100. */
  async function setUp(spent: number, settings: Record<string, string> = { PROJECT_BUDGETS: 'climate-lab=100' }) {
    const servers = new InMemoryServerRepository();
    const aml = new ScriptedAmlGateway({ projects: ['climate-lab', 'ocean-lab'] });
    const usage = new InMemoryUsageLedger();
    const start = new Date('2026-11-02T00:00:00Z');
    await usage.close({ ...interval({ serverId: 'ci-old', start: start.toISOString() }), end: new Date(start.getTime() + spent * 3_600_000).toISOString() });
    const prices = new FixedPriceBook({ 'westeurope/standard_ds3_v2': 1, 'westeurope/standard_ds1_v2': 0.073 });
    const deps = testDependencies({ servers, aml, usage, prices, clock: new VirtualClock(NOW), settings: testSettings(settings) });
    return { servers, aml, deps, control: new RecordingOrchestrationControl() };
  }

  it('below 80%: the options say ok, with each size priced', async () => {
    const { deps } = await setUp(79);
    const options = await describeOptions(deps, { userObjectId: ALICE });
    expect(options.projects.find((project) => project.name === 'climate-lab')).toMatchObject({ budget: { budget: 100, spent: 79, currency: 'USD', month: '2026-11', status: 'ok' } });
    expect(options.projects.find((project) => project.name === 'ocean-lab')).toMatchObject({ budget: { budget: null, spent: 0, status: 'ok' } });
    expect(options.sizes).toEqual([
      { label: 'Small', vmSize: 'Standard_DS1_v2', gpu: false, vcpus: 1, memoryGB: 3.5, gpus: 0, pricePerHour: 0.073, currency: 'USD' },
      { label: 'Medium', vmSize: 'Standard_DS3_v2', gpu: false, vcpus: 4, memoryGB: 14, gpus: 0, pricePerHour: 1, currency: 'USD' },
    ]);
  });

  it('from 80%: the options warn in words, and a spawn still passes', async () => {
    const { deps, control } = await setUp(85);
    const options = await describeOptions(deps, { userObjectId: ALICE });
    const climate = options.projects.find((project) => project.name === 'climate-lab');
    expect(climate?.budget).toMatchObject({ status: 'warning', spent: 85 });
    expect(climate?.budget?.message).toBe('Project climate-lab has used 85% of its budget for 2026-11 (85.00 USD of 100.00 USD).');
    await expect(spawnServer(deps, control, spawnOf('alice'))).resolves.toMatchObject({ accepted: true });
  });

  it('at 100%: every one of many racing spawns in the project is refused, nothing is stored; another project is not affected', async () => {
    const { servers, deps, control } = await setUp(100);
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => spawnServer(deps, control, spawnOf(`user${i}`))));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = result.status === 'rejected' ? result.reason : null;
      expect(isAppError(error, 'budget-exceeded')).toBe(true);
      expect((error as Error).message).toMatch(/^Project climate-lab has used its budget for 2026-11 \(100\.00 USD of 100\.00 USD\)/);
    }
    expect((await servers.list({ limit: 100 })).servers).toEqual([]);
    expect(control.requests).toEqual([]);
    await expect(spawnServer(deps, control, spawnOf('alice', 'ocean-lab'))).resolves.toMatchObject({ accepted: true });
  });

  it("a spawn reads the month's spend only in a project that has a budget", async () => {
    const { deps, control } = await setUp(10);
    const reads: string[] = [];
    const overlapping = deps.usage.overlapping.bind(deps.usage);
    deps.usage.overlapping = (from, to) => {
      reads.push(`${from.toISOString()}..${to.toISOString()}`);
      return overlapping(from, to);
    };
    await expect(spawnServer(deps, control, spawnOf('alice', 'ocean-lab'))).resolves.toMatchObject({ accepted: true });
    expect(reads).toEqual([]);
    await expect(spawnServer(deps, control, spawnOf('bob'))).resolves.toMatchObject({ accepted: true });
    expect(reads).toEqual(['2026-11-01T00:00:00.000Z..2026-12-01T00:00:00.000Z']);
  });

  it('at 100%: a server already Running is answered as before, and a stopped one is not started again', async () => {
    const { servers, deps, control } = await setUp(120);
    const running = buildServer({ user: 'alice', project: 'climate-lab', size: 'Medium', vmSize: 'Standard_DS3_v2', serverName: '', hubId: 'hub', state: 'Running', userObjectId: ALICE });
    const id = deps.serverId({ hubId: 'hub', user: 'alice', project: 'climate-lab', vmSize: 'Standard_DS3_v2', serverName: '' });
    await servers.create({ ...running, id });
    await expect(spawnServer(deps, control, spawnOf('alice'))).resolves.toMatchObject({ accepted: false });
    await servers.update(id, (server) => ({ ...server, state: 'Stopped' }));
    await expect(spawnServer(deps, control, spawnOf('alice'))).rejects.toMatchObject({ code: 'budget-exceeded' });
    expect((await servers.get(id))?.server.state).toBe('Stopped');
  });

  it("takes the budget from the resource group's tag, and PROJECT_BUDGETS wins over it", async () => {
    const tagged = await setUp(60, {});
    tagged.aml.listResourceGroups = async (): Promise<ResourceGroupInfo[]> => [{ name: 'climate-lab', location: 'westeurope', tags: { 'aml-jupyterhub-budget': '50' } }, { name: 'ocean-lab', location: 'westeurope', tags: {} }];
    await expect(spawnServer(tagged.deps, tagged.control, spawnOf('alice'))).rejects.toMatchObject({ code: 'budget-exceeded' });

    const both = await setUp(60, { PROJECT_BUDGETS: 'climate-lab=500' });
    both.aml.listResourceGroups = tagged.aml.listResourceGroups;
    const options = await describeOptions(both.deps, { userObjectId: ALICE });
    expect(options.projects.find((project) => project.name === 'climate-lab')?.budget).toMatchObject({ budget: 500, status: 'ok' });
  });

  it.each([['true', 'Stopping'], ['false', 'Running']] as const)('BUDGET_STOP_AT_LIMIT=%s: the sweep leaves a running server of a project past its budget %s', async (stopAtLimit, expected) => {
    const { servers, aml, deps, control } = await setUp(120, { PROJECT_BUDGETS: 'climate-lab=100', BUDGET_STOP_AT_LIMIT: stopAtLimit });
    aml.setTime(NOW);
    const running = buildServer({ project: 'climate-lab', state: 'Running', amlState: 'Running', startedAt: '2026-11-26T11:00:00Z' });
    const elsewhere = buildServer({ project: 'ocean-lab', state: 'Running', amlState: 'Running', startedAt: '2026-11-26T11:00:00Z' });
    for (const server of [running, elsewhere]) {
      await servers.create(server);
      aml.seed(server.project, server.id, server.vmSize, 'Running');
    }
    const report = await sweepIdleServers(deps, control);
    expect((await servers.get(running.id))?.server).toMatchObject({ state: expected, ...(expected === 'Stopping' ? { stopReason: 'budget' } : {}) });
    expect((await servers.get(elsewhere.id))?.server.state).toBe('Running');
    expect(report.stopped).toEqual(expected === 'Stopping' ? [{ id: running.id, reason: 'budget' }] : []);
  });
});
