/** ARM's bearer-token check: a missing or malformed Authorization header is a 401 with ARM's error. */
import { principalFromToken, type Principal } from './access-token';
import { ArmError } from './arm-error';

const CHALLENGE = 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"';

export type Authentication = { ok: true; principal: Principal } | { ok: false; error: ArmError };

export function authenticate(header: string | undefined): Authentication {
  if (header === undefined || header.trim() === '') {
    return fail('AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) {
    return fail('AuthenticationFailedInvalidHeader', "Authentication failed. The 'Authorization' header is provided in an invalid format.");
  }
  return { ok: true, principal: principalFromToken(match[1]) };
}

/** Who is calling, for throttling, before authentication has been checked. */
export function callerId(header: string | undefined): string {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return match?.[1] ? principalFromToken(match[1]).id : 'anonymous';
}

function fail(code: string, message: string): Authentication {
  return { ok: false, error: new ArmError(401, code, message, { 'www-authenticate': `${CHALLENGE}, error_description="${message}"` }) };
}
