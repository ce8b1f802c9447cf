/**
 * Invokes one registered function through the app's programming model, exactly as the worker does:
 * getInvocationModel → getArguments → preInvocation hooks → invokeFunction → postInvocation hooks
 * → getResponse. Trigger data goes in as RPC typed data, so the programming model does every
 * conversion (HttpRequest, timer object, context) itself. Logs "Executing"/"Executed" per call.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type {
  CoreInvocationContext,
  ProgrammingModel,
  RpcBindingInfo,
  RpcInvocationResponse,
  RpcParameterBinding,
  RpcTypedData,
} from './core-types';
import type { FunctionLogSink } from './function-log-sink';
import type { RegisteredFunction } from './function-registry';
import type { HookRegistry } from './hook-registry';

/** Supplies the value of a non-trigger input binding (e.g. the durable client) for one call. */
export type ExtraInputProvider = (binding: RpcBindingInfo, fn: RegisteredFunction) => RpcTypedData | undefined;

export interface InvokeRequest {
  triggerData: RpcTypedData | undefined;
  triggerMetadata?: Record<string, RpcTypedData>;
  /** Why the function runs, for the log ("This function was programmatically called..."). */
  reason: string;
  /** Log the Executing/Executed lines at debug level (for chatty triggers such as orchestrator replays). */
  quiet?: boolean;
}

export interface InvokeResult {
  invocationId: string;
  response: RpcInvocationResponse;
  durationMs: number;
}

/** The function threw (or a hook did); `cause` is what was thrown. */
export class FunctionInvocationError extends Error {
  constructor(readonly functionName: string, readonly invocationId: string, cause: unknown) {
    super(`Exception while executing function: Functions.${functionName}. ${describe(cause)}`, { cause });
    this.name = 'FunctionInvocationError';
  }
}

export interface FunctionInvokerDependencies {
  getProgrammingModel(): ProgrammingModel | undefined;
  hooks: HookRegistry;
  logs: FunctionLogSink;
  logger: Logger;
  appDir: string;
  extraInputs: Record<string, ExtraInputProvider>;
  /** Writes the response's non-HTTP output bindings; a failure fails the invocation, as on Azure. */
  outputs?: OutputBindingWriter;
}

export interface OutputBindingWriter {
  write(fn: RegisteredFunction, response: RpcInvocationResponse, triggerData: RpcTypedData | undefined): Promise<void>;
}

export class FunctionInvoker {
  constructor(private readonly deps: FunctionInvokerDependencies) {}

  async invoke(fn: RegisteredFunction, request: InvokeRequest): Promise<InvokeResult> {
    const model = this.deps.getProgrammingModel();
    if (!model) throw new Error('The app did not set a programming model (is @azure/functions loaded?)');
    const invocationId = randomUUID();
    const started = performance.now();
    const log = request.quiet ? this.deps.logger.debug : this.deps.logger.info;
    log('function.executing', `Executing 'Functions.${fn.name}' (Reason='${request.reason}', Id=${invocationId})`, {
      function: fn.name,
      invocationId,
    });

    let invocationContext: unknown;
    const coreContext: CoreInvocationContext = {
      invocationId,
      request: {
        invocationId,
        functionId: fn.metadata.functionId ?? fn.name,
        inputData: this.inputData(fn, request.triggerData),
        triggerMetadata: request.triggerMetadata ?? {},
      },
      metadata: { ...fn.metadata, directory: this.deps.appDir },
      state: undefined,
      log: (level, category, message) => {
        this.deps.logs.write({ level, category, message, functionName: fn.name, invocationId, invocationContext: invocationContext });
      },
    };
    try {
      const invocationModel = await model.getInvocationModel(coreContext);
      const args = await invocationModel.getArguments();
      invocationContext = args.context;
      const hookData: Record<string, unknown> = {};
      const appHookData = this.deps.hooks.appHookData;

      coreContext.state = 'preInvocationHooks';
      const pre = { hookData, appHookData, invocationContext: args.context, inputs: args.inputs, functionCallback: fn.callback };
      await this.deps.hooks.run('preInvocation', pre);

      coreContext.state = 'invocation';
      let result: unknown;
      let error: unknown;
      try {
        result = await invocationModel.invokeFunction(args.context, pre.inputs, pre.functionCallback);
      } catch (thrown) {
        error = thrown;
      }

      coreContext.state = 'postInvocationHooks';
      const post = { hookData, appHookData, invocationContext: args.context, inputs: pre.inputs, result, error };
      await this.deps.hooks.run('postInvocation', post);
      coreContext.state = undefined;
      if (post.error !== undefined && post.error !== null) throw post.error;

      const response = await invocationModel.getResponse(args.context, post.result);
      await this.deps.outputs?.write(fn, response, request.triggerData);
      const durationMs = Math.round(performance.now() - started);
      log('function.executed', `Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${durationMs}ms)`, {
        function: fn.name,
        invocationId,
        status: 'Succeeded',
        durationMs,
      });
      return { invocationId, response, durationMs };
    } catch (error) {
      coreContext.state = undefined;
      const durationMs = Math.round(performance.now() - started);
      const failure = new FunctionInvocationError(fn.name, invocationId, error);
      this.deps.logger.error('function.executed', `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${durationMs}ms)`, {
        function: fn.name,
        invocationId,
        status: 'Failed',
        durationMs,
        error: firstLine(describe(error)),
      });
      const stack = error instanceof Error ? withoutOutOfProcData(error.stack ?? '') : '';
      if (stack) this.deps.logger.error('function.exception', stack.split('\n').slice(0, 15).join('\n'), { function: fn.name, invocationId });
      throw failure;
    }
  }

  private inputData(fn: RegisteredFunction, triggerData: RpcTypedData | undefined): RpcParameterBinding[] {
    const inputs: RpcParameterBinding[] = [{ name: fn.triggerBindingName, data: triggerData }];
    for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
      if (name === fn.triggerBindingName || binding.direction !== 'in') continue;
      const provider = this.deps.extraInputs[(binding.type ?? '').toLowerCase()];
      if (provider) inputs.push({ name, data: provider(binding, fn) });
    }
    return inputs;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const OUT_OF_PROC_LABEL = '$OutOfProcData$:';

/**
 * durable-functions reports an orchestrator failure as an error whose message is followed by the
 * orchestrator state (with the real error in its `error` field); show that error, not the state.
 */
function withoutOutOfProcData(text: string): string {
  const index = text.indexOf(OUT_OF_PROC_LABEL);
  if (index < 0) return text;
  try {
    const state = JSON.parse(text.slice(index + OUT_OF_PROC_LABEL.length)) as { error?: unknown };
    if (typeof state.error === 'string') return state.error;
  } catch {
    // not the shape we know: fall through
  }
  return text.slice(0, index).trimEnd();
}

function firstLine(text: string): string {
  const line = withoutOutOfProcData(text).split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
