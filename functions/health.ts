import { app } from '@azure/functions';
import { json, withProblemResponses } from '../shared/http/http-handler';

export const health = withProblemResponses(async () => json(200, { status: 'ok' }));

app.http('health', { route: 'health', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: health });
