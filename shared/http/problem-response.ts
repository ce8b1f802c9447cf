/**
 * The one place errors become HTTP responses: RFC 9457 problem+json. An AppError keeps its code,
 * status and message; anything else becomes a generic 500, logged in full with the invocation id.
 */
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type FieldError } from '../domain/errors';

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
  if (error instanceof AppError) {
    const log = error.callerFault ? context.debug.bind(context) : context.warn.bind(context);
    log('request.failed', { code: error.code, status: error.status, detail: error.message });
    return problemResponse(
      {
        type: PROBLEM_TYPE_BASE + error.code,
        title: error.title,
        status: error.status,
        detail: error.message,
        code: error.code,
        ...(error.errors ? { errors: error.errors } : {}),
      },
      {
        ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }),
        ...(error.wwwAuthenticate === undefined ? {} : { 'www-authenticate': error.wwwAuthenticate }),
      },
    );
  }
  context.error('request.crashed', { invocationId: context.invocationId, error });
  const spec = ERROR_CATALOGUE.internal;
  return problemResponse({
    type: PROBLEM_TYPE_BASE + 'internal',
    title: spec.title,
    status: spec.status,
    detail: `Something went wrong on our side. Quote invocation id ${context.invocationId} when reporting it.`,
    code: 'internal',
  });
}
