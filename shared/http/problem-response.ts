/**
 * The one place errors become HTTP responses: RFC 9457 problem+json. An error the caller can fix
 * keeps its code, status and message. Any other failure (ours, storage's or Azure's) keeps its code
 * and status but tells people only a plain sentence with a reference; the detail is logged with the
 * same reference and the invocation id, so internals (hosts, ports, socket errors) never leave.
 */
import { randomUUID } from 'node:crypto';
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type ErrorSpec, type FieldError } from '../domain/errors';
import { publicFailure } from '../domain/public-failure';
import { appLog } from '../logging/log-events';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

export const PROBLEM_TYPE_BASE = 'https://aml-jupyterhub.dev/problems/';

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    jsonBody: problem,
  };
}

export function errorResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  const log = appLog(context);
  if (error instanceof AppError && error.callerFault) {
    const spec: ErrorSpec = ERROR_CATALOGUE[error.code];
    // An admin must act on some refusals (e.g. invalid compute settings): those are warnings.
    (spec.adminAction ? log.warn : log.debug)('request.failed', { code: error.code, status: error.status, detail: error.message });
    return problemResponse(problemOf(error, error.message), headersOf(error));
  }
  const failure = publicFailure(error, randomUUID().slice(0, 8));
  const logged = { invocationId: context.invocationId, reference: failure.reference, detail: failure.detail };
  if (error instanceof AppError) {
    log.warn('request.failed', { code: error.code, status: error.status, ...logged });
    return problemResponse(problemOf(error, failure.publicMessage), headersOf(error));
  }
  log.error('request.crashed', { ...logged, error });
  const spec = ERROR_CATALOGUE.internal;
  return problemResponse({
    type: PROBLEM_TYPE_BASE + 'internal',
    title: spec.title,
    status: spec.status,
    detail: failure.publicMessage,
    code: 'internal',
  });
}

function problemOf(error: AppError, detail: string): Problem {
  return {
    type: PROBLEM_TYPE_BASE + error.code,
    title: error.title,
    status: error.status,
    detail,
    code: error.code,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

function headersOf(error: AppError): Record<string, string> {
  return {
    ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }),
    ...(error.wwwAuthenticate === undefined ? {} : { 'www-authenticate': error.wwwAuthenticate }),
    ...(error.allow === undefined ? {} : { allow: error.allow.join(', ') }),
  };
}
