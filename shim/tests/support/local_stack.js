// The repository's local stack for the shim's hub tests, on free ports (so it never meets an
// `npm start` or another test run on this machine): Azurite in memory, the ARM emulator, the
// local token issuer and the Functions host, from the compiled `dist/` (`npm run build`).
//
// Beside it runs an App Service style managed-identity endpoint (IDENTITY_ENDPOINT and
// IDENTITY_HEADER, the protocol azure-identity's ManagedIdentityCredential speaks) that hands out
// tokens with the app role Hub, signed by the stack's token issuer: a hub with
// `auth_mode = "azure-identity"` gets its tokens exactly as on Azure, only from here.
//
// Prints one JSON line with the addresses, then runs until SIGTERM, SIGINT or stdin closes.
// Environment: AML_STACK_KEY, AML_STACK_EMULATOR (JSON of emulator options), AML_STACK_APP_SETTINGS
// (JSON of app settings), AML_STACK_HOST_LOG (file for the host's output).
'use strict';

const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { join, resolve } = require('node:path');

const REPO = resolve(__dirname, '..', '..', '..');
const { LocalStack } = require(join(REPO, 'dist', 'local', 'stack', 'local-stack'));
const { DEFAULT_AUDIENCE } = require(join(REPO, 'dist', 'local', 'token-issuer'));
const { documentedSettings } = require(join(REPO, 'dist', 'shared', 'config', 'settings-template'));

function settingDefaults() {
  return Object.fromEntries(documentedSettings().flatMap((s) => (s.default === null ? [] : [[s.name, s.default]])));
}

function startIdentityEndpoint(stack, identityHeader) {
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url || '/', 'http://127.0.0.1');
    const send = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers['x-identity-header'] !== identityHeader) {
      return send(401, { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER is missing or wrong.' });
    }
    const resource = url.searchParams.get('resource') || DEFAULT_AUDIENCE;
    try {
      const minutes = 60;
      const token = await stack.tokenIssuer.mint({ roles: ['Hub'], audience: resource, minutes });
      send(200, {
        access_token: token,
        expires_on: String(Math.floor(Date.now() / 1000) + minutes * 60),
        resource,
        token_type: 'Bearer',
      });
    } catch (error) {
      send(500, { error: 'server_error', error_description: String(error) });
    }
  });
  return new Promise((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen(server)));
}

async function main() {
  process.chdir(REPO); // the local CA lives in .local/tls of the repository
  const key = process.env.AML_STACK_KEY || 'local-key';
  const stack = await LocalStack.start({
    appDir: REPO,
    functionsKey: key,
    emulator: JSON.parse(process.env.AML_STACK_EMULATOR || '{}'),
    appSettings: JSON.parse(process.env.AML_STACK_APP_SETTINGS || '{}'),
    settingDefaults: settingDefaults(),
    ...(process.env.AML_STACK_HOST_LOG ? { hostLogFile: process.env.AML_STACK_HOST_LOG } : {}),
  });
  const identityHeader = randomBytes(16).toString('hex');
  const identity = await startIdentityEndpoint(stack, identityHeader);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    identity.close();
    await stack.stop();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  console.log(JSON.stringify({
    controlPlane: stack.baseUrl,
    emulator: stack.emulator.url,
    key,
    identityEndpoint: `http://127.0.0.1:${identity.address().port}/msi/token`,
    identityHeader,
    audience: DEFAULT_AUDIENCE,
    caPath: join(REPO, '.local', 'tls', 'ca.pem'),
  }));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
