/**
 * The issuer's RSA signing key: generated on first start and kept under the data folder (.local/,
 * git-ignored) so tokens minted from the command line verify against the running issuer.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from 'jose';

export const ALGORITHM = 'RS256';

export interface SigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  /** The public half as published in the key set. */
  publicJwk: JWK;
}

/** The key in `dataDir` (created when absent), or a fresh in-memory key when `dataDir` is null. */
export async function loadOrCreateSigningKey(dataDir: string | null): Promise<SigningKey> {
  const file = dataDir === null ? null : join(dataDir, 'signing-key.json');
  if (file !== null && existsSync(file)) {
    const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    return fromPrivateJwk(privateJwk);
  }
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: ALGORITHM, use: 'sig' };
  if (file !== null && dataDir !== null) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  return fromPrivateJwk(privateJwk);
}

async function fromPrivateJwk(privateJwk: JWK): Promise<SigningKey> {
  const { kty, n, e, kid, alg, use } = privateJwk;
  return { kid: kid ?? '', privateKey: await importJWK(privateJwk, ALGORITHM), publicJwk: { kty, n, e, kid, alg, use } };
}
