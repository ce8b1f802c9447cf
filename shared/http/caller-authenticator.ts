/**
 * Who is calling: the shared key in `x-functions-key` and/or an Entra ID bearer token, as AUTH_MODE
 * allows. The key is compared in constant time; neither the key nor the token is ever logged or
 * echoed in a response.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthSettings } from '../config/settings';
import { KEY_CALLER, type Caller } from '../domain/caller';
import { AppError } from '../domain/errors';

export const KEY_HEADER = 'x-functions-key';

export interface TokenVerifier {
  verify(token: string): Promise<Caller>;
}

/** Read access to request headers (the Functions HttpRequest's Headers fits). */
export interface HeaderSource {
  get(name: string): string | null;
}

export class CallerAuthenticator {
  private readonly keyDigest: Buffer | null;

  constructor(private readonly settings: AuthSettings, private readonly tokens: TokenVerifier | null) {
    this.keyDigest = settings.hubApiKey === null ? null : digest(settings.hubApiKey);
  }

  /**
   * The caller, or a 401 AppError with a WWW-Authenticate challenge. Every credential of a kind the
   * mode accepts must be valid: a good token does not excuse a wrong key sent beside it. With both
   * valid, the token's (narrower) identity is the caller.
   */
  async authenticate(headers: HeaderSource): Promise<Caller> {
    const key = headers.get(KEY_HEADER);
    let keyCaller: Caller | null = null;
    if (key !== null && this.keyDigest) {
      if (!timingSafeEqual(digest(key), this.keyDigest)) throw this.unauthorized(`The key in ${KEY_HEADER} is not valid.`);
      keyCaller = KEY_CALLER;
    }
    const authorization = headers.get('authorization');
    if (authorization !== null && this.tokens) {
      const bearer = /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i.exec(authorization)?.[1];
      if (bearer === undefined) throw this.unauthorized('The Authorization header is not a bearer token.', 'invalid_request');
      try {
        return await this.tokens.verify(bearer);
      } catch (error) {
        if (error instanceof AppError && error.code === 'unauthorized') throw this.unauthorized(error.message, 'invalid_token');
        throw error;
      }
    }
    if (keyCaller) return keyCaller;
    throw this.unauthorized(`A credential is required: ${this.accepted()}.`);
  }

  private accepted(): string {
    const modes = { key: `the key in ${KEY_HEADER}`, entra: 'an Entra ID bearer token', 'key-or-entra': `the key in ${KEY_HEADER} or an Entra ID bearer token` };
    return modes[this.settings.mode];
  }

  /** RFC 6750 / 9110 challenges for the schemes the mode accepts; `bearerError` says what was wrong with a token. */
  private unauthorized(detail: string, bearerError?: 'invalid_token' | 'invalid_request'): AppError {
    const challenges = [
      ...(this.tokens ? [`Bearer realm="aml-jupyterhub"${bearerError ? `, error="${bearerError}"` : ''}`] : []),
      ...(this.keyDigest ? [`ApiKey realm="aml-jupyterhub", header="${KEY_HEADER}"`] : []),
    ];
    return new AppError('unauthorized', detail, { wwwAuthenticate: challenges.join(', ') });
  }
}

/** Equal-length digests, so timingSafeEqual compares in constant time whatever the key's length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
