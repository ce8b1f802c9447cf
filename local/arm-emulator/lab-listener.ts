/**
 * The instances' JupyterLab endpoints, on their own plain-http loopback listener (default port 7074)
 * so that a browser opens them without a certificate warning, while ARM stays https. Without the
 * `jupyter` option each Running instance is a stand-in page (lab-page.ts). With it, a request for a
 * Running instance goes to that instance's real JupyterLab (started on demand if the supervisor has
 * not yet), WebSockets included; other states still get the explanatory page.
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import type { EmulatorContext } from './context';
import { proxyRequest, proxyUpgrade, refuseUpgrade } from './jupyter/lab-proxy';
import type { JupyterSupervisor } from './jupyter/supervisor';
import { isStandInOnlyPath, registerLabPages } from './lab-page';

/** The instance a lab path belongs to: /instances/<name>[/…]. */
export function instanceOfPath(url: string | undefined): string | null {
  const match = /^\/instances\/([^/?#]+)/.exec(url ?? '');
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

export function buildLabListener(ctx: EmulatorContext, jupyter: JupyterSupervisor | null): FastifyInstance {
  const app = Fastify({
    logger: false,
    serverFactory: (fastifyHandler) => {
      const server = http.createServer((request, response) => {
        void routeRequest(request, response, fastifyHandler);
      });
      server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        void routeUpgrade(request, socket, head);
      });
      return server;
    },
  });

  const labOf = async (name: string) => {
    if (jupyter === null) return null;
    return jupyter.labFor(name);
  };

  async function routeRequest(request: http.IncomingMessage, response: http.ServerResponse, fastifyHandler: http.RequestListener): Promise<void> {
    const name = jupyter === null || isStandInOnlyPath(request.url) ? null : instanceOfPath(request.url);
    if (name === null) return fastifyHandler(request, response);
    try {
      const lab = await labOf(name);
      if (lab === null) return fastifyHandler(request, response);
      // JupyterLab serves under /instances/<name>/; the bare instance path opens the lab.
      if (/^\/instances\/[^/?#]+$/.test(request.url?.split('?')[0] ?? '')) {
        response.writeHead(302, { location: `/instances/${encodeURIComponent(name)}/lab` });
        response.end();
        return;
      }
      proxyRequest(request, response, lab.port);
    } catch (error) {
      response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '10' });
      response.end(`JupyterLab for compute instance ${name} did not start.\n\n${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  async function routeUpgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const name = instanceOfPath(request.url);
    if (name === null) return refuseUpgrade(socket, 404, 'Not Found');
    try {
      const lab = await labOf(name);
      if (lab === null) return refuseUpgrade(socket, 503, 'Service Unavailable');
      proxyUpgrade(request, socket, head, lab.port);
    } catch {
      refuseUpgrade(socket, 502, 'Bad Gateway');
    }
  }

  registerLabPages(app, ctx);
  return app;
}
