/**
 * Issue 10's hardening of the HTTP edge, through the functions as the worker calls them: a person's
 * stop is always `user`; a token issuer that cannot be reached gives 503 (not 500) and is not asked
 * again for every token; failures tell people a plain sentence with a reference, never internals;
 * bodies are read as strict UTF-8; a wrong method on a served path answers 405 with Allow.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpFunctions, TestRoot } from '../support/app-root';
import { EntraTokenVerifier } from '../../shared/adapters/auth/entra-token-verifier';
import { AppError } from '../../shared/domain/errors';
import type { Dependencies } from '../../shared/use-cases/dependencies';
import { mintToken, startTokenIssuer, type TokenIssuer } from '../../local/token-issuer';
import { invoke, invokeConforming } from '../support/http-invoke';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { testDependencies, testSettings } from '../support/test-dependencies';

const testRoot = new TestRoot();
const { notFound, options, spawn, status, stop } = httpFunctions(testRoot.root);

const AUDIENCE = 'api://aml-jupyterhub-test';
const ALICE_OID = '6f1c0a52-3d1e-4b7a-9a51-0c2f3e4d5a6b';

let issuer: TokenIssuer;
let servers: InMemoryServerRepository;
let deps: Dependencies;

beforeAll(async () => {
  issuer = await startTokenIssuer({ port: 0, dataDir: null });
});
afterAll(async () => {
  await issuer.stop();
});

function useSettings(jwksUri: string): void {
  const settings = testSettings({ AUTH_MODE: 'key-or-entra', ENTRA_ISSUER: issuer.issuer, ENTRA_JWKS_URI: jwksUri, ENTRA_AUDIENCE: AUDIENCE });
  deps = testDependencies({ servers, aml: new ScriptedAmlGateway(), settings });
  testRoot.use(deps, () => new RecordingOrchestrationControl());
}

beforeEach(() => {
  servers = new InMemoryServerRepository();
  useSettings(issuer.jwksUri);
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const mint = (claims: { roles?: string[]; oid?: string }) => issuer.mint({ issuer: issuer.issuer, audience: AUDIENCE, ...claims } as never);

describe("a person's own stop", () => {
  async function aliceServer(): Promise<string> {
    const server = buildServer({ user: 'alice', userObjectId: ALICE_OID, state: 'Running', amlState: 'Running', url: 'https://ci.example/lab' });
    await servers.create(server);
    return server.id;
  }
  const stopCall = (id: string, credential: Record<string, string>, body?: unknown) =>
    invokeConforming('stop', stop, { method: 'POST', path: `/api/servers/${id}/stop`, params: { id }, credential, ...(body === undefined ? {} : { body }) });

  it.each(['admin', 'idle', 'max-runtime', 'external'])('may not claim reason %s: 403, nothing changes', async (reason) => {
    const id = await aliceServer();
    const response = await stopCall(id, bearer(await mint({ oid: ALICE_OID })), { reason });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
    expect((await servers.get(id))?.server).toMatchObject({ state: 'Running', stopReason: null });
  });

  it.each([[undefined], [{}], [{ reason: 'user' }]])('with body %j stops as user', async (body) => {
    const id = await aliceServer();
    const response = await stopCall(id, bearer(await mint({ oid: ALICE_OID })), body);
    expect(response.status).toBe(202);
    expect((await servers.get(id))?.server).toMatchObject({ state: 'Stopping', stopReason: 'user' });
  });

  it('leaves the hub free to report why: a Hub token or the key stops with reason admin', async () => {
    const byToken = await aliceServer();
    expect((await stopCall(byToken, bearer(await mint({ roles: ['Hub'] })), { reason: 'admin' })).status).toBe(202);
    expect((await servers.get(byToken))?.server.stopReason).toBe('admin');
    const byKey = await aliceServer();
    expect((await invokeConforming('stop', stop, { method: 'POST', path: `/api/servers/${byKey}/stop`, params: { id: byKey }, body: { reason: 'idle' } })).status).toBe(202);
    expect((await servers.get(byKey))?.server.stopReason).toBe('idle');
  });
});

describe('a token issuer whose key set cannot be fetched', () => {
  /** A key-set endpoint that counts fetches and fails them (cuts the connection) while `down`. */
  let keySet: HttpServer;
  let fetches = 0;
  let down = true;
  let jwks = '';
  beforeAll(async () => {
    jwks = await (await fetch(issuer.jwksUri)).text();
    keySet = createServer((request, response) => {
      fetches++;
      if (down) response.socket?.destroy();
      else response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    await new Promise<void>((resolve) => keySet.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => keySet.close(resolve));
  });
  beforeEach(() => {
    fetches = 0;
    down = true;
    useSettings(`http://127.0.0.1:${(keySet.address() as AddressInfo).port}/keys`);
  });

  const listWith = (credential: Record<string, string>) =>
    invokeConforming('options', options, { method: 'GET', path: '/api/options', query: { user: 'alice' }, credential });

  it('answers 503 auth-unavailable with Retry-After, no internals and no stack, and fetches once per cooldown', async () => {
    const forged = await mintToken({ ...issuer.key, kid: 'made-up-kid-1' }, { issuer: issuer.issuer, audience: AUDIENCE, roles: ['Hub'] });
    const responses = [];
    for (let i = 0; i < 5; i++) responses.push(await listWith(bearer(forged)));
    for (const response of responses) {
      expect(response.status).toBe(503);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toMatchObject({ code: 'auth-unavailable', status: 503 });
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/127\.0\.0\.1|socket|ECONN|hang up|Error:/);
      expect(text).toMatch(/reference [0-9a-f]{8}/);
      expect(JSON.stringify(response.logged)).not.toMatch(/\n\s+at /); // no stack trace in the log
    }
    expect(fetches).toBe(1);
    // A valid token still cannot be checked (no key was ever fetched): 503 too, not 401.
    expect((await listWith(bearer(await mint({ roles: ['Hub'] })))).status).toBe(503);
    expect(fetches).toBe(1);
  });

  it('tries the key set again once the failure cooldown has passed, and counts Retry-After down', async () => {
    let now = 1_000_000;
    const verifier = new EntraTokenVerifier(
      { issuer: issuer.issuer, audiences: [AUDIENCE], jwksUri: `http://127.0.0.1:${(keySet.address() as AddressInfo).port}/keys` },
      { failedFetchCooldownMs: 15_000, now: () => now },
    );
    const valid = await mint({ roles: ['Hub'] });
    const unavailable = (retryAfterSeconds: number) => expect.objectContaining({ code: 'auth-unavailable', retryAfterSeconds });
    await expect(verifier.verify(valid)).rejects.toEqual(unavailable(15));
    now += 10_000;
    await expect(verifier.verify(valid)).rejects.toEqual(unavailable(5));
    expect(fetches).toBe(1);
    now += 6_000;
    await expect(verifier.verify(valid)).rejects.toEqual(unavailable(15));
    expect(fetches).toBe(2);
    down = false;
    now += 16_000;
    await expect(verifier.verify(valid)).resolves.toMatchObject({ via: 'token', roles: ['Hub'] });
    expect(fetches).toBe(3);
  });

  it('keeps verifying tokens of known keys while the issuer is down, and recovers when it is back', async () => {
    down = false;
    expect((await listWith(bearer(await mint({ roles: ['Hub'] })))).status).toBe(200);
    expect(fetches).toBe(1);
    down = true;
    const forged = await mintToken({ ...issuer.key, kid: 'made-up-kid-2' }, { issuer: issuer.issuer, audience: AUDIENCE, roles: ['Hub'] });
    // jose's own cooldown: within 30 s of a good fetch an unknown kid is a plain 401, without a fetch.
    expect((await listWith(bearer(forged))).status).toBe(401);
    expect(fetches).toBe(1);
    expect((await listWith(bearer(await mint({ roles: ['Hub'] })))).status).toBe(200);
  });
});

describe('failures on our side or Azure\'s', () => {
  it('tell people a plain sentence with a reference; the detail is logged with that reference', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10002'), { code: 'ECONNREFUSED' });
    const broken = new InMemoryServerRepository();
    broken.get = async () => {
      throw new AppError('internal', 'Table Storage failed while reading server: connect ECONNREFUSED 127.0.0.1:10002', { cause: refused });
    };
    testRoot.use({ ...deps, servers: broken }, () => new RecordingOrchestrationControl());
    const id = 'ci-ddddddddddddddddddddd';
    const response = await invokeConforming('status', status, { method: 'GET', path: `/api/servers/${id}`, params: { id } });
    expect(response.status).toBe(500);
    const detail = (response.body as { detail: string }).detail;
    expect(detail).toMatch(/^The control plane's storage could not be reached; try again in a few minutes \(reference [0-9a-f]{8}\)\.$/);
    expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|10002|Table Storage/);
    const reference = /reference ([0-9a-f]{8})/.exec(detail)?.[1];
    const logLine = JSON.stringify(response.logged.find((args) => JSON.stringify(args).includes(reference!)));
    expect(logLine).toContain('ECONNREFUSED 127.0.0.1:10002');
  });

  it('keep the message of an error the caller can fix', async () => {
    const id = 'ci-ddddddddddddddddddddd';
    const response = await invokeConforming('status', status, { method: 'GET', path: `/api/servers/${id}`, params: { id } });
    expect(response.status).toBe(404);
    expect((response.body as { detail: string }).detail).not.toMatch(/reference/);
  });
});

describe('bodies are read as strict UTF-8', () => {
  const spawnRaw = (bytes: Buffer, contentType = 'application/json') =>
    invokeConforming('spawn', spawn, { method: 'POST', path: '/api/servers', rawBody: bytes, headers: { 'content-type': contentType } });
  const body = (user: string) => `{"user":"${user}","project":"climate-lab","size":"Small","userObjectId":"${ALICE_OID}"}`;

  it('refuses a charset other than UTF-8 with 415', async () => {
    const response = await spawnRaw(Buffer.from(body('José'), 'latin1'), 'application/json; charset=ISO-8859-1');
    expect(response.status).toBe(415);
    expect((response.body as { detail: string }).detail).toMatch(/UTF-8/);
    expect(await servers.list({ limit: 10 })).toMatchObject({ servers: [] });
  });

  it('refuses bytes that are not UTF-8 with 400, so latin-1 "José" and "Josë" never become one user', async () => {
    for (const name of ['José', 'Josë']) {
      const response = await spawnRaw(Buffer.from(body(name), 'latin1'));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'invalid-request', errors: [{ field: 'body', message: 'invalid UTF-8' }] });
    }
    expect(await servers.list({ limit: 10 })).toMatchObject({ servers: [] });
  });

  it('accepts UTF-8 names, with or without charset=utf-8', async () => {
    expect((await spawnRaw(Buffer.from(body('José'), 'utf8'), 'application/json; charset=utf-8')).status).toBe(202);
    expect((await spawnRaw(Buffer.from(body('Josë'), 'utf8'))).status).toBe(202);
    const users = (await servers.list({ limit: 10 })).servers.map((server) => server.user).sort();
    expect(users).toEqual(['José', 'Josë']);
  });

  it('refuses a query-string user name whose bytes were not UTF-8 (decoded as U+FFFD)', async () => {
    // URLSearchParams turns %E9 (latin-1 é) into U+FFFD; "Jos%E9" and "Jos%EB" must not become one user.
    const url = new URL('http://127.0.0.1/api/options?user=Jos%E9');
    const response = await invokeConforming('options', options, { method: 'GET', path: '/api/options', query: { user: url.searchParams.get('user')! } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid-request', errors: [{ field: 'user' }] });
  });

  it.each(['\\ud800', 'a\\udc00b', '\\ud83d', '\\ufffd'])('refuses a user name holding %s', async (escape) => {
    const response = await spawnRaw(Buffer.from(body(`Jos${escape}`), 'utf8'));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid-request', errors: [{ field: 'user' }] });
  });
});

describe('a wrong method on a path the API serves', () => {
  it.each<[string, string, string]>([
    ['PUT', '/api/servers', 'GET, HEAD, POST'],
    ['PATCH', '/api/servers/ci-ddddddddddddddddddddd', 'GET, HEAD, DELETE'],
    ['GET', '/api/servers/ci-ddddddddddddddddddddd/stop', 'POST'],
    ['DELETE', '/api/Options', 'GET, HEAD'],
    ['POST', '/api/health', 'GET, HEAD'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const response = await invoke(notFound, { method, path });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'method-not-allowed', status: 405 });
  });

  it('answers 404 for a path the API does not serve', async () => {
    for (const path of ['/api/servers/x/y/z', '/api/nothing', '/api']) {
      const response = await invoke(notFound, { method: 'GET', path });
      expect(response.status).toBe(404);
      expect(response.headers.allow).toBeUndefined();
    }
  });
});
