/**
 * The local Functions host, wired in one place: app settings → host.json → the
 * `@azure/functions-core` module → load the app → durable engine (if the app uses Durable
 * Functions) → HTTP front end and timers. `startHost` returns once everything listens.
 */
import { resolve } from 'node:path';
import { createManagementApi, DurableEngine, durableClientBindingData, type DurableClientBindingData, type DurableEngineOptions } from '../durable-engine';
import { loadApp } from './app-loader';
import { unsupportedBindings, UnsupportedBindingError } from './bindings/binding-support';
import { StorageOutputs } from './bindings/storage-outputs';
import { loadAppSettings } from './app-settings';
import { createCoreApi, HOST_VERSION } from './core/core-api';
import { provideCoreModule } from './core/core-module-provider';
import { FunctionLogSink } from './core/function-log-sink';
import { FunctionInvoker } from './core/function-invoker';
import { FunctionRegistry, type RegisteredFunction } from './core/function-registry';
import { HookRegistry } from './core/hook-registry';
import { DurableFunctionsAdapter } from './durable-functions-adapter';
import { loadHostConfig } from './host-config';
import { DEFAULT_FUNCTION_KEY } from './http/function-key';
import { DURABLE_WEBHOOK_PATH, HttpHostServer } from './http/http-host-server';
import { DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES } from './http/read-body';
import { RouteTable } from './http/route-table';
import { WebhookServer } from './http/webhook-server';
import { createLogger, type Logger } from './logger';
import { exemptLoopbackFromProxy } from './loopback-no-proxy';
import { startupBanner } from './startup-banner';
import { TimerScheduler } from './timer/timer-scheduler';

export interface StartHostOptions {
  /** Folder with package.json (whose main names the compiled functions) and host.json. */
  appDir: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** Listen address, default 127.0.0.1. */
  hostname?: string;
  logger?: Logger;
  /** Default: the app setting FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (bytes), else Azure's 100 MB. */
  maxBodyBytes?: number;
  /** A request body not complete within this long gets a 408 (default 30 s). */
  bodyTimeoutMs?: number;
  /** A function that has not answered within this long gets a 502, as from Azure's front end (default 230 s). */
  responseTimeoutMs?: number;
  /** Print the function list at start-up (default true). */
  banner?: boolean;
  durable?: { activityLeaseMs?: number; idlePollMs?: number; stopGraceMs?: number };
}

export interface RunningHost {
  /** e.g. http://127.0.0.1:7071 */
  url: string;
  port: number;
  functionKey: string;
  functions: RegisteredFunction[];
  engine: DurableEngine | undefined;
  stop(): Promise<void>;
}

const RPC_MOUNT = '/durabletask';
/** Azure's load balancer answers a request still running after 230 s with a 502. */
const AZURE_FRONT_END_TIMEOUT_MS = 230_000;
const DURABLE_KINDS = new Set(['orchestration', 'activity', 'entity']);

export async function startHost(options: StartHostOptions): Promise<RunningHost> {
  const appDir = resolve(options.appDir);
  const logger = options.logger ?? createLogger();
  const { settings, fromFile } = loadAppSettings(appDir);
  if (fromFile.length > 0) logger.info('host.settings', `Loaded ${fromFile.length} app settings from local.settings.json`, { names: fromFile.join(',') });
  if (exemptLoopbackFromProxy()) logger.info('host.no-proxy', 'An HTTP proxy is configured: added 127.0.0.1 and localhost to NO_PROXY');
  const config = loadHostConfig(appDir, settings);
  if (!config.found) logger.warn('host.config', `No host.json in ${appDir}; using defaults`);
  const functionKey = settings.FUNCTIONS_KEY || DEFAULT_FUNCTION_KEY;

  const registry = new FunctionRegistry();
  const hooks = new HookRegistry();
  const logs = new FunctionLogSink(logger, hooks);
  const coreApi = createCoreApi({ registry, hooks, logs });
  const restoreRequire = provideCoreModule(coreApi);
  let clientData: DurableClientBindingData | undefined;
  const invoker = new FunctionInvoker({
    outputs: new StorageOutputs(settings),
    getProgrammingModel: coreApi.getProgrammingModel,
    hooks,
    logs,
    logger,
    appDir,
    extraInputs: {
      // df.input.durableClient(): the binding value df.getClient(context) reads.
      durableclient: () => (clientData ? { string: JSON.stringify(clientData) } : undefined),
      orchestrationclient: () => (clientData ? { string: JSON.stringify(clientData) } : undefined),
    },
  });

  // Filled in as parts start; `stop` takes down whichever exist, in dependency order.
  const parts: {
    server?: HttpHostServer;
    rpc?: WebhookServer;
    timers?: TimerScheduler;
    engine?: DurableEngine;
    appStarted?: boolean;
  } = {};
  const graceMs = options.durable?.stopGraceMs ?? 10_000;
  const stopParts = async () => {
    // HTTP first (drain running requests, which may still call the durable client), then timers,
    // then the engine, then the client's RPC endpoint, then the app's own terminate hooks.
    if (parts.server) await closeServer(parts.server, graceMs);
    await parts.timers?.stop();
    await parts.engine?.stop();
    await parts.rpc?.close();
    if (parts.appStarted) {
      await hooks.run('appTerminate', { hookData: hooks.appLevelOnlyHookData, appHookData: hooks.appHookData }).catch((error: unknown) => {
        logger.warn('hook.failed', `An appTerminate hook threw: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    restoreRequire();
  };

  try {
    const loaded = await loadApp(appDir);
    registry.close();
    logger.info('host.app-loaded', `Loaded ${registry.all().length} functions from ${loaded.entryPoints.length} files`, { appDir });
    await checkCapabilities(coreApi.getProgrammingModel());

    const functions = registry.all();
    const unsupported = unsupportedBindings(functions);
    if (unsupported.length > 0) throw new UnsupportedBindingError(unsupported);
    const routes = new RouteTable(registry.ofKind('http'));
    const timers = new TimerScheduler(registry.ofKind('timer'), settings, invoker, logger);
    for (const failed of timers.errors) {
      logger.error('host.function-error', `The '${failed.name}' function is in error: ${failed.message}`, { function: failed.name });
    }

    let webhooks: ReturnType<typeof createManagementApi> | undefined;
    let publicWebhookBase: string | undefined;
    if (functions.some((fn) => DURABLE_KINDS.has(fn.kind) || hasDurableClient(fn))) {
      const connectionString = settings[config.durable.connectionSettingName] || 'UseDevelopmentStorage=true';
      parts.engine = await openEngine(config.durable.connectionSettingName, {
        connectionString,
        hubName: config.durable.hubName,
        overridableExistingInstanceStates: config.durable.overridableExistingInstanceStates,
        port: new DurableFunctionsAdapter(registry, invoker),
        logger,
        maxConcurrentActivities: config.durable.maxConcurrentActivityFunctions,
        maxConcurrentOrchestrations: config.durable.maxConcurrentOrchestratorFunctions,
        versioning: config.durable.versioning,
        ...options.durable,
      });
      webhooks = createManagementApi(parts.engine.client, {
        taskHubName: config.durable.hubName,
        requiredQuery: `code=${encodeURIComponent(functionKey)}`,
        publicBaseUrl: () => publicWebhookBase,
      });
    }

    // The worker runs appStart hooks once the app is loaded, before the first invocation.
    parts.appStarted = true;
    await hooks.run('appStart', { hookData: hooks.appLevelOnlyHookData, appHookData: hooks.appHookData, functionAppDirectory: appDir });

    const maxBodyBytes = options.maxBodyBytes ?? bodySizeLimit(settings.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT);
    parts.server = new HttpHostServer({
      routes,
      routePrefix: config.routePrefix,
      invoker,
      functionKey,
      maxBodyBytes,
      bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
      responseTimeoutMs: options.responseTimeoutMs ?? AZURE_FRONT_END_TIMEOUT_MS,
      logger,
      durableWebhooks: webhooks,
      hostVersion: HOST_VERSION,
    });
    const address = await parts.server.listen(options.port ?? 7071, options.hostname ?? '127.0.0.1');
    const linkHost = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
    const url = `http://${linkHost.includes(':') ? `[${linkHost}]` : linkHost}:${address.port}`;

    if (webhooks) {
      // The durable client's own calls (orchestration inputs) are the app's, not the public's: Azure's cap.
      parts.rpc = new WebhookServer(RPC_MOUNT, webhooks, DEFAULT_MAX_BODY_BYTES, logger);
      const rpcAddress = await parts.rpc.listen();
      publicWebhookBase = `${url}${DURABLE_WEBHOOK_PATH}`;
      clientData = durableClientBindingData(
        { baseUrl: publicWebhookBase, taskHubName: config.durable.hubName, requiredQuery: `code=${encodeURIComponent(functionKey)}` },
        `http://127.0.0.1:${rpcAddress.port}${RPC_MOUNT}/`,
      );
    }

    await parts.engine?.start();
    parts.timers = timers;
    timers.start();

    logger.info('host.started', `Host started: ${url}`, { port: address.port });
    if (options.banner !== false) {
      process.stdout.write(
        startupBanner({ baseUrl: url, routePrefix: config.routePrefix, functions, routes, timers: timers.jobs, timerErrors: timers.errors, functionKey, taskHub: parts.engine?.hubName }),
      );
    }

    let stopping: Promise<void> | undefined;
    return {
      url,
      port: address.port,
      functionKey,
      functions,
      engine: parts.engine,
      stop: () => (stopping ??= stopParts().then(() => logger.info('host.stopped', 'Host stopped'))),
    };
  } catch (error) {
    await stopParts().catch(() => undefined);
    throw error;
  }
}

/** FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, Azure's app setting for the largest request body, in bytes. */
function bodySizeLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_MAX_BODY_BYTES;
  const bytes = Number(value);
  if (!Number.isInteger(bytes) || bytes <= 0) throw new Error(`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT must be a positive number of bytes, got ${value}`);
  return bytes;
}

/** Opens the engine, turning "storage unreachable" into advice. */
async function openEngine(settingName: string, options: DurableEngineOptions): Promise<DurableEngine> {
  try {
    return await DurableEngine.open(options);
  } catch (error) {
    throw new Error(
      `The durable engine could not open its task hub "${options.hubName}" in the storage named by ${settingName}: ` +
        `${error instanceof Error ? error.message : String(error)}. Is Azurite running (npm run start:storage)?`,
      { cause: error },
    );
  }
}

function hasDurableClient(fn: RegisteredFunction): boolean {
  return Object.values(fn.metadata.bindings).some((binding) => /^(durableClient|orchestrationClient)$/i.test(binding.type ?? ''));
}

/** The worker asks the programming model for its capabilities once the app is loaded; HTTP streaming is not supported here. */
async function checkCapabilities(model: ReturnType<ReturnType<typeof createCoreApi>['getProgrammingModel']>): Promise<void> {
  if (!model?.getCapabilities) return;
  const capabilities = await model.getCapabilities({});
  if (capabilities.HttpUri) {
    throw new Error('HTTP streaming (app.setup({ enableHttpStream: true })) is not supported by the local host');
  }
}

/** Stops accepting requests, gives running ones `graceMs`, then cuts what is left. */
async function closeServer(server: HttpHostServer, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([server.close(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  server.closeAllConnections();
}
