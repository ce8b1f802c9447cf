/**
 * The JupyterLab endpoint of each instance: a page a person can open, 200 while the instance is
 * Running, otherwise 503 explaining what the instance is doing (404 when there is none). Every
 * request while Running is activity on the instance: it holds off Azure ML's idle shutdown.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorContext } from './context';
import { recordActivity } from './outside-routes';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(reply: FastifyReply, status: number, title: string, lines: string[]): FastifyReply {
  const body = lines.map((line) => `    <p>${line}</p>`).join('\n');
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html>\n<html lang="en">\n  <head><meta charset="utf-8"><title>${escape(title)}</title></head>\n  <body>\n    <h1>${escape(title)}</h1>\n${body}\n  </body>\n</html>\n`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function registerLabPages(app: FastifyInstance, ctx: EmulatorContext): void {
  const handler = async (request: { params: unknown; url: string }, reply: FastifyReply) => {
    const { name } = request.params as { name: string };
    // the path and query asked for below the instance, as JupyterLab would open them (deep links)
    const rest = request.url.slice(request.url.indexOf(name) + name.length) || '/';
    const record = ctx.store.computeNamed(name, null, ctx.now());
    if (!record) {
      return page(reply, 404, 'Compute instance not found', [`There is no compute instance named <b>${escape(name)}</b>.`]);
    }
    const user = record.assignedUser
      ? `User: <b id="user">${escape(record.assignedUser.objectId)}</b> (assigned user, tenant ${escape(record.assignedUser.tenantId)})`
      : `User: <b id="user">${escape(record.createdBy.userName)}</b> (creator; no assigned user)`;
    const tags = Object.entries(record.tags).map(([key, value]) => `${escape(key)}=${escape(value)}`);
    const who = tags.length > 0 ? `${user}<br>Tags: ${tags.join(', ')}` : user;
    if (record.state !== 'Running') {
      return page(reply.header('retry-after', '10'), 503, 'JupyterLab is not available', [
        `Compute instance <b>${escape(record.name)}</b> is <b>${escape(record.state)}</b>; JupyterLab answers once it is Running.`,
        who,
      ]);
    }
    recordActivity(ctx, record);
    return page(reply, 200, 'JupyterLab', [
      `Compute instance: <b id="instance">${escape(record.name)}</b> (${escape(record.vmSize)}, workspace ${escape(record.workspace)})`,
      `Path on the instance: <code id="path">${escape(safeDecode(rest))}</code>`,
      who,
      'This page stands in for JupyterLab on the ARM emulator.',
    ]);
  };
  app.get('/instances/:name', handler);
  app.get('/instances/:name/*', handler);
}
