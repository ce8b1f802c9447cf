import { app } from '@azure/functions';
import { AppError } from '../shared/domain/errors';
import { withProblemResponses } from '../shared/http/http-handler';

/** Any path under /api that no other function serves: a problem+json 404, not the host's empty page. */
export const notFound = withProblemResponses(async (request) => {
  throw new AppError('route-not-found', `No route serves ${request.method} ${new URL(request.url).pathname}.`);
});

app.http('notFound', {
  route: '{*path}',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: notFound,
});
