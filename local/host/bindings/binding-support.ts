/**
 * Which bindings this host runs. On Azure every binding of a function does something; here a
 * binding the host does not implement would be silently ignored (an output dropped while the
 * function "succeeds"), so the host refuses to start and names it instead.
 */
import type { RpcBindingInfo } from '../core/core-types';
import type { RegisteredFunction } from '../core/function-registry';

/** Non-trigger bindings the host implements, by direction (types compared case-insensitively). */
const SUPPORTED_INPUTS = new Set(['durableclient', 'orchestrationclient']);
/** `http` is the HTTP response; blob, queue and table are written to the storage account. */
const SUPPORTED_OUTPUTS = new Set(['http', 'blob', 'queue', 'table']);

export interface UnsupportedBinding {
  functionName: string;
  bindingName: string;
  type: string;
  direction: string;
}

export function unsupportedBindings(functions: RegisteredFunction[]): UnsupportedBinding[] {
  const found: UnsupportedBinding[] = [];
  for (const fn of functions) {
    // A trigger the host cannot fire (queue, blob, Service Bus...) would never run the function.
    if (fn.kind === 'unsupported') {
      found.push({ functionName: fn.name, bindingName: fn.triggerBindingName, type: fn.trigger.type ?? '(none)', direction: 'trigger' });
    }
    for (const [bindingName, binding] of Object.entries(fn.metadata.bindings)) {
      if (bindingName === fn.triggerBindingName || isSupported(binding)) continue;
      found.push({ functionName: fn.name, bindingName, type: binding.type ?? '(none)', direction: binding.direction ?? '(none)' });
    }
  }
  return found;
}

function isSupported(binding: RpcBindingInfo): boolean {
  const type = (binding.type ?? '').toLowerCase();
  if (binding.direction === 'in') return SUPPORTED_INPUTS.has(type);
  if (binding.direction === 'out') return SUPPORTED_OUTPUTS.has(type);
  return false;
}

export class UnsupportedBindingError extends Error {
  constructor(readonly bindings: UnsupportedBinding[]) {
    super(
      'The local host does not support these bindings, which Azure would run: ' +
        bindings.map((b) => `function '${b.functionName}' binding '${b.bindingName}' (type '${b.type}', direction '${b.direction}')`).join('; ') +
        `. Supported: HTTP, timer and Durable triggers; ${[...SUPPORTED_INPUTS].join(', ')} inputs; ${[...SUPPORTED_OUTPUTS].join(', ')} outputs.`,
    );
    this.name = 'UnsupportedBindingError';
  }
}
