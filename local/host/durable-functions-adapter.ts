/**
 * Implements the durable engine's port with this host's functions: orchestrations and activities
 * are invoked through the programming model like any other trigger, with the trigger values the
 * Durable Functions extension would send (the orchestration input object as JSON; an activity's
 * input as JSON text, which the programming model parses).
 */
import type { ActivityCall, DurableFunctionsPort, EntityTriggerInput, FunctionRunResult, OrchestrationTriggerInput } from '../durable-engine';
import { FunctionInvocationError, type FunctionInvoker } from './core/function-invoker';
import type { FunctionRegistry, RegisteredFunction } from './core/function-registry';
import { fromRpcTypedData } from './core/rpc-typed-data';
import type { RpcTypedData } from './core/core-types';

export class DurableFunctionsAdapter implements DurableFunctionsPort {
  constructor(private readonly registry: FunctionRegistry, private readonly invoker: FunctionInvoker) {}

  hasOrchestrator(name: string): boolean {
    return this.registry.getOfKind(name, 'orchestration') !== undefined;
  }

  hasActivity(name: string): boolean {
    return this.registry.getOfKind(name, 'activity') !== undefined;
  }

  hasEntity(name: string): boolean {
    return this.registry.getOfKind(name, 'entity') !== undefined;
  }

  runEntity(name: string, input: EntityTriggerInput): Promise<FunctionRunResult> {
    return this.run(this.registry.getOfKind(name, 'entity'), name, { string: JSON.stringify(input) }, `EntityTrigger @${name}@${input.self.key}`);
  }

  runOrchestrator(name: string, input: OrchestrationTriggerInput): Promise<FunctionRunResult> {
    return this.run(this.registry.getOfKind(name, 'orchestration'), name, { string: JSON.stringify(input) }, `OrchestrationTrigger ${input.instanceId}`);
  }

  runActivity(call: ActivityCall): Promise<FunctionRunResult> {
    // As a string the programming model JSON-parses it, and keeps it as text if it is not JSON.
    const data = call.inputJson === undefined ? undefined : { string: call.inputJson };
    return this.run(this.registry.getOfKind(call.name, 'activity'), call.name, data, `ActivityTrigger ${call.instanceId}#${call.taskId}`);
  }

  private async run(fn: RegisteredFunction | undefined, name: string, triggerData: RpcTypedData | undefined, reason: string): Promise<FunctionRunResult> {
    if (!fn) return { thrown: new Error(`The function '${name}' doesn't exist, is disabled, or is not the right kind of function.`) };
    try {
      const { response } = await this.invoker.invoke(fn, { triggerData, reason });
      return { returned: fromRpcTypedData(response.returnValue) };
    } catch (error) {
      return { thrown: error instanceof FunctionInvocationError ? error.cause : error };
    }
  }
}
