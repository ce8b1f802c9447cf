/**
 * What a person is told when something failed on our side or Azure's: a plain sentence and a short
 * reference, never a host name, port, socket error or error class. The full detail goes to the log
 * with the same reference, so an administrator can find it from the message a person quotes.
 *
 * Pure and deterministic: an orchestration may call it (the default reference is a digest of the
 * detail, so a replay gives the same message).
 */
import { createHash } from 'node:crypto';
import { AppError, type ErrorCode } from './errors';

export interface PublicFailure {
  /** The sentence for people, ending with "(reference <reference>)". */
  publicMessage: string;
  reference: string;
  /** Everything known about the failure (messages of the error and its causes), for the log only. */
  detail: string;
}

/** Network-level symptoms: the other side could not be reached at all. */
const UNREACHABLE = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|EPIPE|socket hang up|fetch failed|network error)\b/i;
/** The failure came from the control plane's own state store, not from Azure Resource Manager. */
const STORAGE = /\bTable Storage\b|\bTableService\b|\btable\.core\.windows\.net\b/i;

/** Codes whose title says too little on its own: the detail decides the sentence. */
const GENERIC_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['internal', 'throttled', 'azure-error']);

const TRY_AGAIN = 'try again in a few minutes';

export function publicFailure(error: unknown, reference?: string): PublicFailure {
  const detail = detailOf(error);
  const ref = reference ?? referenceFor(detail);
  const storage = STORAGE.test(detail);
  const where = storage ? "The control plane's storage" : 'Azure';
  let sentence: string;
  if (error instanceof AppError && error.code === 'concurrent-update') sentence = 'The server was changed by another request at the same time; try again';
  else if (error instanceof AppError && !GENERIC_CODES.has(error.code)) sentence = `${error.title}; ${TRY_AGAIN}`;
  else if (UNREACHABLE.test(detail)) sentence = `${where} could not be reached; ${TRY_AGAIN}`;
  else if (error instanceof AppError && error.code === 'throttled') sentence = `${where} is busy; ${TRY_AGAIN}`;
  else if (error instanceof AppError && error.code === 'azure-error') sentence = `${error.title}; ${TRY_AGAIN}`;
  else sentence = `Something went wrong; ${TRY_AGAIN}, or give an administrator the reference`;
  return { publicMessage: `${sentence} (reference ${ref}).`, reference: ref, detail };
}

/** A short reference that is the same for the same detail (orchestration replays must agree). */
export function referenceFor(detail: string): string {
  return createHash('sha256').update(detail, 'utf8').digest('hex').slice(0, 10);
}

/** "Name: message" of the error and each cause, joined; bounded so a log line stays readable. */
function detailOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(`${current.name}: ${current.message}`);
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  const text = parts.join(' <- ');
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
