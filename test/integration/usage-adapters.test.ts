/**
 * The cost adapters against real parts: the usage ledger on Azurite through @azure/data-tables, and
 * the price book against the ARM emulator's Retail Prices API over https (the same JSON shape as
 * https://prices.azure.com/api/retail/prices).
 */
import { randomUUID } from 'node:crypto';
import { startArmEmulator, type ArmEmulator } from '../../local/arm-emulator';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { RetailPriceBook } from '../../shared/adapters/prices/retail-price-book';
import { TableUsageLedger } from '../../shared/adapters/table/table-usage-ledger';
import type { UsageInterval } from '../../shared/domain/usage';
import { VirtualClock } from '../support/test-dependencies';

let azurite: AzuriteHandle;
let emulator: ArmEmulator;

beforeAll(async () => {
  [azurite, emulator] = await Promise.all([startAzurite({ inMemory: true }), startArmEmulator({ port: 0, dataDir: null })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([azurite?.stop(), emulator?.stop()]);
});

const row = (overrides: Partial<UsageInterval>): UsageInterval => ({
  serverId: 'ci-0123456789abcdef01234', start: '2026-11-26T09:00:00Z', end: null, user: 'alice', userObjectId: 'a11ce000-0000-4000-8000-000000000001',
  project: 'climate-lab', size: 'Medium', vmSize: 'Standard_DS3_v2', region: 'westeurope', ...overrides,
});

describe('TableUsageLedger on Azurite', () => {
  let ledger: TableUsageLedger;
  const clock = new VirtualClock(new Date('2026-12-02T12:00:00Z'));
  beforeEach(async () => {
    ledger = new TableUsageLedger({ connectionString: azurite.connectionString }, `usage${randomUUID().replace(/-/g, '').slice(0, 12)}`, () => clock.now());
    await ledger.ensureTable();
  });

  it('opens and closes one row per interval, idempotently, and a close that comes first wins over a late open', async () => {
    await ledger.open(row({}));
    await ledger.open(row({})); // a retry
    expect(await ledger.listOpen()).toEqual([row({ start: '2026-11-26T09:00:00.000Z' })]);
    await ledger.close({ ...row({}), end: '2026-11-26T10:00:00Z' });
    await ledger.open(row({})); // late, after the close
    expect(await ledger.listOpen()).toEqual([]);
    const late = row({ serverId: 'ci-1123456789abcdef01234', start: '2026-11-26T11:00:00Z' });
    await ledger.close({ ...late, end: '2026-11-26T11:30:00Z' });
    await ledger.open(late);
    expect(await ledger.overlapping(new Date('2026-11-26T00:00:00Z'), new Date('2026-11-27T00:00:00Z'))).toEqual([
      row({ start: '2026-11-26T09:00:00.000Z', end: '2026-11-26T10:00:00.000Z' }),
      { ...late, start: '2026-11-26T11:00:00.000Z', end: '2026-11-26T11:30:00.000Z' },
    ]);
  });

  it('finds the intervals overlapping a window: one begun the month before, one still open; not those outside', async () => {
    const acrossMonths = row({ serverId: 'ci-2123456789abcdef01234', start: '2026-11-30T22:00:00Z' });
    await ledger.close({ ...acrossMonths, end: '2026-12-01T02:00:00Z' });
    await ledger.open(row({ serverId: 'ci-3123456789abcdef01234', start: '2026-12-02T08:00:00Z' }));
    await ledger.close({ ...row({ serverId: 'ci-4123456789abcdef01234', start: '2026-11-10T08:00:00Z' }), end: '2026-11-10T09:00:00Z' });
    await ledger.open(row({ serverId: 'ci-5123456789abcdef01234', start: '2026-12-03T08:00:00Z' })); // after the window
    const december = await ledger.overlapping(new Date('2026-12-01T00:00:00Z'), new Date('2026-12-02T12:00:00Z'));
    expect(december.map((interval) => interval.serverId).sort()).toEqual(['ci-2123456789abcdef01234', 'ci-3123456789abcdef01234']);
    expect((await ledger.listOpen()).map((interval) => interval.serverId).sort()).toEqual(['ci-3123456789abcdef01234', 'ci-5123456789abcdef01234']);
  });
});

describe('RetailPriceBook against the emulated Retail Prices API', () => {
  const clock = new VirtualClock(new Date('2026-11-26T09:00:00Z'));
  const counting = () => {
    const urls: string[] = [];
    const fetcher: typeof fetch = async (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    return { urls, fetcher };
  };

  it('answers the pay-as-you-go Linux price, asks once a day per (region, size), and lets an override win', async () => {
    const { urls, fetcher } = counting();
    const book = new RetailPriceBook({
      endpoint: `${emulator.url}/api/retail/prices`, currency: 'USD', clock, fetch: fetcher,
      overrides: new Map([['westeurope/standard_ds5_v2', 0.9], ['standard_nc6s_v3', 2.5]]),
    });
    const [first, second] = await Promise.all([book.hourly('westeurope', 'Standard_DS3_v2'), book.hourly('westeurope', 'Standard_DS3_v2')]);
    expect(first).toEqual({ pricePerHour: 0.293, currency: 'USD' });
    expect(second).toEqual(first);
    expect(urls).toHaveLength(1);
    expect(decodeURIComponent(urls[0] ?? '')).toContain("armSkuName eq 'Standard_DS3_v2'");
    clock.advanceSeconds(23 * 3600);
    await book.hourly('westeurope', 'Standard_DS3_v2');
    expect(urls).toHaveLength(1);
    clock.advanceSeconds(2 * 3600);
    await book.hourly('westeurope', 'Standard_DS3_v2');
    expect(urls).toHaveLength(2);
    expect(await book.hourly('westeurope', 'Standard_DS5_v2')).toEqual({ pricePerHour: 0.9, currency: 'USD' });
    expect(await book.hourly('eastus', 'Standard_NC6s_v3')).toEqual({ pricePerHour: 2.5, currency: 'USD' });
    expect(await book.hourly('westeurope', 'Standard_Unknown_v9')).toBeNull();
    expect(urls).toHaveLength(3);
  });

  it('asks in the configured currency', async () => {
    const book = new RetailPriceBook({ endpoint: `${emulator.url}/api/retail/prices`, currency: 'EUR', clock, overrides: new Map() });
    expect(await book.hourly('westeurope', 'Standard_DS1_v2')).toEqual({ pricePerHour: 0.0672, currency: 'EUR' });
  });

  it('reports no price (never an error) when the API fails, and asks again after a while', async () => {
    const { urls, fetcher } = counting();
    const logged: string[] = [];
    const book = new RetailPriceBook({ endpoint: `${emulator.url}/api/retail/nothing-here`, currency: 'USD', clock, overrides: new Map(), fetch: fetcher, log: (event) => logged.push(event) });
    expect(await book.hourly('westeurope', 'Standard_DS3_v2')).toBeNull();
    expect(await book.hourly('westeurope', 'Standard_DS3_v2')).toBeNull();
    expect(urls).toHaveLength(1);
    expect(logged).toEqual(['prices.lookup-failed']);
    clock.advanceSeconds(301);
    await book.hourly('westeurope', 'Standard_DS3_v2');
    expect(urls).toHaveLength(2);
  });

  it('the emulator refuses a filter it cannot read, as Azure does', async () => {
    const response = await fetch(`${emulator.url}/api/retail/prices?$filter=${encodeURIComponent("contains(armSkuName, 'DS3')")}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ Error: { Code: 'BadRequest', Message: 'Invalid OData parameters supplied' } });
  });
});
