/** Checks an HTTP response against openapi.yaml: status documented, media type and body schema. */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface MediaType { schema?: object }
interface ResponseSpec { $ref?: string; content?: Record<string, MediaType>; headers?: Record<string, { required?: boolean; schema?: object }> }
interface Operation { operationId: string; responses: Record<string, ResponseSpec> }
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, ResponseSpec>; schemas: Record<string, object> };
}

export const OPENAPI: OpenApi = parse(readFileSync(join(__dirname, '..', '..', 'openapi.yaml'), 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: OPENAPI.components });

export interface ObservedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function operationById(operationId: string): { path: string; method: string; operation: Operation } {
  for (const [path, methods] of Object.entries(OPENAPI.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation && typeof operation === 'object' && operation.operationId === operationId) return { path, method, operation };
    }
  }
  throw new Error(`openapi.yaml has no operation ${operationId}`);
}

/** Problems found (empty when the response conforms). */
export function contractProblems(operationId: string, response: ObservedResponse): string[] {
  const { operation } = operationById(operationId);
  let spec = operation.responses[String(response.status)];
  if (!spec) return [`status ${response.status} is not documented for ${operationId}`];
  if (spec.$ref) spec = OPENAPI.components.responses[spec.$ref.split('/').pop() ?? ''];
  if (!spec.content) {
    return response.body === undefined || response.body === null || response.body === '' ? [] : [`${operationId} ${response.status} documents no body`];
  }
  const mediaType = (response.headers['content-type'] ?? '').split(';')[0].trim();
  const media = spec.content[mediaType];
  if (!media) return [`media type '${mediaType}' is not documented for ${operationId} ${response.status}`];
  const problems: string[] = [];
  for (const [header, headerSpec] of Object.entries(spec.headers ?? {})) {
    const value = response.headers[header.toLowerCase()];
    if (value === undefined) {
      if (headerSpec.required) problems.push(`header ${header} missing`);
    } else if (headerSpec.schema && !ajv.validate(headerSpec.schema, value)) {
      problems.push(`header ${header} '${value}' off its schema`);
    }
  }
  const schema = rewriteRefs(media.schema ?? {});
  const validate = ajv.compile(schema);
  if (!validate(response.body)) problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`));
  return problems;
}

function rewriteRefs(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'));
}
