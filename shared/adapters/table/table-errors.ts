/**
 * Translation of Table Storage failures (RestError from @azure/data-tables) into the product's
 * error vocabulary. The service's own code is in `err.details.odataError.code` (or `err.code`).
 */
import { AppError } from '../../domain/errors';

export interface TableFailure {
  status: number | undefined;
  code: string | undefined;
  message: string;
}

export function tableFailureOf(error: unknown): TableFailure {
  if (typeof error !== 'object' || error === null) return { status: undefined, code: undefined, message: String(error) };
  const record = error as { statusCode?: unknown; code?: unknown; message?: unknown; details?: unknown };
  const details = record.details as { odataError?: { code?: unknown } } | undefined;
  const odataCode = details?.odataError?.code;
  return {
    status: typeof record.statusCode === 'number' ? record.statusCode : undefined,
    code: typeof odataCode === 'string' ? odataCode : typeof record.code === 'string' ? record.code : undefined,
    message: typeof record.message === 'string' ? record.message : String(error),
  };
}

export function isTableFailure(error: unknown, status: number): boolean {
  return tableFailureOf(error).status === status;
}

/** Any other failure while talking to Table Storage: throttling is retryable, the rest is ours. */
export function translateTableError(error: unknown, doing: string): AppError {
  if (error instanceof AppError) return error;
  const failure = tableFailureOf(error);
  const detail = `Table Storage failed while ${doing}: ${failure.code ? `${failure.code}: ` : ''}${failure.message}`;
  if (failure.status === 429 || failure.status === 503) {
    return new AppError('throttled', detail, { cause: error, retryAfterSeconds: 1 });
  }
  return new AppError('internal', detail, { cause: error });
}
