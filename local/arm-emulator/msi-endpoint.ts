/**
 * An App Service style managed-identity endpoint (`GET /msi/token?resource=…&api-version=2019-08-01`
 * with header X-IDENTITY-HEADER), which @azure/identity uses when IDENTITY_ENDPOINT and
 * IDENTITY_HEADER are set — so production code keeps `new DefaultAzureCredential()`.
 */
import type { FastifyInstance } from 'fastify';
import { issueToken } from './access-token';
import type { EmulatorContext } from './context';

const TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
const API_VERSION = '2019-08-01';

export function registerMsiEndpoint(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/msi/token', async (request, reply) => {
    ctx.stats.count('GET', 'msi/token');
    const query = request.query as Record<string, string | undefined>;
    if (request.headers['x-identity-header'] !== ctx.options.identityHeader) {
      return reply.code(401).send({
        error: 'unauthorized_client',
        error_description: 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.',
      });
    }
    if (query['api-version'] !== API_VERSION) {
      return reply.code(400).send({ error: 'invalid_request', error_description: `api-version must be ${API_VERSION}.` });
    }
    const resource = query.resource;
    if (!resource) {
      return reply.code(400).send({ error: 'invalid_request', error_description: "The 'resource' query parameter is required." });
    }
    // Tokens use the real clock: the credential compares expires_on with its own time.
    const now = Math.floor(Date.now() / 1000);
    const { subscription, managedIdentity } = ctx.seed;
    const token = issueToken({
      aud: resource,
      iss: `https://sts.windows.net/${subscription.tenantId}/`,
      oid: managedIdentity.principalId,
      tid: subscription.tenantId,
      appid: managedIdentity.clientId,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
    });
    return reply.send({
      access_token: token,
      expires_on: String(now + TOKEN_LIFETIME_SECONDS),
      resource,
      token_type: 'Bearer',
      client_id: managedIdentity.clientId,
    });
  });
}
