/** The learned launch durations in Table Storage, against a real Azurite through the real client. */
import { randomUUID } from 'node:crypto';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { TableLaunchDurations } from '../../shared/adapters/table/table-launch-durations';
import type { LaunchKey } from '../../shared/domain/launch-durations';

let azurite: AzuriteHandle;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
});

afterAll(async () => {
  await azurite?.stop();
});

describe('TableLaunchDurations on Azurite', () => {
  const create: LaunchKey = { region: 'westeurope', vmSize: 'Standard_DS3_v2', kind: 'create' };
  const start: LaunchKey = { ...create, kind: 'start' };
  const elsewhere: LaunchKey = { ...create, region: 'eastus' };

  it('answers the most recent durations of one region, VM size and kind, newest first', async () => {
    const durations = new TableLaunchDurations({ connectionString: azurite.connectionString, tableName: `servers${randomUUID().replace(/-/g, '').slice(0, 12)}` });
    await durations.ensureTable();
    expect(await durations.recent(create, 10)).toEqual([]);

    for (let minute = 0; minute < 12; minute++) {
      await durations.record(create, 300 + minute, new Date(Date.UTC(2026, 10, 26, 9, minute)).toISOString());
    }
    await durations.record(start, 120, '2026-11-26T09:30:00Z');
    await durations.record(elsewhere, 500, '2026-11-26T09:30:00Z');

    expect(await durations.recent(create, 10)).toEqual([311, 310, 309, 308, 307, 306, 305, 304, 303, 302]);
    expect(await durations.recent(start, 10)).toEqual([120]);
    expect(await durations.recent(elsewhere, 10)).toEqual([500]);
  });
});
