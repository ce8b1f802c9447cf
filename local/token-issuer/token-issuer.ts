/**
 * A local stand-in for an OpenID Connect token issuer, on loopback: it publishes its signing key
 * set and OpenID configuration; tokens are minted in process (`mint`) or from the command line.
 * It knows nothing of the product beyond issuing tokens.
 *
 * Request pipeline: GET /.well-known/openid-configuration | GET /discovery/v2.0/keys | 404.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintToken, type TokenRequest } from './mint-token';
import { loadOrCreateSigningKey, type SigningKey } from './signing-key';

export const DEFAULT_TOKEN_ISSUER_PORT = 7073;
/** The audience tokens carry unless asked otherwise. */
export const DEFAULT_AUDIENCE = 'api://local-api';
export const KEYS_PATH = '/discovery/v2.0/keys';

export interface TokenIssuerOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Where the signing key is kept; null keeps it in memory. */
  dataDir?: string | null;
}

export interface TokenIssuer {
  /** The issuer (`iss`), which is also its base URL. */
  issuer: string;
  jwksUri: string;
  key: SigningKey;
  mint(request?: Partial<TokenRequest>): Promise<string>;
  stop(): Promise<void>;
}

/** The issuer URL for a port: what the server publishes and what the command line mints with. */
export function issuerUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export async function startTokenIssuer(options: TokenIssuerOptions = {}): Promise<TokenIssuer> {
  const key = await loadOrCreateSigningKey(options.dataDir ?? null);
  let issuer = '';
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return send(405, { error: 'method not allowed' });
    if (path === '/.well-known/openid-configuration') {
      return send(200, { issuer, jwks_uri: `${issuer}${KEYS_PATH}`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (path === KEYS_PATH) return send(200, { keys: [key.publicJwk] });
    return send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_TOKEN_ISSUER_PORT, '127.0.0.1', () => resolve());
  });
  issuer = issuerUrl((server.address() as AddressInfo).port);
  return {
    issuer,
    jwksUri: `${issuer}${KEYS_PATH}`,
    key,
    mint: (request = {}) => mintToken(key, { issuer, audience: DEFAULT_AUDIENCE, ...request }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
