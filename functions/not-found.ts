import { app } from '@azure/functions';
import { AppError } from '../shared/domain/errors';
import { allowedMethods } from '../shared/http/api-routes';
import { withProblemResponses } from '../shared/http/http-handler';

/**
 * Any request under /api that no other function serves. A path the app serves with another method
 * is a 405 with Allow (Azure's host alone would answer 404); any other path a problem+json 404, not
 * the host's empty page.
 */
export const notFound = withProblemResponses(async (request) => {
  const { pathname } = new URL(request.url);
  const allowed = allowedMethods(pathname);
  if (allowed) {
    throw new AppError('method-not-allowed', `${pathname} does not serve ${request.method}; it serves ${allowed.join(', ')}.`, { allow: allowed });
  }
  throw new AppError('route-not-found', `No route serves ${request.method} ${pathname}.`);
});

app.http('notFound', {
  route: '{*path}',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: notFound,
});
