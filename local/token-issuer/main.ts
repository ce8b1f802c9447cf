/**
 * The local token issuer's command line.
 *   serve [--port 7073] [--data-dir .local/token-issuer]
 *       publish the key set on http://127.0.0.1:<port>/discovery/v2.0/keys
 *   mint [--role Hub|Admin]... [--oid <guid>] [--minutes 60] [--audience api://local-api] [--port 7073] [--data-dir …]
 *       print a token signed with the same key (the issuer is http://127.0.0.1:<port>)
 */
import { resolve } from 'node:path';
import { mintToken } from './mint-token';
import { loadOrCreateSigningKey } from './signing-key';
import { DEFAULT_AUDIENCE, DEFAULT_TOKEN_ISSUER_PORT, issuerUrl, startTokenIssuer } from './token-issuer';

const USAGE = `usage: token-issuer serve [--port ${DEFAULT_TOKEN_ISSUER_PORT}] [--data-dir .local/token-issuer]
       token-issuer mint [--role Hub|Admin]... [--oid <guid>] [--minutes 60] [--audience ${DEFAULT_AUDIENCE}] [--port ${DEFAULT_TOKEN_ISSUER_PORT}] [--data-dir .local/token-issuer]`;

function parse(args: string[]): { command: string; flags: Map<string, string[]> } {
  const [command = 'help', ...rest] = args;
  const flags = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i];
    const value = rest[i + 1];
    if (!name.startsWith('--') || value === undefined) throw new Error(`unexpected argument ${name}\n${USAGE}`);
    flags.set(name.slice(2), [...(flags.get(name.slice(2)) ?? []), value]);
  }
  return { command, flags };
}

async function main(): Promise<void> {
  const { command, flags } = parse(process.argv.slice(2));
  const one = (name: string, fallback: string) => flags.get(name)?.at(-1) ?? fallback;
  const port = Number(one('port', String(DEFAULT_TOKEN_ISSUER_PORT)));
  const dataDir = resolve(one('data-dir', '.local/token-issuer'));
  if (command === 'serve') {
    const issuer = await startTokenIssuer({ port, dataDir });
    console.log(`token issuer ${issuer.issuer} (keys at ${issuer.jwksUri})`);
    const stop = () => issuer.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } else if (command === 'mint') {
    const key = await loadOrCreateSigningKey(dataDir);
    const token = await mintToken(key, {
      issuer: issuerUrl(port),
      audience: one('audience', DEFAULT_AUDIENCE),
      roles: flags.get('role') ?? [],
      ...(flags.has('oid') ? { oid: one('oid', '') } : {}),
      minutes: Number(one('minutes', '60')),
    });
    process.stdout.write(`${token}\n`);
  } else {
    console.log(USAGE);
    if (command !== 'help') process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
