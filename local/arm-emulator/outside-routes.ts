/**
 * What happens to an instance outside the ARM API, for tests: a person working on it (activity,
 * which holds off Azure ML's idle shutdown) and a person or a schedule starting or stopping it in
 * the studio (lastOperation trigger User or Schedule).
 *   POST /_emulator/computes/{name}/activity          → 204 (409 unless Running, 404 if none)
 *   POST /_emulator/computes/{name}/start|stop        body {trigger?: "User" | "Schedule"} → 202
 *                                                      with the instance's new state (409 when busy,
 *                                                      or not Stopped for a start / Running for a stop)
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ComputeRecord } from './compute-record';
import type { EmulatorContext } from './context';
import { withActivity } from './idle-shutdown';
import { applyAction } from './lifecycle';

const OutsideActionSchema = z.strictObject({ trigger: z.enum(['User', 'Schedule']).default('User') }).default({ trigger: 'User' });

/** Records activity on the instance now; false when it is not Running. */
export function recordActivity(ctx: EmulatorContext, record: ComputeRecord): boolean {
  const now = ctx.now();
  const active = withActivity(record, now);
  if (!active) return false;
  ctx.store.putCompute(active);
  ctx.store.commit(now);
  return true;
}

function problem(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

export function registerOutsideRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const find = (name: string) => ctx.store.computeNamed(name, null, ctx.now());

  app.post('/_emulator/computes/:name/activity', async (request, reply) => {
    const { name } = request.params as { name: string };
    const record = find(name);
    if (!record) return problem(reply, 404, 'NotFound', `No compute instance named '${name}'.`);
    if (!recordActivity(ctx, record)) {
      return problem(reply, 409, 'Conflict', `Compute instance '${record.name}' is ${record.state}; activity happens only while it is Running.`);
    }
    return reply.code(204).send();
  });

  for (const action of ['Start', 'Stop'] as const) {
    app.post(`/_emulator/computes/:name/${action.toLowerCase()}`, async (request, reply) => {
      const { name } = request.params as { name: string };
      const parsed = OutsideActionSchema.safeParse(request.body ?? undefined);
      if (!parsed.success) return problem(reply, 400, 'BadRequest', `Invalid body: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
      const record = find(name);
      if (!record) return problem(reply, 404, 'NotFound', `No compute instance named '${name}'.`);
      const now = ctx.now();
      const result = applyAction(record, action, now, ctx.durations);
      if (result.kind === 'conflict') return problem(reply, 409, 'Conflict', result.message);
      if (result.kind === 'refused') return problem(reply, 409, result.error.code, result.error.message);
      const next = result.kind === 'begin' ? { ...result.record, lastOperation: { ...result.record.lastOperation, trigger: parsed.data.trigger } } : record;
      if (result.kind === 'begin') {
        ctx.store.putCompute(next);
        ctx.store.commit(now);
      }
      return reply.code(202).send({ name: next.name, state: next.state, trigger: parsed.data.trigger });
    });
  }
}
