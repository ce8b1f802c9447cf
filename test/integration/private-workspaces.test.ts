/**
 * Private workspaces end to end at the ARM level: an admin tags a project's resource group through
 * ARM (the Tags API, as Tag Contributor), the spawn checks the tags and settings, and the create
 * the control plane sends reaches the emulator with them exactly where Azure ML expects them — read
 * back through /_emulator/requests. Real SDK clients over https, the real gateway and use cases;
 * only the server table is in memory.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { startArmEmulator, type ArmEmulator, type RecordedRequest } from '../../local/arm-emulator';
import { issueToken } from '../../local/arm-emulator/access-token';
import { ArmAmlGateway } from '../../shared/adapters/aml/arm-aml-gateway';
import { AppError, isAppError } from '../../shared/domain/errors';
import { advanceProvisioning } from '../../shared/use-cases/advance-provisioning';
import { spawnServer, type SpawnRequest } from '../../shared/use-cases/spawn-server';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const PLATFORM_ADMIN = 'ad000000-0000-4000-8000-000000000020';
const TENANT = '00000000-0000-0000-0000-0000000a4b10';
const SUBSCRIPTION = '00000000-0000-0000-0000-00000000a4b1';
const SUBNET = `/subscriptions/${SUBSCRIPTION}/resourceGroups/shared-networking/providers/Microsoft.Network/virtualNetworks/hub-vnet/subnets/compute`;
const NORTH_SUBNET = `/subscriptions/${SUBSCRIPTION}/resourceGroups/shared-networking/providers/Microsoft.Network/virtualNetworks/dr-vnet/subnets/compute`;
const RSTUDIO = [{
  name: 'rstudio',
  image: { type: 'docker', reference: 'ghcr.io/azure/rocker-rstudio-ml-verse:latest' },
  endpoints: [{ name: 'connect', target: 8787, published: 8787, protocol: 'http' }],
}];

let emulator: ArmEmulator;
const savedEnv = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

beforeAll(async () => {
  emulator = await startArmEmulator({ port: 0, dataDir: null, createSeconds: 1 });
  process.env.IDENTITY_ENDPOINT = emulator.identityEndpoint;
  process.env.IDENTITY_HEADER = emulator.identityHeader;
});

afterAll(async () => {
  await emulator.stop();
  process.env.IDENTITY_ENDPOINT = savedEnv.endpoint;
  process.env.IDENTITY_HEADER = savedEnv.header;
});

beforeEach(() => emulator.reset());

/** A bearer token for one of the seeded people, as Entra would issue it to them. */
function tokenOf(objectId: string): string {
  const now = Math.floor(Date.now() / 1000);
  return issueToken({ aud: 'https://management.azure.com', iss: `https://sts.windows.net/${TENANT}/`, oid: objectId, tid: TENANT, appid: objectId, iat: now, nbf: now, exp: now + 3600 });
}

async function arm(method: string, path: string, apiVersion: string, body: unknown, objectId: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${emulator.url}${path}?api-version=${apiVersion}`, {
    method,
    headers: { authorization: `Bearer ${tokenOf(objectId)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** What an admin does in the portal or with `az tag update --operation Merge`: the Tags API on the group. */
async function tagProject(project: string, tags: Record<string, string>): Promise<void> {
  const reply = await arm('PATCH', `/subscriptions/${SUBSCRIPTION}/resourceGroups/${project}/providers/Microsoft.Resources/tags/default`, '2021-04-01',
    { operation: 'Merge', properties: { tags } }, PLATFORM_ADMIN);
  expect(reply.status).toBe(200);
}

function setUp(settings: Record<string, string> = {}) {
  const aml = new ArmAmlGateway({
    credential: new DefaultAzureCredential(), subscriptionId: emulator.subscriptionId, endpoint: emulator.url,
    retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  const servers = new InMemoryServerRepository();
  const deps = testDependencies({ servers, aml, clock: new VirtualClock(new Date()), settings: testSettings(settings) });
  return { deps, servers, control: new RecordingOrchestrationControl() };
}

const spawnOf = (project: string): SpawnRequest => ({ user: 'alice', project, size: 'Small', serverName: '', userObjectId: ALICE, tenantId: null });

async function createBodyOf(name: string): Promise<Record<string, any>> {
  const reply = await fetch(`${emulator.url}/_emulator/requests?name=${name}`);
  const { requests } = (await reply.json()) as { requests: RecordedRequest[] };
  const create = requests.filter((request) => request.operation === 'computes/createOrUpdate');
  expect(create).toHaveLength(1);
  expect(create[0]?.status).toBe(201);
  return (create[0]?.body as { properties: { properties: Record<string, any> } }).properties.properties;
}

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(() => null, (error: unknown) => error);
  if (!isAppError(outcome)) throw new Error(`expected an AppError, got ${String(outcome)}`);
  return outcome;
}

describe('per-project compute settings, from resource-group tags', () => {
  it('sends the tags, over the settings, in the create body as Azure ML expects', async () => {
    await tagProject('climate-lab', {
      'aml-jupyterhub-subnet': SUBNET,
      'aml-jupyterhub-public-ip': 'false',
      'aml-jupyterhub-setup-script': 'Users/admin/setup.sh',
      'aml-jupyterhub-custom-services': JSON.stringify(RSTUDIO),
    });
    // The settings give the defaults: the tags above win; the startup script and SSO come from here.
    const { deps, control } = setUp({ COMPUTE_NODE_PUBLIC_IP: 'true', COMPUTE_STARTUP_SCRIPT: 'Users/admin/startup.sh', COMPUTE_ENABLE_SSO: 'false' });
    const { server } = await spawnServer(deps, control, spawnOf('climate-lab'));
    expect(await advanceProvisioning(deps, server.id)).toMatchObject({ outcome: 'wait', state: 'Creating' });

    const inner = await createBodyOf(server.id);
    expect(inner).toMatchObject({
      subnet: { id: SUBNET },
      enableNodePublicIp: false,
      enableSSO: false,
      setupScripts: {
        scripts: {
          creationScript: { scriptSource: 'workspaceStorage', scriptData: 'Users/admin/setup.sh' },
          startupScript: { scriptSource: 'workspaceStorage', scriptData: 'Users/admin/startup.sh' },
        },
      },
      customServices: RSTUDIO,
    });
    // The instance as Azure shows it carries them, and lists the custom service among its applications.
    const view = await arm('GET', `/subscriptions/${SUBSCRIPTION}/resourceGroups/climate-lab/providers/Microsoft.MachineLearningServices/workspaces/climate-lab/computes/${server.id}`,
      '2025-12-01', undefined, ALICE);
    expect(view.json.properties.properties).toMatchObject({ subnet: { id: SUBNET }, enableNodePublicIp: false, enableSSO: false, customServices: RSTUDIO });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const running = await arm('GET', `/subscriptions/${SUBSCRIPTION}/resourceGroups/climate-lab/providers/Microsoft.MachineLearningServices/workspaces/climate-lab/computes/${server.id}`,
      '2025-12-01', undefined, ALICE);
    expect(running.json.properties.properties.applications.map((app: { displayName: string }) => app.displayName)).toContain('rstudio');
  });

  it('sends none of them to a project without tags or settings', async () => {
    const { deps, control } = setUp();
    const { server } = await spawnServer(deps, control, spawnOf('ocean-lab'));
    await advanceProvisioning(deps, server.id);
    const inner = await createBodyOf(server.id);
    for (const property of ['subnet', 'enableNodePublicIp', 'enableSSO', 'setupScripts', 'customServices']) expect(inner).not.toHaveProperty(property);
  });

  it('refuses a spawn whose subnet is in another region, naming the tag, before anything is stored or created', async () => {
    await tagProject('climate-lab', { 'aml-jupyterhub-subnet': NORTH_SUBNET });
    const { deps, control, servers } = setUp();
    const error = await refusalOf(spawnServer(deps, control, spawnOf('climate-lab')));
    expect(error).toMatchObject({ code: 'compute-settings-invalid', status: 409 });
    expect(error.message).toContain('tag aml-jupyterhub-subnet');
    expect(error.message).toContain('is in region northeurope');
    expect(error.errors).toEqual([{ field: 'tag aml-jupyterhub-subnet', message: expect.stringContaining('westeurope') }]);
    expect((await servers.list({ limit: 10 })).servers).toEqual([]);
    expect(control.requests).toEqual([]);
  });

  it('refuses a subnet that does not exist, and a setting that is not a subnet id, by name', async () => {
    const missing = SUBNET.replace('/subnets/compute', '/subnets/nope');
    const { deps, control } = setUp({ COMPUTE_SUBNET_ID: missing });
    const error = await refusalOf(spawnServer(deps, control, spawnOf('ocean-lab')));
    expect(error.code).toBe('compute-settings-invalid');
    expect(error.message).toContain(`COMPUTE_SUBNET_ID: subnet ${missing} does not exist`);

    await tagProject('climate-lab', { 'aml-jupyterhub-public-ip': 'no', 'aml-jupyterhub-sso': 'yes' });
    const tagged = setUp();
    const both = await refusalOf(spawnServer(tagged.deps, tagged.control, spawnOf('climate-lab')));
    expect(both.errors?.map((problem) => problem.field)).toEqual(['tag aml-jupyterhub-public-ip', 'tag aml-jupyterhub-sso']);
  });

  it("fails the server with Azure's words when the setup script is not in the workspace's file share; no instance exists", async () => {
    await tagProject('climate-lab', { 'aml-jupyterhub-setup-script': 'Users/admin/missing.sh' });
    const { deps, control, servers } = setUp();
    const { server } = await spawnServer(deps, control, spawnOf('climate-lab'));
    expect(await advanceProvisioning(deps, server.id)).toMatchObject({ outcome: 'failed' });
    const stored = (await servers.get(server.id))?.server;
    expect(stored?.error).toMatchObject({ code: 'compute-settings-invalid', message: expect.stringContaining("creation script 'Users/admin/missing.sh' was not found") });
    expect(await deps.aml.getCompute({ project: 'climate-lab', name: server.id })).toBeNull();
  });
});

describe('the emulator, as strict as ARM', () => {
  const group = `/subscriptions/${SUBSCRIPTION}/resourceGroups/climate-lab`;
  const createPath = (name: string) => `${group}/providers/Microsoft.MachineLearningServices/workspaces/climate-lab/computes/${name}`;
  const createBody = (inner: object) => ({
    location: 'westeurope',
    properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2', ...inner } },
  });

  it('lets only a principal with tags/write change tags (Tag Contributor), and only Contributor or Owner PATCH the group', async () => {
    const tags = { operation: 'Merge', properties: { tags: { 'aml-jupyterhub-sso': 'true' } } };
    const byAlice = await arm('PATCH', `${group}/providers/Microsoft.Resources/tags/default`, '2021-04-01', tags, ALICE);
    expect(byAlice.status).toBe(403);
    expect(byAlice.json.error).toMatchObject({ code: 'AuthorizationFailed', message: expect.stringContaining("'Microsoft.Resources/tags/write'") });
    const patchGroup = await arm('PATCH', group, '2021-04-01', { tags: { a: 'b' } }, PLATFORM_ADMIN);
    expect(patchGroup.status).toBe(403);
    expect(patchGroup.json.error.message).toContain('Microsoft.Resources/subscriptions/resourceGroups/write');

    expect((await arm('PATCH', `${group}/providers/Microsoft.Resources/tags/default`, '2021-04-01', tags, PLATFORM_ADMIN)).status).toBe(200);
    const read = await arm('GET', group, '2021-04-01', undefined, ALICE);
    expect(read.json.tags).toEqual({ jupyterhub: 'enabled', 'aml-jupyterhub-sso': 'true' });
    const removed = await arm('PATCH', `${group}/providers/Microsoft.Resources/tags/default`, '2021-04-01',
      { operation: 'Delete', properties: { tags: { 'aml-jupyterhub-sso': '' } } }, PLATFORM_ADMIN);
    expect(removed.json.properties.tags).toEqual({ jupyterhub: 'enabled' });
  });

  it('gives a seeded user a token (as az login would), and nobody else', async () => {
    const reply = await fetch(`${emulator.url}/_emulator/token?principal=${PLATFORM_ADMIN}`);
    const { access_token: token } = (await reply.json()) as { access_token: string };
    const tagged = await fetch(`${emulator.url}${group}/providers/Microsoft.Resources/tags/default?api-version=2021-04-01`, {
      method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { tags: { 'aml-jupyterhub-sso': 'false' } } }),
    });
    expect(tagged.status).toBe(200);
    expect(((await tagged.json()) as { properties: { tags: object } }).properties.tags).toEqual({ 'aml-jupyterhub-sso': 'false' });
    expect((await fetch(`${emulator.url}/_emulator/token?principal=9a0c0000-0000-4000-8000-000000000010`)).status).toBe(400);
  });

  it('serves the seeded virtual network and subnet, and 404s others', async () => {
    const network = await arm('GET', SUBNET.replace('/subnets/compute', ''), '2024-05-01', undefined, ALICE);
    expect(network.json).toMatchObject({ name: 'hub-vnet', location: 'westeurope', properties: { subnets: [{ id: SUBNET, name: 'compute' }, { name: 'endpoints' }] } });
    expect((await arm('GET', SUBNET, '2024-05-01', undefined, ALICE)).json).toMatchObject({ id: SUBNET, properties: { addressPrefix: '10.10.1.0/24' } });
    const missing = await arm('GET', SUBNET.replace('/subnets/compute', '/subnets/nope'), '2024-05-01', undefined, ALICE);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('ResourceNotFound');
  });

  it.each([
    ['a subnet that does not exist', { subnet: { id: SUBNET.replace('hub-vnet', 'no-vnet') } }, 'was not found'],
    ['a subnet in another region', { subnet: { id: NORTH_SUBNET } }, "is in location 'northeurope'"],
    ['a creation script not in the file share', { setupScripts: { scripts: { creationScript: { scriptSource: 'workspaceStorage', scriptData: 'Users/x/y.sh' } } } }, 'was not found in the file share'],
    ['a script from an unknown source', { setupScripts: { scripts: { startupScript: { scriptSource: 'ftp', scriptData: 'a.sh' } } } }, "scriptSource 'ftp'"],
  ])('refuses a create with %s (400), and creates nothing', async (_case, inner, message) => {
    const reply = await arm('PUT', createPath('ci-refused'), '2025-12-01', createBody(inner), ALICE);
    expect(reply.status).toBe(400);
    expect(reply.json.error.message).toContain(message);
    expect((await arm('GET', createPath('ci-refused'), '2025-12-01', undefined, ALICE)).status).toBe(404);
  });
});
