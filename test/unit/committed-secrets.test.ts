/**
 * No secret is committed: every file git tracks (or would add: untracked and not ignored) is
 * scanned for private keys, signed tokens, storage account keys, SAS signatures, well-known token
 * formats and long random values assigned to something called a key, secret, password or token.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

/**
 * Azurite's storage emulator key: public, the same for everyone, documented by Microsoft
 * (https://learn.microsoft.com/azure/storage/common/storage-use-azurite#well-known-storage-account-and-key).
 * It grants access to nothing but a local emulator, so it may appear (local/storage).
 */
const ALLOWED = new Set(['Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==']);

/** Files whose very kind is a secret. */
const SECRET_FILE = /(\.(pem|key|pfx|p12|jks|keystore)$)|((^|\/)\.env(\..*)?$)|((^|\/)local\.settings\.json$)|signing-key\.json$/i;

const mixed = (value: string) => /\d/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value);

const DETECTORS: Array<{ kind: string; pattern: RegExp; secret?: (match: RegExpExecArray) => string | null }> = [
  { kind: 'private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
  { kind: 'JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g },
  { kind: 'storage account key', pattern: /AccountKey=([A-Za-z0-9+/]{20,}={0,2})/g, secret: (m) => m[1] },
  { kind: 'SAS signature', pattern: /[?&]sig=([A-Za-z0-9%+/]{20,})/g, secret: (m) => m[1] },
  { kind: 'GitHub token', pattern: /\b(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/g },
  { kind: 'AWS access key', pattern: /\bAKIA[0-9A-Z]{16}\b/g },
  {
    kind: 'random value assigned to a key, secret, password or token',
    pattern: /(?:key|secret|password|passwd|token|credential)[A-Za-z_]*["']?\s*[:=]\s*["'`]?([A-Za-z0-9+/_=-]{32,})/gi,
    secret: (m) => (mixed(m[1]) ? m[1] : null),
  },
  { kind: 'base64 literal of key length', pattern: /["'`]([A-Za-z0-9+/]{60,}={1,2})["'`]/g, secret: (m) => m[1] },
];

/** "path:line: kind" for each secret-looking value in `text`. */
export function findSecrets(path: string, text: string): string[] {
  const found: string[] = [];
  for (const { kind, pattern, secret } of DETECTORS) {
    for (const match of text.matchAll(pattern)) {
      const value = secret ? secret(match as RegExpExecArray) : match[0];
      if (value === null || ALLOWED.has(value)) continue;
      found.push(`${path}:${text.slice(0, match.index).split('\n').length}: ${kind}`);
    }
  }
  return found;
}

function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
  return out.split('\0').filter((path) => path !== '');
}

describe('the repository', () => {
  const files = repositoryFiles().filter((path) => {
    try {
      return statSync(join(REPO, path)).isFile();
    } catch {
      return false; // deleted in the working tree
    }
  });

  it('is scanned (git lists its files)', () => {
    expect(files).toContain('package.json');
  });

  it('holds no file that is a secret by its kind', () => {
    expect(files.filter((path) => SECRET_FILE.test(path) && !path.endsWith('.template.json'))).toEqual([]);
  });

  it('holds no secret-looking value', () => {
    const findings = files.flatMap((path) => {
      const bytes = readFileSync(join(REPO, path));
      if (bytes.includes(0)) return []; // binary
      return findSecrets(path, bytes.toString('utf8'));
    });
    expect(findings).toEqual([]);
  });
});

describe('the scan itself', () => {
  // Built at run time, so this file does not hold the very patterns it looks for.
  const header = (kind: string) => `-----BEGIN ${kind}PRIVATE KEY-----`;
  const part = (claims: object) => Buffer.from(JSON.stringify(claims)).toString('base64url');
  const jwt = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub: 'someone', roles: ['Admin'] })}.${'Qx9'.repeat(20)}`;
  const randomKey = 'aB3' + 'x7Kp2QmZ9vL4'.repeat(4);

  it.each([
    ['an RSA private key', header('RSA '), 'private key'],
    ['a PKCS#8 private key', header(''), 'private key'],
    ['a JWT', `const t = '${jwt}';`, 'JSON Web Token'],
    ['a storage key', `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${randomKey}==;`, 'storage account key'],
    ['a SAS', `https://x.blob.core.windows.net/c?sv=2022-11-02&sig=${randomKey}`, 'SAS signature'],
    ['a GitHub token', `token: ghp_${'a1B2'.repeat(9)}`, 'GitHub token'],
    ['a key assignment', `HUB_API_KEY=${randomKey}`, 'random value assigned'],
  ])('finds %s', (_name, text, kind) => {
    expect(findSecrets('f', text).join('\n')).toContain(kind);
  });

  it.each([
    ['the Azurite key', `AccountKey=${[...ALLOWED][0]}`],
    ['a readable test key', "HUB_API_KEY: 'test-hub-api-key-0123'"],
    ['a package integrity hash', '"integrity": "sha512-abc"'],
  ])('lets %s pass', (_name, text) => {
    expect(findSecrets('f', text)).toEqual([]);
  });
});
