/** Reading input at the edge: body size and media type, JSON parsing, and schema validation. */
import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { AppError, type FieldError } from '../domain/errors';

export const MAX_BODY_BYTES = 64 * 1024;

/** The raw body as text, refusing bodies over the limit and bodies that do not say they are JSON. */
async function readJsonText(request: HttpRequest): Promise<string | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const bytes = request.body === null ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge();
  if (bytes.byteLength === 0) return null;
  const [mediaType, ...parameters] = (request.headers.get('content-type') ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    throw new AppError('unsupported-media-type', 'Send the body as application/json.');
  }
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError('unsupported-media-type', `Send the body as UTF-8 JSON; charset "${charset.slice(0, 40)}" is not accepted.`);
  }
  // Strict: bytes that are not UTF-8 are refused, not replaced, so two different names never read as one.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('invalid-request', 'The body is not valid UTF-8.', { errors: [{ field: 'body', message: 'invalid UTF-8' }] });
  }
}

function tooLarge(): AppError {
  return new AppError('payload-too-large', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
}

/** Parses and validates a JSON body; an absent body is validated as `{}` when `optional`. */
export async function readBody<S extends z.ZodType>(request: HttpRequest, schema: S, { optional = false } = {}): Promise<z.infer<S>> {
  const text = await readJsonText(request);
  let value: unknown;
  if (text === null) {
    if (!optional) throw new AppError('invalid-request', 'A JSON body is required.', { errors: [{ field: 'body', message: 'required' }] });
    value = {};
  } else {
    try {
      value = JSON.parse(text);
    } catch {
      throw new AppError('invalid-request', 'The body is not valid JSON.', { errors: [{ field: 'body', message: 'malformed JSON' }] });
    }
  }
  return validate(schema, value, 'body');
}

export function readQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.infer<S> {
  return validate(schema, Object.fromEntries(request.query.entries()), 'query');
}

export function readParams<S extends z.ZodType>(request: HttpRequest, schema: S): z.infer<S> {
  return validate(schema, request.params, 'path');
}

function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors: FieldError[] = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown field' }))
      : [{ field: issue.path.length > 0 ? issue.path.join('.') : where, message: issue.message }],
  );
  throw new AppError('invalid-request', `The request ${where} is not valid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
}
