/**
 * Where every log of the app lands: `context.log` during an invocation and `coreApi.log` outside
 * one. Log hooks run first and may rewrite the level and message of user logs, as in the worker.
 */
import { fromRpcLogLevel, type Logger } from '../logger';
import type { RpcLogCategory, RpcLogLevel } from './core-types';
import type { HookRegistry } from './hook-registry';

export interface FunctionLogEntry {
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
  functionName?: string;
  invocationId?: string;
  /** The programming model's context object, handed to log hooks. */
  invocationContext?: unknown;
}

export class FunctionLogSink {
  constructor(private readonly logger: Logger, private readonly hooks: HookRegistry) {}

  write(entry: FunctionLogEntry): void {
    let { level, message } = entry;
    if (this.hooks.has('log')) {
      const context = {
        hookData: {},
        appHookData: this.hooks.appHookData,
        invocationContext: entry.invocationContext,
        category: entry.category,
        level,
        message,
      };
      try {
        this.hooks.runSync('log', context);
        if (entry.category === 'user') {
          level = context.level;
          message = context.message;
        }
      } catch (error) {
        this.logger.warn('hook.failed', `A log hook threw: ${describe(error)}`);
      }
    }
    const mapped = fromRpcLogLevel(level);
    if (!mapped) return;
    const event = entry.category === 'user' ? 'function.log' : 'function.system';
    this.logger[mapped](event, message, { function: entry.functionName, invocationId: entry.invocationId });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
