/**
 * The one place concrete adapters are built, from the settings validated once at start-up.
 * Production and the local stack differ only in the settings (endpoints, credential environment).
 */
import type { InvocationContext } from '@azure/functions';
import { DefaultAzureCredential } from '@azure/identity';
import * as df from 'durable-functions';
import { loadSettings, type Settings } from './config/settings';
import { idleFloorWarnings } from './domain/idle-shutdown';
import { serverIdFor } from './domain/naming';
import { WIND_DOWN_TIMEOUT_MINUTES } from './domain/lifecycle';
import type { OrchestrationControl } from './domain/ports';
import { ArmAmlGateway } from './adapters/aml/arm-aml-gateway';
import { EntraTokenVerifier } from './adapters/auth/entra-token-verifier';
import { DurableOrchestrationControl } from './adapters/durable/durable-orchestration-control';
import { TableLaunchDurations } from './adapters/table/table-launch-durations';
import { TableServerRepository } from './adapters/table/table-server-repository';
import { createTableClient } from './adapters/table/server-tables';
import { TableQuotaSlots } from './adapters/table/table-quota-slots';
import { TableWritePacer } from './adapters/table/table-write-pacer';
import { TableWatchList, WATCH_SUFFIX } from './adapters/table/table-watch-list';
import { TableUsageLedger } from './adapters/table/table-usage-ledger';
import { RetailPriceBook } from './adapters/prices/retail-price-book';
import { UsageRecordingServers } from './use-cases/usage-recording-servers';
import { CallerAuthenticator } from './http/caller-authenticator';
import type { Dependencies } from './use-cases/dependencies';
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
    log: (event, fields) => console.warn(event, JSON.stringify(fields)),
  });
  // Every transition in or out of Running, wherever it is written, lands in the usage ledger.
  const regionOf = async (project: string) => {
    const lookup = await catalog.findProject(project, 'anyone');
    return lookup.kind === 'offered' ? lookup.project.location.toLowerCase() : 'unknown';
  };
  const servers = new UsageRecordingServers(tableServers, usage, regionOf);
  return { settings, servers, tableServers, aml, catalog, clock: systemClock, serverId: serverIdFor, durations, quotaSlots, writePacer, watchList, usage, prices };
}

type ControlFactory = (context: InvocationContext, deps: Dependencies) => OrchestrationControl;

const durableControl: ControlFactory = (context, deps) =>
  new DurableOrchestrationControl(df.getClient(context), {
    provisionTimeoutMinutes: deps.settings.provisionTimeoutMinutes,
    windDownTimeoutMinutes: WIND_DOWN_TIMEOUT_MINUTES,
  });

let current: { deps: Promise<Dependencies> | null; control: ControlFactory } = { deps: null, control: durableControl };

/** The application's dependencies, built on first use; tables are created once. */
export function dependencies(): Promise<Dependencies> {
  if (!current.deps) {
    current.deps = (async () => {
      const settings = loadSettings(process.env);
      // Once per start: a size whose idle time Azure would refuse gets the floor instead.
      for (const warning of idleFloorWarnings(settings.idleStopMinutes, settings.idleShutdownFloorMinutes)) {
        console.warn(`settings.idle-below-floor: ${warning}`);
      }
      const { tableServers, ...deps } = buildDependencies(settings);
      await tableServers.ensureTables();
      if (deps.durations instanceof TableLaunchDurations) await deps.durations.ensureTable();
      if (deps.quotaSlots instanceof TableQuotaSlots) await deps.quotaSlots.ensureTable();
      if (deps.writePacer instanceof TableWritePacer) await deps.writePacer.ensureTable();
      if (deps.watchList instanceof TableWatchList) await deps.watchList.ensureTable();
      if (deps.usage instanceof TableUsageLedger) await deps.usage.ensureTable();
      return deps;
    })();
    // A failed start-up is not cached, so the next invocation reports the problem again.
    current.deps.catch(() => {
      current.deps = null;
    });
  }
  return current.deps;
}

export function orchestrationControl(context: InvocationContext, deps: Dependencies): OrchestrationControl {
  return current.control(context, deps);
}

const authenticators = new WeakMap<Settings, CallerAuthenticator>();

/** The caller authenticator for these settings, built once (its token verifier caches the signing keys). */
export function callerAuthenticator(settings: Settings): CallerAuthenticator {
  let authenticator = authenticators.get(settings);
  if (!authenticator) {
    const { auth } = settings;
    authenticator = new CallerAuthenticator(auth, auth.entra ? new EntraTokenVerifier(auth.entra) : null);
    authenticators.set(settings, authenticator);
  }
  return authenticator;
}

/** Wires other dependencies (tests drive the functions with adapters of their choosing). */
export function useDependencies(deps: Dependencies, control: ControlFactory = durableControl): void {
  current = { deps: Promise.resolve(deps), control };
}
