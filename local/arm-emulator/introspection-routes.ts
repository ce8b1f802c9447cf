/**
 * What Azure holds, read without ARM's faults, throttling or tokens: tests and benchmarks compare
 * the control plane's view with it (`GET /_emulator/computes/{name}`), when Azure moved each
 * instance (`GET /_emulator/history`, `GET /_emulator/computes/{name}/history`), and ARM's request
 * rates second by second (`GET /_emulator/timeline`).
 */
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from './context';
import type { ComputeHistory } from './state-history';

export function registerIntrospectionRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/_emulator/computes/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const record = ctx.store.computeNamed(name, null, ctx.now());
    if (!record) return reply.code(404).send({ error: { code: 'NotFound', message: `There is no compute instance '${name}'.` } });
    return {
      name: record.name,
      resourceGroup: record.resourceGroup,
      workspace: record.workspace,
      state: record.state,
      tags: record.tags,
      lastOperation: { name: record.lastOperation.name, at: new Date(record.lastOperation.at).toISOString() },
    };
  });

  app.get('/_emulator/history', async () => ({ computes: ctx.store.history.all(ctx.now()).map(historyView) }));

  app.get('/_emulator/computes/:name/history', async (request, reply) => {
    const { name } = request.params as { name: string };
    const history = ctx.store.history.named(name, ctx.now());
    if (!history) return reply.code(404).send({ error: { code: 'NotFound', message: `There is no history of a compute instance '${name}'.` } });
    return historyView(history);
  });

  app.get('/_emulator/timeline', async () => ({ seconds: ctx.stats.timeline() }));
}

function historyView(history: ComputeHistory) {
  return { ...history, transitions: history.transitions.map((t) => ({ state: t.state, at: new Date(t.at).toISOString() })) };
}
