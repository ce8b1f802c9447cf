/**
 * The one place concrete adapters are built, from the settings validated once at start-up, and
 * the production app's root (`productionRoot`) every function file registers its handler with.
 * Production and the local stack differ only in the settings (endpoints, credential environment).
 * The HTTP edge does not import this module: it is given the root.
 */
import { DefaultAzureCredential } from '@azure/identity';
import * as df from 'durable-functions';
import { loadSettings, type Settings } from './config/settings';
import { idleFloorWarnings } from './domain/idle-shutdown';
import { serverIdFor } from './domain/naming';
import { WIND_DOWN_TIMEOUT_MINUTES } from './domain/lifecycle';
import { ArmAmlGateway } from './adapters/aml/arm-aml-gateway';
import { DurableOrchestrationControl } from './adapters/durable/durable-orchestration-control';
import { TableLaunchDurations } from './adapters/table/table-launch-durations';
import { TableServerRepository } from './adapters/table/table-server-repository';
import { createTableClient } from './adapters/table/server-tables';
import { TableQuotaSlots } from './adapters/table/table-quota-slots';
import { TableWritePacer } from './adapters/table/table-write-pacer';
import { TableWatchList, WATCH_SUFFIX } from './adapters/table/table-watch-list';
import { TableUsageLedger } from './adapters/table/table-usage-ledger';
import { TableSchedules } from './adapters/table/table-schedules';
import { RetailPriceBook } from './adapters/prices/retail-price-book';
import { UsageRecordingServers } from './use-cases/usage-recording-servers';
import { appServices, type AppRoot, type AppServices } from './app-services';
import type { Dependencies } from './use-cases/dependencies';
import { consoleLog } from './logging/log-events';
import { ProjectCatalog } from './use-cases/project-catalog';

const systemClock = { now: () => new Date() };

export function buildDependencies(settings: Settings): Dependencies & { tableServers: TableServerRepository } {
  const credential = new DefaultAzureCredential();
  const connection = settings.state.connectionString
    ? { connectionString: settings.state.connectionString }
    : { endpoint: settings.state.tableEndpoint ?? '', credential };
  const tableServers = new TableServerRepository({ ...connection, tableName: settings.state.tableName });
  const usage = new TableUsageLedger(connection, settings.cost.usageTableName);
  const quotaSlots = new TableQuotaSlots(createTableClient(connection, `${settings.state.tableName}quota`));
  const writePacer = new TableWritePacer({
    client: createTableClient(connection, `${settings.state.tableName}pacing`),
    subscriptionId: settings.subscriptionId,
    limits: settings.armWrites,
  });
  const watchList = new TableWatchList(createTableClient(connection, `${settings.state.tableName}${WATCH_SUFFIX}`));
  const aml = new ArmAmlGateway({
    credential,
    subscriptionId: settings.subscriptionId,
    endpoint: settings.armEndpoint,
    applicationSharingPolicy: settings.applicationSharingPolicy,
  });
  const catalog = new ProjectCatalog({
    aml,
    clock: systemClock,
    accessRule: settings.projectAccess,
    sizeCandidates: settings.sizeCandidates,
    cacheSeconds: settings.catalogCacheSeconds,
    rbac: { subscriptionId: settings.subscriptionId, ...settings.rbac },
  });
  const durations = new TableLaunchDurations({ ...connection, tableName: settings.state.tableName });
  const prices = new RetailPriceBook({
    endpoint: settings.cost.pricesEndpoint,
    currency: settings.cost.currency,
    overrides: settings.cost.priceOverrides,
    clock: systemClock,
    log: consoleLog.warn,
  });
  // Every transition in or out of Running, wherever it is written, lands in the usage ledger.
  const regionOf = async (project: string) => {
    const lookup = await catalog.findProject(project, 'anyone');
    return lookup.kind === 'offered' ? lookup.project.location.toLowerCase() : 'unknown';
  };
  const servers = new UsageRecordingServers(tableServers, usage, regionOf);
  const schedules = new TableSchedules(connection, settings.state.tableName);
  return { settings, servers, tableServers, aml, catalog, clock: systemClock, serverId: serverIdFor, durations, quotaSlots, writePacer, watchList, usage, prices, schedules };
}

/**
 * The production app's services, built once per process from the environment's settings on first
 * use (the appStart hook asks first, so a bad configuration is reported at boot). A failed build is
 * not kept, so the next invocation reports the problem again.
 */
export const productionRoot: AppRoot = (() => {
  let built: Promise<AppServices> | null = null;
  return () => {
    if (!built) {
      built = buildProductionServices();
      built.catch(() => {
        built = null;
      });
    }
    return built;
  };
})();

async function buildProductionServices(): Promise<AppServices> {
  const settings = loadSettings(process.env);
  // Once per start: a size whose idle time Azure would refuse gets the floor instead.
  for (const warning of idleFloorWarnings(settings.idleStopMinutes, settings.idleShutdownFloorMinutes)) {
    consoleLog.warn('settings.idle-below-floor', { detail: warning });
  }
  const { tableServers, ...deps } = buildDependencies(settings);
  await tableServers.ensureTables();
  if (deps.durations instanceof TableLaunchDurations) await deps.durations.ensureTable();
  if (deps.quotaSlots instanceof TableQuotaSlots) await deps.quotaSlots.ensureTable();
  if (deps.writePacer instanceof TableWritePacer) await deps.writePacer.ensureTable();
  if (deps.watchList instanceof TableWatchList) await deps.watchList.ensureTable();
  if (deps.usage instanceof TableUsageLedger) await deps.usage.ensureTable();
  if (deps.schedules instanceof TableSchedules) await deps.schedules.ensureTable();
  const timeouts = { provisionTimeoutMinutes: settings.provisionTimeoutMinutes, windDownTimeoutMinutes: WIND_DOWN_TIMEOUT_MINUTES };
  return appServices(deps, (context) => new DurableOrchestrationControl(df.getClient(context), timeouts));
}
