/** Signs an access token shaped like Entra ID's (v2.0): iss, aud, sub, oid, roles, iat, nbf, exp. */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ALGORITHM, type SigningKey } from './signing-key';

export interface TokenRequest {
  issuer: string;
  audience: string;
  /** App roles, e.g. ['Hub']; none for a person's own token. */
  roles?: string[];
  /** The subject's object id; a fresh GUID when absent. */
  oid?: string;
  /** Lifetime; negative mints an expired token. */
  minutes?: number;
  /** Extra claims, e.g. a name. */
  claims?: Record<string, unknown>;
}

export async function mintToken(key: SigningKey, request: TokenRequest, now: Date = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const minutes = request.minutes ?? 60;
  const oid = request.oid ?? randomUUID();
  return new SignJWT({ ...request.claims, oid, ...(request.roles && request.roles.length > 0 ? { roles: request.roles } : {}) })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: key.kid })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setSubject(oid)
    .setIssuedAt(issuedAt)
    .setNotBefore(Math.min(issuedAt, issuedAt + minutes * 60 - 60))
    .setExpirationTime(issuedAt + minutes * 60)
    .setJti(randomUUID())
    .sign(key.privateKey);
}
