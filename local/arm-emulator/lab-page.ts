/**
 * The web applications of each instance — JupyterLab, VS Code (Web) and its custom services — as
 * stand-in pages a person can open: 200 while the instance is Running, otherwise 503 explaining what
 * the instance is doing (404 when there is none, or no such custom service). Every request while
 * Running is activity on the instance: it holds off Azure ML's idle shutdown.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorContext } from './context';
import { servesApplications } from './lifecycle';
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

/** Which application of the instance a page stands in for. */
type Application = { kind: 'jupyterlab' } | { kind: 'vscode' } | { kind: 'service'; service: string };

function titleOf(application: Application): string {
  if (application.kind === 'vscode') return 'VS Code';
  if (application.kind === 'service') return application.service;
  return 'JupyterLab';
}

export function registerLabPages(app: FastifyInstance, ctx: EmulatorContext): void {
  const standIn = (application: (params: Record<string, string>) => Application) => async (request: { params: unknown; url: string }, reply: FastifyReply) => {
    const params = request.params as Record<string, string>;
    const name = params.name ?? '';
    const wanted = application(params);
    const title = titleOf(wanted);
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
    if (wanted.kind === 'service' && !(record.customServices ?? []).some((service) => service.name === wanted.service)) {
      return page(reply, 404, 'Custom service not found', [
        `Compute instance <b>${escape(record.name)}</b> has no custom service named <b>${escape(wanted.service)}</b>.`,
      ]);
    }
    if (!servesApplications(record)) {
      return page(reply.header('retry-after', '10'), 503, `${title} is not available`, [
        `Compute instance <b>${escape(record.name)}</b> is <b>${escape(record.state)}</b>; ${escape(title)} answers once it is Running.`,
        who,
      ]);
    }
    recordActivity(ctx, record);
    return page(reply, 200, title, [
      `Compute instance: <b id="instance">${escape(record.name)}</b> (${escape(record.vmSize)}, workspace ${escape(record.workspace)})`,
      `Path on the instance: <code id="path">${escape(safeDecode(rest))}</code>`,
      who,
      `<span id="application">${escape(title)}</span>: this page stands in for ${escape(title)} on the ARM emulator.`,
    ]);
  };
  const lab = standIn(() => ({ kind: 'jupyterlab' }));
  const vsCode = standIn(() => ({ kind: 'vscode' }));
  const service = standIn((params) => ({ kind: 'service', service: params.service ?? '' }));
  app.get('/instances/:name', lab);
  app.get('/instances/:name/*', lab);
  app.get('/instances/:name/vscode', vsCode);
  app.get('/instances/:name/vscode/*', vsCode);
  app.get('/instances/:name/services/:service', service);
  app.get('/instances/:name/services/:service/*', service);
}

/** Paths of the instance's applications other than Jupyter: stand-in pages even when a real JupyterLab runs. */
export function isStandInOnlyPath(url: string | undefined): boolean {
  return /^\/instances\/[^/?#]+\/(vscode|services)(\/|$|\?)/.test(url ?? '');
}
