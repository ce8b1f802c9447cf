/** Lifecycle hooks registered through the core API, run in registration order as the worker does. */
import type { HookCallback, HookContext } from './core-types';
import { Disposable } from './disposable';

export const HOOK_NAMES = ['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export class HookRegistry {
  readonly #hooks = new Map<HookName, HookCallback[]>(HOOK_NAMES.map((name) => [name, []]));
  /** Shared by every hook of every scope (`appHookData`). */
  readonly appHookData: Record<string, unknown> = {};
  /** The `hookData` of app-level hooks (appStart, appTerminate), shared by them only, as in the worker. */
  readonly appLevelOnlyHookData: Record<string, unknown> = {};

  register(name: string, callback: HookCallback): Disposable {
    const list = this.#hooks.get(name as HookName);
    if (!list) {
      // The programming model recognises this RangeError as "host too old for this hook".
      const error = new RangeError(`Unrecognized hook "${name}"`) as RangeError & { isAzureFunctionsSystemError: boolean };
      error.isAzureFunctionsSystemError = true;
      throw error;
    }
    list.push(callback);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) list.splice(index, 1);
    });
  }

  has(name: HookName): boolean {
    return (this.#hooks.get(name)?.length ?? 0) > 0;
  }

  /** Awaits each hook in turn; an exception stops the chain and propagates, as in the worker. */
  async run(name: HookName, context: HookContext): Promise<void> {
    for (const callback of [...(this.#hooks.get(name) ?? [])]) {
      await callback(context);
    }
  }

  /** Log hooks are synchronous by contract. */
  runSync(name: HookName, context: HookContext): void {
    for (const callback of [...(this.#hooks.get(name) ?? [])]) callback(context);
  }
}
