import { app, type HttpResponseInit } from '@azure/functions';
import { ADMIN_CSS, ADMIN_HTML } from '../shared/admin-page/admin-html';
import { ADMIN_SCRIPT } from '../shared/admin-page/admin-script';
import { AppError } from '../shared/domain/errors';
import { withProblemResponses } from '../shared/http/http-handler';

/**
 * The admin page: a static document, its script and its style. They hold no secret and no data,
 * so they are served to anyone; the script calls the API with the admin's own credential, so the
 * data and actions stay behind the same callers as the API. The policy allows this origin only.
 */
const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

const ASSETS: Record<string, { type: string; body: string }> = {
  'admin.js': { type: 'text/javascript; charset=utf-8', body: ADMIN_SCRIPT },
  'admin.css': { type: 'text/css; charset=utf-8', body: ADMIN_CSS },
};

function page(type: string, body: string): HttpResponseInit {
  return { status: 200, headers: { 'content-type': type, ...HEADERS }, body };
}

export const adminPage = withProblemResponses(async () => page('text/html; charset=utf-8', ADMIN_HTML));

export const adminAsset = withProblemResponses(async (request) => {
  const asset = ASSETS[request.params.file ?? ''];
  if (!asset) throw new AppError('route-not-found', `No route serves ${request.method} ${new URL(request.url).pathname}.`);
  return page(asset.type, asset.body);
});

app.http('adminPage', { route: 'admin', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: adminPage });
app.http('adminAsset', { route: 'admin/{file}', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: adminAsset });
