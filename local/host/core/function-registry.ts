/**
 * Every function the app registered through `registerFunction`, with its trigger classified. The
 * registry is closed once the app has loaded, as the worker does.
 */
import type { FunctionCallback, FunctionMetadata, RpcBindingInfo } from './core-types';

export type TriggerKind = 'http' | 'timer' | 'orchestration' | 'activity' | 'entity' | 'unsupported';

export interface RegisteredFunction {
  name: string;
  metadata: FunctionMetadata;
  callback: FunctionCallback;
  triggerBindingName: string;
  trigger: RpcBindingInfo;
  kind: TriggerKind;
}

export class FunctionRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionRegistrationError';
  }
}

const KIND_BY_TRIGGER: Record<string, TriggerKind> = {
  httptrigger: 'http',
  timertrigger: 'timer',
  orchestrationtrigger: 'orchestration',
  activitytrigger: 'activity',
  entitytrigger: 'entity',
};

export class FunctionRegistry {
  readonly #functions = new Map<string, RegisteredFunction>();
  #closed = false;

  register(metadata: FunctionMetadata, callback: FunctionCallback): RegisteredFunction {
    if (this.#closed) {
      throw new FunctionRegistrationError('A function can only be registered during app startup.');
    }
    const key = metadata.name.toLowerCase();
    if (this.#functions.has(key)) {
      throw new FunctionRegistrationError(`A function with the name "${metadata.name}" has already been registered.`);
    }
    const triggerEntry = Object.entries(metadata.bindings).find(([, binding]) => /trigger$/i.test(binding.type ?? ''));
    if (!triggerEntry) throw new FunctionRegistrationError(`Function "${metadata.name}" has no trigger binding.`);
    const [triggerBindingName, trigger] = triggerEntry;
    const registered: RegisteredFunction = {
      name: metadata.name,
      metadata,
      callback,
      triggerBindingName,
      trigger,
      kind: KIND_BY_TRIGGER[(trigger.type ?? '').toLowerCase()] ?? 'unsupported',
    };
    this.#functions.set(key, registered);
    return registered;
  }

  unregister(name: string): void {
    if (!this.#closed) this.#functions.delete(name.toLowerCase());
  }

  close(): void {
    this.#closed = true;
  }

  /** Function names are case-insensitive in Azure Functions. */
  get(name: string): RegisteredFunction | undefined {
    return this.#functions.get(name.toLowerCase());
  }

  getOfKind(name: string, kind: TriggerKind): RegisteredFunction | undefined {
    const found = this.get(name);
    return found?.kind === kind ? found : undefined;
  }

  all(): RegisteredFunction[] {
    return [...this.#functions.values()];
  }

  ofKind(kind: TriggerKind): RegisteredFunction[] {
    return this.all().filter((fn) => fn.kind === kind);
  }
}
