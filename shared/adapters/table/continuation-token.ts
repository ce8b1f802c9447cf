/**
 * The listing hands the library's continuation token to the caller as an opaque string. Before one
 * comes back it is checked for the shape the library produces (base64 of
 * `{"nextPartitionKey": …, "nextRowKey"?: …}`), so a mangled token is the caller's 400, not our 500.
 */
import { z } from 'zod';

const MAX_TOKEN_LENGTH = 4096;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const DecodedTokenSchema = z.strictObject({
  nextPartitionKey: z.string().min(1),
  nextRowKey: z.string().min(1).optional(),
});

export function isWellFormedContinuationToken(token: string): boolean {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !BASE64.test(token)) return false;
  // The library decodes byte by byte (latin1), so do the same.
  const text = Buffer.from(token, 'base64').toString('latin1');
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    return false;
  }
  return DecodedTokenSchema.safeParse(decoded).success;
}
