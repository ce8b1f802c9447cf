/**
 * Validates Entra ID access tokens with `jose`: signature against the issuer's published key set
 * (fetched and cached by createRemoteJWKSet), issuer, audience, expiry and not-before. Turns a
 * valid token into a Caller; an invalid one into a 401 AppError. The token itself is never logged.
 *
 * When the key set cannot be fetched, that is not the caller's fault: a 503 `auth-unavailable`
 * with Retry-After. The failure is remembered for a short cooldown, so a stream of tokens with
 * made-up key ids does not send a fetch (and wait up to its timeout) each; meanwhile tokens signed
 * by a key already known still verify against the last key set fetched.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTHeaderParameters,
  type FlattenedJWSInput,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import type { EntraSettings } from '../../config/settings';
import { APP_ROLES, type AppRole, type Caller } from '../../domain/caller';
import { AppError } from '../../domain/errors';

/** Entra signs access tokens with RS256. */
const ALGORITHMS = ['RS256'];
/** Clock skew tolerated on exp and nbf. */
const CLOCK_TOLERANCE_SECONDS = 60;
/** A fetch of the key set that takes longer fails (and holds the request that long at most). */
const FETCH_TIMEOUT_MS = 5_000;
/** After a successful fetch, an unknown key id refetches at most this often (jose's cooldown). */
const REFETCH_COOLDOWN_MS = 30_000;
/** Keys are refetched after this long even if every key id is known (Entra rotates keys). */
const CACHE_MAX_AGE_MS = 10 * 60_000;
/** After a failed fetch, no new fetch is tried for this long. */
export const FAILED_FETCH_COOLDOWN_MS = 15_000;

type KeyResolver = (header: JWTHeaderParameters, token: FlattenedJWSInput) => Promise<KeyLike>;

export interface EntraTokenVerifierOptions {
  /** Default FAILED_FETCH_COOLDOWN_MS. */
  failedFetchCooldownMs?: number;
  now?: () => number;
}

export class EntraTokenVerifier {
  private readonly remote: ReturnType<typeof createRemoteJWKSet>;
  private readonly failedFetchCooldownMs: number;
  private readonly now: () => number;
  private fetchFailedUntil = 0;

  constructor(private readonly settings: EntraSettings, options: EntraTokenVerifierOptions = {}) {
    this.remote = createRemoteJWKSet(new URL(settings.jwksUri), {
      timeoutDuration: FETCH_TIMEOUT_MS,
      cooldownDuration: REFETCH_COOLDOWN_MS,
      cacheMaxAge: CACHE_MAX_AGE_MS,
    });
    this.failedFetchCooldownMs = options.failedFetchCooldownMs ?? FAILED_FETCH_COOLDOWN_MS;
    this.now = options.now ?? Date.now;
  }

  async verify(token: string): Promise<Caller> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audiences,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof joseErrors.JOSEError) throw new AppError('unauthorized', `The bearer token is not valid (${error.code}).`);
      throw error;
    }
    return fromClaims(payload);
  }

  /** jose's remote key set, unless a fetch failed lately: then the last key set known, never a fetch. */
  private readonly keys: KeyResolver = async (header, token) => {
    if (this.now() < this.fetchFailedUntil) return this.lastKnownKey(header, token);
    try {
      return await this.remote(header, token);
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) throw error;
      // Anything else from the key resolver is the fetch: a refused connection, a timeout, a non-200, bad JSON.
      this.fetchFailedUntil = this.now() + this.failedFetchCooldownMs;
      throw this.unavailable(error);
    }
  };

  private async lastKnownKey(header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<KeyLike> {
    const jwks = this.remote.jwks();
    if (!jwks) throw this.unavailable();
    try {
      return await createLocalJWKSet(jwks)(header, token);
    } catch (error) {
      // A key id we do not know may be a key rotated in while the issuer cannot be reached.
      if (error instanceof joseErrors.JWKSNoMatchingKey) throw this.unavailable(error);
      throw error;
    }
  }

  private unavailable(cause?: unknown): AppError {
    const retryAfterSeconds = Math.max(1, Math.ceil((this.fetchFailedUntil - this.now()) / 1000));
    return new AppError('auth-unavailable', `The token issuer's key set (${this.settings.jwksUri}) could not be fetched.`, {
      retryAfterSeconds,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

export function fromClaims(payload: JWTPayload): Caller {
  const roles = Array.isArray(payload.roles) ? payload.roles : [];
  const appRoles = APP_ROLES.filter((role: AppRole) => roles.includes(role));
  const oid = typeof payload.oid === 'string' && /^[0-9a-fA-F-]{36}$/.test(payload.oid) ? payload.oid.toLowerCase() : null;
  return { via: 'token', roles: appRoles, objectId: oid };
}
