/** What the use cases need, built once by the composition root. */
import type { Settings } from '../config/settings';
import type { LaunchDurations } from '../domain/launch-durations';
import type { ServerIdentity } from '../domain/naming';
import type { AmlGateway, Clock, PriceBook, ServerRepository, UsageLedger } from '../domain/ports';
import type { ScheduleStore } from '../domain/schedules';
import type { QuotaSlots } from '../domain/quota-slots';
import type { WatchList } from '../domain/watch-list';
import type { WritePacer } from '../domain/write-pacing';
import type { ProjectCatalog } from './project-catalog';

export interface Dependencies {
  settings: Settings;
  servers: ServerRepository;
  aml: AmlGateway;
  catalog: ProjectCatalog;
  clock: Clock;
  /** Recent launch durations per region, VM size and kind (the learned timing). */
  durations: LaunchDurations;
  /** The places of the spawn quotas (exact under a burst). */
  quotaSlots: QuotaSlots;
  /** The shared schedule of ARM creates and starts. */
  writePacer: WritePacer;
  /** The servers waiting for their workspace's watcher, and who is on duty (issue 12). */
  watchList: WatchList;
  /** The usage ledger (Running intervals) and the hourly prices that cost them. */
  usage: UsageLedger;
  prices: PriceBook;
  /** Class schedules (their own table). */
  schedules: ScheduleStore;
  /** The id formula (naming.ts `serverIdFor`); a dependency so a test can force two identities onto one id. */
  serverId: (identity: ServerIdentity) => string;
}

/**
 * A use case's dependencies with only the settings it reads: its signature says which, and a test
 * gives it those and no others. (The composition root passes the whole set; it satisfies every one.)
 */
export type WithSettings<S extends keyof Settings> = Omit<Dependencies, 'settings'> & { settings: Pick<Settings, S> };

export function nowIso(deps: Pick<Dependencies, 'clock'>): string {
  return deps.clock.now().toISOString();
}
