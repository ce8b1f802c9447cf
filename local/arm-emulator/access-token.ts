/**
 * The emulator's access tokens: JWT-shaped (header.payload.signature, unsigned) so that the caller's
 * identity can be read back from them, the way ARM reads oid/tid from an Entra token.
 */
import { createHash } from 'node:crypto';

export interface Principal {
  /** Object id of the caller (the `oid` claim), or a stable stand-in for an opaque token. */
  id: string;
  tenantId: string | null;
  /** Display name or app id, shown as createdBy.userName. */
  name: string;
}

export interface TokenClaims {
  aud: string;
  iss: string;
  oid: string;
  tid: string;
  appid: string;
  iat: number;
  nbf: number;
  exp: number;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function issueToken(claims: TokenClaims): string {
  return `${encode({ typ: 'JWT', alg: 'none' })}.${encode(claims)}.local-emulator`;
}

/** Reads the caller from a bearer token; tokens the emulator did not issue become an opaque principal. */
export function principalFromToken(token: string): Principal {
  const payload = token.split('.')[1];
  if (payload) {
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (isRecord(claims) && typeof claims.oid === 'string') {
        return {
          id: claims.oid,
          tenantId: typeof claims.tid === 'string' ? claims.tid : null,
          name: typeof claims.appid === 'string' ? claims.appid : claims.oid,
        };
      }
    } catch {
      // not a JWT: fall through
    }
  }
  const digest = createHash('sha256').update(token).digest('hex').slice(0, 16);
  return { id: `opaque-${digest}`, tenantId: null, name: `opaque-${digest}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
