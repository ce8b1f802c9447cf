/**
 * The emulator's own endpoints under /_emulator, for tests and benchmarks (never faulted,
 * throttled or authenticated): health, stats, reset, recorded requests, scenarios, and what
 * happens to an instance outside the ARM API (activity, a start or stop in the studio).
 */
import type { FastifyInstance } from 'fastify';
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
