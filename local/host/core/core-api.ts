/**
 * The object this host hands out as the module `@azure/functions-core`: the API the Azure
 * Functions Node.js worker gives the programming model (`@azure/functions`), which uses it to
 * register functions and hooks and to set itself as the invocation model.
 */
import type { FunctionCallback, FunctionMetadata, HookCallback, ProgrammingModel, RpcLogCategory, RpcLogLevel } from './core-types';
import { Disposable } from './disposable';
import type { FunctionLogSink } from './function-log-sink';
import type { FunctionRegistry } from './function-registry';
import type { HookRegistry } from './hook-registry';

export interface CoreApi {
  version: string;
  hostVersion: string;
  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable;
  registerHook(hookName: string, callback: HookCallback): Disposable;
  setProgrammingModel(model: ProgrammingModel): void;
  getProgrammingModel(): ProgrammingModel | undefined;
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
  Disposable: typeof Disposable;
}

export interface CoreApiDependencies {
  registry: FunctionRegistry;
  hooks: HookRegistry;
  logs: FunctionLogSink;
}

/** Versions the programming model may compare against; chosen to satisfy its feature checks. */
export const WORKER_VERSION = '3.12.0';
export const HOST_VERSION = '4.1037.0';

export function createCoreApi({ registry, hooks, logs }: CoreApiDependencies): CoreApi {
  let programmingModel: ProgrammingModel | undefined;
  return {
    version: WORKER_VERSION,
    hostVersion: HOST_VERSION,
    registerFunction(metadata, callback) {
      registry.register(metadata, callback);
      return new Disposable(() => registry.unregister(metadata.name));
    },
    registerHook: (hookName, callback) => hooks.register(hookName, callback),
    setProgrammingModel(model) {
      programmingModel = model;
    },
    getProgrammingModel: () => programmingModel,
    log(level, category, message) {
      logs.write({ level, category, message });
    },
    Disposable,
  };
}
