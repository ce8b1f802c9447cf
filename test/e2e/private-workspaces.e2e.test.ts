/**
 * Private workspaces over HTTP on the local stack: an admin tags a project's resource group
 * through ARM (as platform-admin, Tag Contributor), and the spawn either refuses with a
 * problem+json naming the tag, creating nothing, or creates the instance with the tags in the
 * create body as Azure ML expects (read back through /_emulator/requests).
 */
import { LocalStack, SEEDED } from '../support/local-stack';

jest.setTimeout(180_000);

const PLATFORM_ADMIN = 'ad000000-0000-4000-8000-000000000020';
const SUBSCRIPTION = '00000000-0000-0000-0000-00000000a4b1';
const NETWORKS = `/subscriptions/${SUBSCRIPTION}/resourceGroups/shared-networking/providers/Microsoft.Network/virtualNetworks`;
const spawnBody = { user: 'e2e-private', project: 'climate-lab', size: 'Small', userObjectId: SEEDED.alice };

describe('private workspaces on the local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    // Tags are read with the project list: a short cache so a test sees its own tag changes.
    stack = await LocalStack.start({ appSettings: { CATALOG_CACHE_SECONDS: '1' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function tag(tags: Record<string, string>): Promise<void> {
    const { access_token: token } = await stack.emulatorJson('GET', `/_emulator/token?principal=${PLATFORM_ADMIN}`);
    const reply = await fetch(`${stack.emulator.url}/subscriptions/${SUBSCRIPTION}/resourceGroups/climate-lab/providers/Microsoft.Resources/tags/default?api-version=2021-04-01`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'Replace', properties: { tags: { jupyterhub: 'enabled', ...tags } } }),
    });
    expect(reply.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the catalog cache
  }

  it('refuses a subnet in another region by its tag (409 problem+json), then creates with the fixed tags', async () => {
    await tag({ 'aml-jupyterhub-subnet': `${NETWORKS}/dr-vnet/subnets/compute`, 'aml-jupyterhub-public-ip': 'false' });
    const refused = await stack.api('POST', '/api/servers', spawnBody);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'compute-settings-invalid',
      errors: [{ field: 'tag aml-jupyterhub-subnet', message: expect.stringContaining('is in region northeurope') }],
    });
    expect(refused.body.detail).toContain("Project 'climate-lab' has invalid compute settings");
    const stats = await stack.emulatorJson('GET', '/_emulator/stats');
    expect(stats.requests['PUT computes/createOrUpdate'] ?? 0).toBe(0);

    await tag({
      'aml-jupyterhub-subnet': `${NETWORKS}/hub-vnet/subnets/compute`,
      'aml-jupyterhub-public-ip': 'false',
      'aml-jupyterhub-setup-script': 'Users/admin/setup.sh',
    });
    const spawned = await stack.api('POST', '/api/servers', spawnBody);
    expect(spawned.status).toBe(202);
    const running = await stack.waitForServer(spawned.body.id, (s) => s.state === 'Running' || s.state === 'Failed');
    expect(running.state).toBe('Running');
    const arm = await stack.emulatorJson('GET', `/_emulator/requests?name=${spawned.body.id}`);
    expect(arm.requests[0].operation).toBe('computes/createOrUpdate');
    expect(arm.requests[0].body.properties.properties).toMatchObject({
      subnet: { id: `${NETWORKS}/hub-vnet/subnets/compute` },
      enableNodePublicIp: false,
      setupScripts: { scripts: { creationScript: { scriptSource: 'workspaceStorage', scriptData: 'Users/admin/setup.sh' } } },
    });
  });
});
