/**
 * Makes `require('@azure/functions-core')` resolve to our API object, the way the Azure Functions
 * Node.js worker does: by wrapping `Module.prototype.require` for that one name. It must be in place
 * before the app's first `app.*` call, because the programming model looks the module up once and
 * caches a failure as "test mode" (dropping every registration).
 */
import Module from 'node:module';

export const CORE_MODULE_NAME = '@azure/functions-core';

type RequireFunction = (this: NodeJS.Module, id: string) => unknown;

/** Installs the provider and returns a function that restores the original `require`. */
export function provideCoreModule(coreApi: object): () => void {
  const prototype = (Module as unknown as { prototype: { require: RequireFunction } }).prototype;
  const originalRequire = prototype.require;
  prototype.require = function requireWithCore(this: NodeJS.Module, id: string): unknown {
    if (id === CORE_MODULE_NAME) return coreApi;
    return originalRequire.call(this, id);
  };
  return () => {
    prototype.require = originalRequire;
  };
}
