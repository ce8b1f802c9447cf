/**
 * @azure/arm-machinelearning 2.1.1 has no idleTimeBeforeShutdown in its models, and its serializer
 * drops properties it does not know. Each create says which idle shutdown it wants in a
 * request-scoped header (`idleShutdownHeader`, passed through the SDK's
 * `requestOptions.customHeaders`); this pipeline policy takes the header off the request and puts
 * the value into the serialized body of that compute-instance PUT, so Azure (api-version
 * 2025-12-01 and later) receives it and nothing else is sent.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export const IDLE_SHUTDOWN_POLICY_NAME = 'computeInstanceIdleShutdownPolicy';

/** The request header a create carries to this policy; never sent to Azure. */
export const IDLE_SHUTDOWN_HEADER = 'x-aml-jupyterhub-idle-time-before-shutdown';

const COMPUTE_PATH = /\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/computes\/[^/]+\/?$/i;

/** The custom headers that ask this policy to set idleTimeBeforeShutdown on one create. */
export function idleShutdownHeader(idleTimeBeforeShutdown: string): Record<string, string> {
  return { [IDLE_SHUTDOWN_HEADER]: idleTimeBeforeShutdown };
}

/** The JSON body with properties.properties.idleTimeBeforeShutdown set when it is a compute instance without one. */
export function withIdleTimeBeforeShutdown(body: string, idleTimeBeforeShutdown: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  const outer = objectAt(parsed, 'properties');
  const inner = objectAt(outer, 'properties');
  if (outer?.computeType !== 'ComputeInstance' || !inner || inner.idleTimeBeforeShutdown !== undefined) return body;
  inner.idleTimeBeforeShutdown = idleTimeBeforeShutdown;
  return JSON.stringify(parsed);
}

export function idleShutdownPolicy(): PipelinePolicy {
  return {
    name: IDLE_SHUTDOWN_POLICY_NAME,
    sendRequest(request, next) {
      const idleTimeBeforeShutdown = request.headers.get(IDLE_SHUTDOWN_HEADER);
      if (idleTimeBeforeShutdown !== undefined) {
        request.headers.delete(IDLE_SHUTDOWN_HEADER);
        if (request.method === 'PUT' && typeof request.body === 'string' && COMPUTE_PATH.test(new URL(request.url).pathname)) {
          request.body = withIdleTimeBeforeShutdown(request.body, idleTimeBeforeShutdown);
        }
      }
      return next(request);
    },
  };
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const child = (value as Record<string, unknown>)[key];
  return typeof child === 'object' && child !== null && !Array.isArray(child) ? (child as Record<string, unknown>) : undefined;
}
