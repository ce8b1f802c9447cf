/**
 * Callers through the real local host: the functions are anonymous to the host, the app checks the
 * key and the local token issuer's tokens (AUTH_MODE key-or-entra, configured by the stack only).
 */
import { LocalStack, TEST_KEY } from '../support/local-stack';

describe('callers through the local host', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await LocalStack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const get = (path: string, headers: Record<string, string>) => fetch(`${stack.baseUrl}${path}`, { headers });

  it('answers 401 problem+json with a challenge when no credential is sent', async () => {
    const response = await get('/api/servers', {});
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
    expect((await response.json()) as object).toMatchObject({ code: 'unauthorized' });
  });

  it('takes the key, an Admin token for the listing, and refuses a Hub token there', async () => {
    expect((await get('/api/servers', { 'x-functions-key': TEST_KEY })).status).toBe(200);
    const admin = await stack.tokenIssuer.mint({ roles: ['Admin'] });
    expect((await get('/api/servers', { authorization: `Bearer ${admin}` })).status).toBe(200);
    const hub = await stack.tokenIssuer.mint({ roles: ['Hub'] });
    expect((await get('/api/servers', { authorization: `Bearer ${hub}` })).status).toBe(403);
    expect((await get('/api/options?user=alice', { authorization: `Bearer ${hub}` })).status).toBe(200);
  });

  it('lets a person read only their own server', async () => {
    const oid = '6f1c0a52-3d1e-4b7a-9a51-0c2f3e4d5a6b';
    const spawned = await stack.api('POST', '/api/servers', { user: 'alice', project: 'climate-lab', size: 'Small', userObjectId: oid });
    expect(spawned.status).toBe(202);
    const own = await stack.tokenIssuer.mint({ oid });
    const other = await stack.tokenIssuer.mint({});
    expect((await get(`/api/servers/${spawned.body.id}`, { authorization: `Bearer ${own}` })).status).toBe(200);
    expect((await get(`/api/servers/${spawned.body.id}`, { authorization: `Bearer ${other}` })).status).toBe(403);
  });

  it('keeps the catch-all 404 and anonymous health', async () => {
    expect((await get('/api/nothing-here', {})).status).toBe(404);
    expect((await get('/api/health', {})).status).toBe(200);
  });

  it('never writes the key or a token to the host log', async () => {
    const token = await stack.tokenIssuer.mint({ roles: ['Hub'] });
    await get('/api/servers', { authorization: `Bearer ${token}` });
    await get('/api/servers', { 'x-functions-key': 'a-wrong-key-that-must-not-be-logged' });
    expect(stack.log()).not.toContain(token);
    expect(stack.log()).not.toContain('a-wrong-key-that-must-not-be-logged');
  });
});
