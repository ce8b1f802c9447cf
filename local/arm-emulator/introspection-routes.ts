/**
 * What Azure holds, read without ARM's faults, throttling or tokens: tests and benchmarks compare
 * the control plane's view with it (`GET /_emulator/computes/{name}`).
 */
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from './context';

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
}
