/**
 * The one error vocabulary of the control plane. Every error the product raises on purpose is an
 * `AppError` with a code from `ERROR_CATALOGUE`; the HTTP edge renders it as RFC 9457 problem+json.
 */

export interface ErrorSpec {
  status: number;
  title: string;
  /** true when the caller can fix it (4xx), false when it is ours or Azure's. */
  callerFault: boolean;
  /** An administrator must act (e.g. fix a project's tags): logged as a warning although it is a 4xx. */
  adminAction?: boolean;
}

export const ERROR_CATALOGUE = {
  'invalid-request': { status: 400, title: 'The request is not valid', callerFault: true },
  'app-not-offered': { status: 400, title: 'The project does not offer that application', callerFault: true },
  'user-object-id-required': { status: 400, title: "The person's Entra object id is required", callerFault: true },
  'unauthorized': { status: 401, title: 'A credential is required', callerFault: true },
  'forbidden': { status: 403, title: 'The caller may not do this', callerFault: true },
  'project-forbidden': { status: 403, title: 'The project is not offered to this user', callerFault: true },
  'project-not-found': { status: 404, title: 'No such project', callerFault: true },
  'server-not-found': { status: 404, title: 'No such server', callerFault: true },
  'schedule-not-found': { status: 404, title: 'No such schedule', callerFault: true },
  'route-not-found': { status: 404, title: 'No such route', callerFault: true },
  'method-not-allowed': { status: 405, title: 'Method not allowed on this route', callerFault: true },
  'server-busy': { status: 409, title: 'The server is busy with another operation', callerFault: true },
  'size-unavailable': { status: 409, title: 'The size is not available in the region', callerFault: true },
  'quota-exceeded': { status: 409, title: 'A quota does not allow this', callerFault: true },
  'budget-exceeded': { status: 409, title: "The project has used its month's budget", callerFault: true },
  'compute-settings-invalid': { status: 409, title: "The project's compute settings are invalid", callerFault: true, adminAction: true },
  'id-collision': { status: 409, title: 'The server id belongs to another server', callerFault: false },
  'compute-name-conflict': { status: 409, title: 'The compute name is invalid or taken', callerFault: false },
  'conflicting-operation': { status: 409, title: 'Azure is busy with another operation on this compute', callerFault: true },
  'concurrent-update': { status: 409, title: 'The server was changed concurrently', callerFault: false },
  'payload-too-large': { status: 413, title: 'The request body is too large', callerFault: true },
  'unsupported-media-type': { status: 415, title: 'The request body must be JSON', callerFault: true },
  'auth-unavailable': { status: 503, title: "The token issuer's keys could not be fetched", callerFault: false },
  'throttled': { status: 503, title: 'Azure is throttling requests; try again shortly', callerFault: false },
  'azure-error': { status: 502, title: 'Azure answered with an error', callerFault: false },
  'internal': { status: 500, title: 'Internal error', callerFault: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. "size" or "body". */
  field: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  errors?: FieldError[];
  /** Seconds after which a retry may succeed (sent as Retry-After). */
  retryAfterSeconds?: number;
  /**
   * Azure may still act on the request that failed: no answer came back (the connection failed or
   * timed out) or a gateway timed out waiting for the service. Default false: Azure answered, and
   * whatever the request did is visible to the next read.
   */
  mayStillTakeEffect?: boolean;
  /** The WWW-Authenticate challenge sent with a 401. */
  wwwAuthenticate?: string;
  /** The methods the route serves, sent as Allow with a 405. */
  allow?: readonly string[];
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly callerFault: boolean;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly mayStillTakeEffect: boolean;
  readonly wwwAuthenticate: string | undefined;
  readonly allow: readonly string[] | undefined;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    this.code = code;
    this.status = spec.status;
    this.title = spec.title;
    this.callerFault = spec.callerFault;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.mayStillTakeEffect = options.mayStillTakeEffect ?? false;
    this.wwwAuthenticate = options.wwwAuthenticate;
    this.allow = options.allow;
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
