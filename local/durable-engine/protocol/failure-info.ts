/**
 * What we know about a failure (an activity that threw, a failed sub-orchestration), and its wire
 * form: the `FailureDetails` payload that durable-functions turns into a TaskFailedError.
 */
export interface FailureInfo {
  errorType: string;
  errorMessage: string;
  stackTrace?: string;
  isNonRetriable?: boolean;
  properties?: Record<string, unknown>;
  innerFailure?: FailureInfo;
}

export interface FailureDetailsPayload {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable: boolean;
  Properties?: Record<string, unknown>;
  InnerFailure?: FailureDetailsPayload;
}

export function toFailureDetails(failure: FailureInfo): FailureDetailsPayload {
  return {
    ErrorType: failure.errorType,
    ErrorMessage: failure.errorMessage,
    StackTrace: failure.stackTrace,
    IsNonRetriable: failure.isNonRetriable ?? false,
    Properties: failure.properties,
    InnerFailure: failure.innerFailure ? toFailureDetails(failure.innerFailure) : undefined,
  };
}

/**
 * A thrown value as FailureInfo. When the app registered an exception properties provider,
 * durable-functions has already replaced the message with a JSON payload; that payload wins.
 */
export function failureFromThrown(thrown: unknown): FailureInfo {
  if (thrown instanceof Error) {
    const payload = parsePayload(thrown.message);
    if (payload) return payload;
    return { errorType: thrown.name || thrown.constructor?.name || 'Error', errorMessage: thrown.message, stackTrace: thrown.stack };
  }
  if (typeof thrown === 'string') return { errorType: 'Error', errorMessage: thrown };
  let text: string;
  try {
    text = JSON.stringify(thrown) ?? String(thrown);
  } catch {
    text = String(thrown);
  }
  return { errorType: 'Error', errorMessage: text };
}

function parsePayload(message: string): FailureInfo | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(message) as Record<string, unknown>;
    if (typeof parsed.errorType !== 'string' || typeof parsed.errorMessage !== 'string') return undefined;
    return {
      errorType: parsed.errorType,
      errorMessage: parsed.errorMessage,
      stackTrace: typeof parsed.stackTrace === 'string' ? parsed.stackTrace : undefined,
      isNonRetriable: parsed.isNonRetriable === true,
      properties: typeof parsed.properties === 'object' && parsed.properties !== null ? (parsed.properties as Record<string, unknown>) : undefined,
    };
  } catch {
    return undefined;
  }
}

/** Reads a FailureDetails payload back (from a TaskFailed event we wrote). */
export function fromFailureDetails(value: unknown): FailureInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const payload = value as Partial<FailureDetailsPayload>;
  if (typeof payload.ErrorMessage !== 'string') return undefined;
  return {
    errorType: typeof payload.ErrorType === 'string' ? payload.ErrorType : 'Error',
    errorMessage: payload.ErrorMessage,
    stackTrace: payload.StackTrace,
    isNonRetriable: payload.IsNonRetriable,
    properties: payload.Properties,
    innerFailure: fromFailureDetails(payload.InnerFailure),
  };
}
