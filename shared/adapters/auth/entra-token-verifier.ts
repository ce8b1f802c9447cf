/**
 * Validates Entra ID access tokens with `jose`: signature against the issuer's published key set
 * (fetched and cached by createRemoteJWKSet), issuer, audience, expiry and not-before. Turns a
 * valid token into a Caller; an invalid one into a 401 AppError. The token itself is never logged.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { EntraSettings } from '../../config/settings';
import { APP_ROLES, type AppRole, type Caller } from '../../domain/caller';
import { AppError } from '../../domain/errors';

/** Entra signs access tokens with RS256. */
const ALGORITHMS = ['RS256'];
/** Clock skew tolerated on exp and nbf. */
const CLOCK_TOLERANCE_SECONDS = 60;

export class EntraTokenVerifier {
  private readonly keySet: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: EntraSettings) {
    this.keySet = createRemoteJWKSet(new URL(settings.jwksUri), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
  }

  async verify(token: string): Promise<Caller> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet, {
        issuer: this.settings.issuer,
        audience: this.settings.audiences,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      // A key set we cannot fetch is our problem (500, logged); anything else is a bad token.
      if (error instanceof joseErrors.JOSEError && !keySetUnavailable(error)) {
        throw new AppError('unauthorized', `The bearer token is not valid (${error.code}).`);
      }
      throw error;
    }
    return fromClaims(payload);
  }
}

/** The key set could not be fetched or read: not the caller's fault. */
function keySetUnavailable(error: InstanceType<typeof joseErrors.JOSEError>): boolean {
  return error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC';
}

export function fromClaims(payload: JWTPayload): Caller {
  const roles = Array.isArray(payload.roles) ? payload.roles : [];
  const appRoles = APP_ROLES.filter((role: AppRole) => roles.includes(role));
  const oid = typeof payload.oid === 'string' && /^[0-9a-fA-F-]{36}$/.test(payload.oid) ? payload.oid.toLowerCase() : null;
  return { via: 'token', roles: appRoles, objectId: oid };
}
