/** Builders of the application's dependencies for tests, with overrides. */
import { loadSettings, type Settings } from '../../shared/config/settings';
import { serverIdFor } from '../../shared/domain/naming';
import type { AmlGateway, Clock, PriceBook, ServerRepository, UsageLedger } from '../../shared/domain/ports';
import type { LaunchDurations } from '../../shared/domain/launch-durations';
import type { Dependencies } from '../../shared/use-cases/dependencies';
import { ProjectCatalog } from '../../shared/use-cases/project-catalog';
import { InMemoryLaunchDurations } from './in-memory-launch-durations';
import type { QuotaSlots } from '../../shared/domain/quota-slots';
import type { WritePacer } from '../../shared/domain/write-pacing';
import { InMemoryQuotaSlots, InMemoryWritePacer } from './in-memory-pacing';
import { FixedPriceBook, InMemoryUsageLedger } from './in-memory-usage-ledger';
import { InMemorySchedules } from './in-memory-schedules';
import type { ScheduleStore } from '../../shared/domain/schedules';
import { InMemoryWatchList } from './in-memory-watch-list';
import type { WatchList } from '../../shared/domain/watch-list';

export const TEST_SUBSCRIPTION_ID = '00000000-0000-0000-0000-00000000a4b1';
/** The shared key the tests' hub presents (HUB_API_KEY). */
export const TEST_HUB_API_KEY = 'test-hub-api-key-0123';

export function testSettings(overrides: Record<string, string> = {}): Settings {
  return loadSettings({
    AZURE_SUBSCRIPTION_ID: TEST_SUBSCRIPTION_ID,
    STATE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    HUB_API_KEY: TEST_HUB_API_KEY,
    ...overrides,
  });
}

export class VirtualClock implements Clock {
  constructor(private current: Date = new Date('2026-11-26T09:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date): void {
    this.current = new Date(to);
  }
  advanceSeconds(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

export function testDependencies(parts: {
  servers: ServerRepository;
  aml: AmlGateway;
  clock?: Clock;
  settings?: Settings;
  serverId?: Dependencies['serverId'];
  durations?: LaunchDurations;
  quotaSlots?: QuotaSlots;
  writePacer?: WritePacer;
  watchList?: WatchList;
  usage?: UsageLedger;
  prices?: PriceBook;
  schedules?: ScheduleStore;
}): Dependencies {
  const settings = parts.settings ?? testSettings();
  const clock = parts.clock ?? new VirtualClock();
  const catalog = new ProjectCatalog({
    aml: parts.aml,
    clock,
    accessRule: settings.projectAccess,
    sizeCandidates: settings.sizeCandidates,
    cacheSeconds: settings.catalogCacheSeconds,
    rbac: { subscriptionId: settings.subscriptionId, ...settings.rbac },
  });
  return {
    settings,
    servers: parts.servers,
    aml: parts.aml,
    catalog,
    clock,
    serverId: parts.serverId ?? serverIdFor,
    durations: parts.durations ?? new InMemoryLaunchDurations(),
    quotaSlots: parts.quotaSlots ?? new InMemoryQuotaSlots(),
    writePacer: parts.writePacer ?? new InMemoryWritePacer(settings.armWrites),
    watchList: parts.watchList ?? new InMemoryWatchList(),
    usage: parts.usage ?? new InMemoryUsageLedger(),
    prices: parts.prices ?? new FixedPriceBook(),
    schedules: parts.schedules ?? new InMemorySchedules(),
  };
}
