/**
 * The emulator's own endpoints under /_emulator, for tests and benchmarks (never faulted,
 * throttled or authenticated): health, stats, reset, recorded requests, scenarios, and what
 * happens to an instance outside the ARM API (activity, a start or stop in the studio).
 */
import type { FastifyInstance } from 'fastify';
import { issueToken } from './access-token';
import type { EmulatorContext } from './context';
import { registerOutsideRoutes } from './outside-routes';
import { ScenarioInputSchema } from './scenarios';

export function resetEmulator(ctx: EmulatorContext): void {
  ctx.stats.reset();
  ctx.scenarios.clear();
  ctx.requests.clear();
  ctx.throttler.reset();
  ctx.store.clear(ctx.now());
  // Every instance is gone: so are their labs (the supervisor's next tick would end them too).
  void ctx.stopLabs?.();
}

export function registerControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/_emulator/health', async () => ({ status: 'ok', subscriptionId: ctx.seed.subscription.id }));

  app.get('/_emulator/stats', async () => ctx.stats.snapshot());

  app.post('/_emulator/reset', async (_request, reply) => {
    resetEmulator(ctx);
    return reply.code(204).send();
  });

  app.get('/_emulator/requests', async (request, reply) => {
    const { name } = request.query as { name?: string };
    if (!name) return reply.code(400).send({ error: { code: 'BadRequest', message: "The query parameter 'name' (a compute name) is required." } });
    return { name, requests: ctx.requests.forCompute(name) };
  });

  // An access token for a seeded person, as `az login` would give them: lets a test or a
  // developer act through ARM as that person (e.g. platform-admin setting a project's tags).
  app.get('/_emulator/token', async (request, reply) => {
    const { principal } = request.query as { principal?: string };
    const person = ctx.seed.principals.find((candidate) => candidate.type === 'User' && candidate.objectId.toLowerCase() === (principal ?? '').toLowerCase());
    if (!person) {
      return reply.code(400).send({ error: { code: 'BadRequest', message: "The query parameter 'principal' must be the object id of a seeded user (seed.json principals)." } });
    }
    const now = Math.floor(Date.now() / 1000);
    const { tenantId } = ctx.seed.subscription;
    const token = issueToken({
      aud: 'https://management.azure.com/', iss: `https://sts.windows.net/${tenantId}/`, oid: person.objectId, tid: tenantId,
      appid: person.displayName, iat: now, nbf: now, exp: now + 3600,
    });
    return { access_token: token, token_type: 'Bearer', expires_on: String(now + 3600), principal: person.displayName };
  });

  registerOutsideRoutes(app, ctx);

  app.get('/_emulator/scenarios', async () => ({ value: ctx.scenarios.list() }));

  app.post('/_emulator/scenarios', async (request, reply) => {
    const parsed = ScenarioInputSchema.safeParse(request.body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
      return reply.code(400).send({ error: { code: 'BadRequest', message: `Invalid scenario: ${problems.join('; ')}` } });
    }
    return reply.code(201).send(ctx.scenarios.add(parsed.data));
  });

  app.delete('/_emulator/scenarios', async (_request, reply) => {
    ctx.scenarios.clear();
    return reply.code(204).send();
  });

  app.delete('/_emulator/scenarios/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!ctx.scenarios.remove(id)) return reply.code(404).send({ error: { code: 'NotFound', message: `No scenario '${id}'.` } });
    return reply.code(204).send();
  });
}
