/**
 * @azure/arm-machinelearning 2.1.1 models `subnet`, `enableNodePublicIp` and `setupScripts`, but
 * not `idleTimeBeforeShutdown`, `enableSSO` nor `customServices` (api-version 2025-12-01 has all
 * three), and its serializer drops what it does not model. A create names them in a
 * request-scoped header (base64url JSON, passed through `requestOptions.customHeaders`); this
 * policy takes the header off and sets them in the serialized body of that compute-instance PUT,
 * so Azure receives them and the header never leaves the process.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export const COMPUTE_PROPERTIES_POLICY_NAME = 'computeInstanceUnmodelledPropertiesPolicy';

/** The request header a create carries to this policy; never sent to Azure. */
export const COMPUTE_PROPERTIES_HEADER = 'x-aml-jupyterhub-compute-properties';

const COMPUTE_PATH = /\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/computes\/[^/]+\/?$/i;

/** The custom headers that ask this policy to set these ComputeInstanceProperties; none when empty. */
export function computePropertiesHeader(properties: Record<string, unknown>): Record<string, string> {
  if (Object.keys(properties).length === 0) return {};
  return { [COMPUTE_PROPERTIES_HEADER]: Buffer.from(JSON.stringify(properties), 'utf8').toString('base64url') };
}

/** The JSON body with the properties set in properties.properties when it is a compute instance (ones already there stay). */
export function withComputeProperties(body: string, properties: Record<string, unknown>): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  const outer = objectAt(parsed, 'properties');
  const inner = objectAt(outer, 'properties');
  if (outer?.computeType !== 'ComputeInstance' || !inner) return body;
  for (const [key, value] of Object.entries(properties)) if (inner[key] === undefined) inner[key] = value;
  return JSON.stringify(parsed);
}

export function computePropertiesPolicy(): PipelinePolicy {
  return {
    name: COMPUTE_PROPERTIES_POLICY_NAME,
    sendRequest(request, next) {
      const encoded = request.headers.get(COMPUTE_PROPERTIES_HEADER);
      if (encoded !== undefined) {
        request.headers.delete(COMPUTE_PROPERTIES_HEADER);
        const properties = decode(encoded);
        if (properties && request.method === 'PUT' && typeof request.body === 'string' && COMPUTE_PATH.test(new URL(request.url).pathname)) {
          request.body = withComputeProperties(request.body, properties);
        }
      }
      return next(request);
    },
  };
}

function decode(encoded: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const child = (value as Record<string, unknown>)[key];
  return typeof child === 'object' && child !== null && !Array.isArray(child) ? (child as Record<string, unknown>) : undefined;
}
