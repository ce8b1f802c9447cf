/** What the use cases need, built once by the composition root. */
import type { Settings } from '../config/settings';
import type { ServerIdentity } from '../domain/naming';
import type { AmlGateway, Clock, PriceBook, ServerRepository, UsageLedger } from '../domain/ports';
import type { ProjectCatalog } from './project-catalog';

export interface Dependencies {
  settings: Settings;
  servers: ServerRepository;
  aml: AmlGateway;
  catalog: ProjectCatalog;
  clock: Clock;
  /** The usage ledger (Running intervals) and the hourly prices that cost them. */
  usage: UsageLedger;
  prices: PriceBook;
  /** The id formula (naming.ts `serverIdFor`); a dependency so a test can force two identities onto one id. */
  serverId: (identity: ServerIdentity) => string;
}

export function nowIso(deps: Pick<Dependencies, 'clock'>): string {
  return deps.clock.now().toISOString();
}
