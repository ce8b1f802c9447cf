/**
 * Reading what an orchestrator episode produced: the returned state object, or the failure that
 * durable-functions throws as an OrchestrationFailureError whose message carries the state after
 * "$OutOfProcData$:".
 */
import { flattenActions, type LeafAction } from './actions';
import { failureFromThrown, fromFailureDetails, type FailureInfo } from './failure-info';

export interface OrchestratorState {
  isDone: boolean;
  actions: LeafAction[];
  output: unknown;
  customStatus: unknown;
}

export type EpisodeOutcome =
  | { kind: 'returned'; state: OrchestratorState }
  | { kind: 'failed'; failure: FailureInfo; state: OrchestratorState | undefined };

const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

export class OrchestratorProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrchestratorProtocolError';
  }
}

export function parseOrchestratorState(value: unknown): OrchestratorState {
  if (typeof value !== 'object' || value === null || !('isDone' in value)) {
    throw new OrchestratorProtocolError(
      `The orchestrator returned ${JSON.stringify(value)?.slice(0, 200)} instead of an orchestrator state. ` +
        'Is it registered with df.app.orchestration?',
    );
  }
  const state = value as { isDone: unknown; actions?: unknown; output?: unknown; customStatus?: unknown };
  return { isDone: state.isDone === true, actions: flattenActions(state.actions), output: state.output, customStatus: state.customStatus };
}

/**
 * The error an orchestrator episode threw, split into the user's failure and the state at failure.
 * The thrown error's own message is unreliable (durable-functions passes a boolean where the error
 * belongs), so the user's error comes from the state's `error` and `failureDetails` fields.
 */
export function parseOrchestratorFailure(thrown: unknown): { failure: FailureInfo; state: OrchestratorState | undefined } {
  const failure = failureFromThrown(thrown);
  const index = failure.errorMessage.indexOf(OUT_OF_PROC_LABEL);
  if (index < 0) return { failure, state: undefined };
  let raw: { error?: unknown; failureDetails?: unknown } = {};
  let state: OrchestratorState | undefined;
  try {
    raw = JSON.parse(failure.errorMessage.slice(index + OUT_OF_PROC_LABEL.length)) as typeof raw;
    state = parseOrchestratorState(raw);
  } catch {
    state = undefined;
  }
  const message = typeof raw.error === 'string' ? raw.error : failure.errorMessage.slice(0, index);
  // An activity or sub-orchestration failure the orchestrator did not catch: keep it as the cause.
  const inner = fromFailureDetails(raw.failureDetails);
  return {
    failure: inner
      ? { errorType: 'TaskFailedError', errorMessage: message, stackTrace: inner.stackTrace, innerFailure: inner }
      : { errorType: stackErrorType(failure.stackTrace) ?? 'Error', errorMessage: message, stackTrace: failure.stackTrace },
    state,
  };
}

/** "TypeError: x\n    at ..." → "TypeError". */
function stackErrorType(stack: string | undefined): string | undefined {
  return /^([A-Za-z_$][\w$]*):/.exec(stack ?? '')?.[1];
}
