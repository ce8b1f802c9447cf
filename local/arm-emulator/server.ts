/**
 * The emulator's HTTPS server. Every ARM request goes through one pipeline, in this order:
 * stats → fault injection → throttling → authentication → route (api-version, scenario
 * rejections, handler) → persistence of writes → reply. The /_emulator and /msi endpoints sit
 * beside it and are never faulted, throttled or authenticated. The instances' lab pages are on their
 * own plain-http listener (lab-listener.ts).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { checkApiVersion } from './api-versions';
import { ArmError } from './arm-error';
import { matchArmRoute } from './arm-routes';
import { authenticate, callerId } from './auth';
import type { ArmReply, ArmRequest, EmulatorContext } from './context';
import { registerControlRoutes } from './control-routes';
import { registerIntrospectionRoutes } from './introspection-routes';
import { faultError } from './faults';
import { registerMsiEndpoint } from './msi-endpoint';
import { registerRetailPrices } from './retail-prices';
import type { RequestFacts } from './scenarios';
import { kindOf, remainingHeader, throttledError } from './throttling';

// HEAD is served as ARM's check existence: 204 when the GET finds the resource, its error status otherwise.
const ARM_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'] as const;
const WRITE_METHODS = new Set(['PUT', 'POST', 'DELETE', 'PATCH']);

export function buildServer(ctx: EmulatorContext, tls: { key: string; cert: string }): FastifyInstance {
  // ARM reads `//subscriptions/…` as `/subscriptions/…` (SDKs build `{host}/{resourceId}` from ids that start with '/').
  const app = Fastify({ https: { key: tls.key, cert: tls.cert }, logger: false, bodyLimit: 1024 * 1024, routerOptions: { ignoreDuplicateSlashes: true } });

  // ARM bodies are JSON; an empty body (POST …/start) is no body, not an error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized as JSON.'), undefined);
    }
  });
  app.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof ArmError) return sendReply(reply, errorReply(error));
    const { statusCode, code, message } = error as { statusCode?: number; code?: string; message?: string };
    const status = typeof statusCode === 'number' && statusCode < 500 ? statusCode : 500;
    const body = { error: { code: status < 500 && code ? code : 'InternalServerError', message: message ?? String(error) } };
    return sendReply(reply, { status, body });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // An ARM-shaped path the emulator lacks is not a missing resource: say so with a code of its own.
    const error = /^\/(subscriptions|providers|tenants)(\/|$)/i.test(path)
      ? unsupportedOperation(request.method, path)
      : new ArmError(404, 'NotFound', `The ARM emulator does not serve '${request.method} ${request.url}'.`);
    return sendReply(reply, errorReply(error), {}, request.method);
  });

  registerControlRoutes(app, ctx);
  registerIntrospectionRoutes(app, ctx);
  registerMsiEndpoint(app, ctx);
  registerRetailPrices(app, ctx);
  app.route({
    method: [...ARM_METHODS],
    url: '/subscriptions/*',
    exposeHeadRoute: false,
    handler: (request, reply) => handleArm(ctx, request, reply),
  });
  return app;
}

async function handleArm(ctx: EmulatorContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const url = new URL(request.url.replace(/^\/{2,}/, '/'), 'https://emulator.invalid');
  url.pathname = url.pathname.replace(/\/{2,}/g, '/');
  const route = matchArmRoute(request.method, url.pathname);
  const params = route?.params ?? {};
  const facts: RequestFacts = {
    operation: route?.operation ?? 'unknown',
    name: params.computeName,
    resourceGroup: params.resourceGroupName,
    vmSize: vmSizeOf(request.body),
  };
  ctx.stats.count(request.method, facts.operation, ctx.now());

  // 1. Fault injection: a scripted fault first, else the random share.
  const scripted = ctx.scenarios.takeFault(facts);
  const rolled = scripted ? null : ctx.faults.roll();
  if (scripted || rolled) {
    ctx.stats.countFault();
    const fault = scripted ? faultError(scripted.status, scripted.retryAfterSeconds) : faultError(rolled ?? 500);
    return sendReply(reply, errorReply(fault));
  }

  // 2. Throttling: ARM's token buckets per principal, reads and writes apart.
  let rateHeaders: Record<string, string> = {};
  if (ctx.options.throttle) {
    const kind = kindOf(request.method);
    const caller = callerId(request.headers.authorization);
    const verdict = ctx.throttler.take(ctx.seed.subscription.id, caller, kind, ctx.now());
    if (!verdict.allowed) {
      ctx.stats.countThrottled(ctx.now());
      return sendReply(reply, errorReply(throttledError(ctx.seed.subscription.id, caller, kind, verdict)));
    }
    rateHeaders = remainingHeader(kind, verdict.remaining);
  }

  // 3. Authentication.
  const auth = authenticate(request.headers.authorization);
  if (!auth.ok) return sendReply(reply, errorReply(auth.error), rateHeaders);

  const delaySeconds = ctx.scenarios.takeDelay(facts);
  if (delaySeconds !== null) await new Promise((resolve) => setTimeout(resolve, delaySeconds * 1000));

  // 4. Route.
  if (!route) return sendReply(reply, errorReply(unsupportedOperation(request.method, url.pathname)), rateHeaders, request.method);
  const query = firstValues(url.searchParams);
  const armRequest: ArmRequest = {
    method: request.method,
    path: url.pathname,
    params,
    query,
    body: request.body,
    baseUrl: `https://${request.headers.host ?? `${ctx.options.host}:${ctx.options.port}`}`,
    apiVersion: '',
    principal: auth.principal,
  };
  let result: ArmReply;
  try {
    armRequest.apiVersion = checkApiVersion(route.provider, query['api-version']);
    const rejection = ctx.scenarios.takeReject(facts);
    if (rejection) throw new ArmError(rejection.status, rejection.code, rejection.message);
    result = route.handler(ctx, armRequest);
  } catch (error) {
    if (!(error instanceof ArmError)) throw error;
    result = errorReply(error);
  }

  // ARM's check existence (HEAD): 204 without a body when the GET would find the resource, else the GET's error.
  if (request.method === 'HEAD' && result.status === 200) result = { status: 204, headers: result.headers };

  // 5. Persist writes and remember what was sent to the compute.
  if (WRITE_METHODS.has(request.method)) {
    ctx.store.commit(ctx.now());
    if (params.computeName) {
      ctx.requests.record(params.computeName, {
        at: new Date(ctx.now()).toISOString(),
        method: request.method,
        operation: facts.operation,
        path: url.pathname,
        apiVersion: query['api-version'] ?? null,
        body: request.body ?? null,
        status: result.status,
      });
    }
  }
  return sendReply(reply, result, rateHeaders, request.method);
}

/** 501 with a code no client reads as "resource missing" (a 404 would make a delete look done). */
function unsupportedOperation(method: string, path: string): ArmError {
  return new ArmError(
    501,
    'EmulatorUnsupportedOperation',
    `The ARM emulator does not serve the operation '${method} ${path}'. Azure may; the emulator serves only the operations listed in local/arm-emulator/README.md.`,
  );
}

function errorReply(error: ArmError): ArmReply {
  return { status: error.status, body: error.body(), headers: error.headers };
}

function sendReply(reply: FastifyReply, result: ArmReply, extraHeaders: Record<string, string> = {}, method = 'GET'): FastifyReply {
  const requestId = randomUUID();
  reply.code(result.status).headers({
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': requestId,
    ...extraHeaders,
    ...result.headers,
  });
  if (result.body === undefined) return reply.send();
  reply.type('application/json; charset=utf-8');
  return method === 'HEAD' ? reply.send() : reply.send(JSON.stringify(result.body));
}

/** Query parameters, first value wins (ARM ignores repeats). */
function firstValues(search: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of search) if (!(key in values)) values[key] = value;
  return values;
}

function vmSizeOf(body: unknown): string | undefined {
  const inner = record(record(record(body)?.properties)?.properties);
  return typeof inner?.vmSize === 'string' ? inner.vmSize : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}
