/**
 * Translates errors from the Azure SDK clients (RestError: statusCode, code, message) into the
 * product's AppError codes, keeping Azure's message as the detail and the original as `cause`.
 * Azure ML often answers a generic code (BadRequest, UserError) and says what is wrong in the
 * message, so the rules read both.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import { AppError, type ErrorCode } from '../../domain/errors';

export interface ArmErrorFacts {
  status?: number;
  code?: string;
  message: string;
}

const QUOTA_CODES = new Set(['quotaexceeded', 'outofquota', 'insufficientquota']);
const SIZE_CODES = new Set(['vmsizenotsupported', 'skunotavailable', 'vmsizenotavailable', 'invalidvmsize', 'unsupportedvmsize']);
const NAME_CODES = new Set(['computenamenotavailable', 'invalidcomputename', 'computenameinvalid', 'computenamealreadyexists']);

const QUOTA_MESSAGE = /\bquota\b/i;
const SIZE_MESSAGE =
  /\b(vm|virtual machine)\s+size\b.*\bnot\s+(available|supported)\b|\bnot\s+(available|supported)\b.*\b(vm|virtual machine)\s+size\b/i;
const NAME_MESSAGE =
  /\bcompute\s+(instance\s+)?name\b.*\b(not available|invalid|already|in use|unique)\b|\bname\b.*\balready\s+(exists|in use)\b|\balready exists\b/i;

/** Answers of a gateway that gave up waiting: the service behind it may still carry the request out. */
const UNSETTLED_STATUSES = new Set([408, 502, 504]);

const SETTINGS_MESSAGE = /\bsubnet\b|\b(setup|creation|startup) script\b|\bscriptData\b|\bcustomServices?\b/i;

/** The AppError code for an ARM error, most specific first. */
export function classifyArmError(facts: ArmErrorFacts): ErrorCode {
  const code = (facts.code ?? '').toLowerCase();
  if (facts.status === 429) return 'throttled';
  if (QUOTA_CODES.has(code) || QUOTA_MESSAGE.test(facts.message)) return 'quota-exceeded';
  if (SIZE_CODES.has(code) || SIZE_MESSAGE.test(facts.message)) return 'size-unavailable';
  if (NAME_CODES.has(code) || NAME_MESSAGE.test(facts.message)) return 'compute-name-conflict';
  // The project's subnet or setup script refused by Azure ML: an administrator's fix, not a retry.
  if (facts.status === 400 && SETTINGS_MESSAGE.test(facts.message)) return 'compute-settings-invalid';
  if (facts.status === 409) return 'conflicting-operation';
  return 'azure-error';
}

/** Any error an SDK call threw, as an AppError (an AppError passes through unchanged). */
export function fromArmError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const facts = factsOf(error);
  const retryAfterSeconds = retryAfterOf(error);
  return new AppError(classifyArmError(facts), facts.message, {
    cause: error,
    mayStillTakeEffect: facts.status === undefined || UNSETTLED_STATUSES.has(facts.status),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

export function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}

function factsOf(error: unknown): ArmErrorFacts {
  if (isRestError(error)) {
    return { status: error.statusCode, code: error.code, message: error.message || `Azure answered ${error.statusCode ?? 'an error'}.` };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

function retryAfterOf(error: unknown): number | undefined {
  if (!isRestError(error)) return undefined;
  const header = error.response?.headers.get('retry-after');
  const seconds = header === undefined ? Number.NaN : Number.parseInt(header, 10);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
