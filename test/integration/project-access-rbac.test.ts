/**
 * PROJECT_ACCESS rbac end to end through the real SDK clients: the options and spawn handlers over
 * the real ArmAmlGateway (AuthorizationManagementClient) against the ARM emulator's seeded role
 * assignments — alice holds a role on climate-lab and, through group ocean-lab-team, on ocean-lab;
 * bob holds one on ocean-lab (and only Reader on climate-lab); carol holds none; dave holds one on
 * the climate-lab workspace only, not on its resource group.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { startArmEmulator, type ArmEmulator, type StatsSnapshot } from '../../local/arm-emulator';
import { ArmAmlGateway } from '../../shared/adapters/aml/arm-aml-gateway';
import { httpFunctions, TestRoot } from '../support/app-root';
import type { Dependencies } from '../../shared/use-cases/dependencies';
import { invokeConforming } from '../support/http-invoke';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { testDependencies, testSettings } from '../support/test-dependencies';

const testRoot = new TestRoot();
const { options, spawn } = httpFunctions(testRoot.root);

/** Object ids seeded in local/arm-emulator/seed.json. */
const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';
const CAROL = 'ca201000-0000-4000-8000-000000000003';
const DAVE = 'da7e0000-0000-4000-8000-000000000004';
const PLATFORM_ADMIN = 'ad000000-0000-4000-8000-000000000020';
/** The tenant of the seeded subscription. */
const SEED_TENANT = '00000000-0000-0000-0000-0000000a4b10';

let emulator: ArmEmulator;
let deps: Dependencies;
let control: RecordingOrchestrationControl;
const savedEnv = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

beforeAll(async () => {
  emulator = await startArmEmulator({ port: 0, dataDir: null });
  process.env.IDENTITY_ENDPOINT = emulator.identityEndpoint;
  process.env.IDENTITY_HEADER = emulator.identityHeader;
});

afterAll(async () => {
  await emulator.stop();
  process.env.IDENTITY_ENDPOINT = savedEnv.endpoint;
  process.env.IDENTITY_HEADER = savedEnv.header;
});

beforeEach(() => {
  emulator.reset();
  const aml = new ArmAmlGateway({
    credential: new DefaultAzureCredential(),
    subscriptionId: emulator.subscriptionId,
    endpoint: emulator.url,
    retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  const settings = testSettings({ AZURE_SUBSCRIPTION_ID: emulator.subscriptionId, PROJECT_ACCESS: 'rbac' });
  deps = testDependencies({ servers: new InMemoryServerRepository(), aml, settings });
  control = new RecordingOrchestrationControl();
  testRoot.use(deps, () => control);
});

const optionsOf = (userObjectId?: string) =>
  invokeConforming('options', options, {
    method: 'GET',
    path: '/api/options',
    query: { user: 'someone', ...(userObjectId ? { userObjectId } : {}) },
  });

const spawnAs = (user: string, userObjectId: string | undefined, project: string) =>
  invokeConforming('spawn', spawn, {
    method: 'POST',
    path: '/api/servers',
    body: { user, project, size: 'Small', ...(userObjectId ? { userObjectId } : {}) },
  });

const projectNames = (body: unknown) => (body as { projects: { name: string }[] }).projects.map((project) => project.name);

describe('PROJECT_ACCESS rbac against the ARM emulator', () => {
  it('offers alice both projects: one by her own role, one through her group', async () => {
    const response = await optionsOf(ALICE);
    expect(response.status).toBe(200);
    expect(projectNames(response.body)).toEqual(['climate-lab', 'ocean-lab']);
    expect(response.body).not.toHaveProperty('message');
  });

  it('offers bob only ocean-lab: Reader on climate-lab is not one of the roles', async () => {
    const response = await optionsOf(BOB);
    expect(projectNames(response.body)).toEqual(['ocean-lab']);
  });

  it('offers carol nothing, with a message saying why', async () => {
    const response = await optionsOf(CAROL);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ projects: [], sizes: [] });
    expect((response.body as { message: string }).message).toMatch(/No project gives you access/);
  });

  it('refuses options without the user object id, saying what is missing', async () => {
    const response = await optionsOf(undefined);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'project-forbidden' });
    expect((response.body as { detail: string }).detail).toMatch(/userObjectId/);
  });

  it('refuses bob a spawn in climate-lab even when he names it directly', async () => {
    const response = await spawnAs('bob', BOB, 'climate-lab');
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'project-forbidden' });
    expect((response.body as { detail: string }).detail).toMatch(/none of the roles .* 'climate-lab'/);
    expect(control.requests).toEqual([]);
  });

  it('lets bob spawn in ocean-lab and alice in climate-lab', async () => {
    expect((await spawnAs('bob', BOB, 'ocean-lab')).status).toBe(202);
    expect((await spawnAs('alice', ALICE, 'climate-lab')).status).toBe(202);
    expect(control.requests).toHaveLength(2);
  });

  it('refuses a spawn without the user object id: Personal instances need it first', async () => {
    const response = await spawnAs('alice', undefined, 'climate-lab');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'user-object-id-required' });
    expect(control.requests).toEqual([]);
  });

  it('refuses a Shared spawn without the user object id: rbac needs to know who asks', async () => {
    testRoot.use({ ...deps, settings: testSettings({ AZURE_SUBSCRIPTION_ID: emulator.subscriptionId, PROJECT_ACCESS: 'rbac', APPLICATION_SHARING_POLICY: 'Shared' }) }, () => control);
    const response = await spawnAs('alice', undefined, 'climate-lab');
    expect(response.status).toBe(403);
    expect((response.body as { detail: string }).detail).toMatch(/userObjectId/);
  });

  it('offers dave climate-lab by his role on its workspace alone, and lets him spawn there only', async () => {
    expect(projectNames((await optionsOf(DAVE)).body)).toEqual(['climate-lab']);
    expect((await spawnAs('dave', DAVE, 'climate-lab')).status).toBe(202);
    const elsewhere = await spawnAs('dave', DAVE, 'ocean-lab');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ code: 'project-forbidden' });
  });

  it("assigns the instance in the subscription's tenant, read from ARM once, when the hub sends no tenant", async () => {
    await spawnAs('alice', ALICE, 'climate-lab');
    await spawnAs('bob', BOB, 'ocean-lab');
    const stored = (await deps.servers.list({ limit: 10 })).servers.map((server) => [server.user, server.tenantId]).sort();
    expect(stored).toEqual([['alice', SEED_TENANT], ['bob', SEED_TENANT]]);
    const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as StatsSnapshot;
    expect(stats.requests['GET subscriptions/get']).toBe(1);
  });

  it('reads role assignments once per user and project while cached, counted by the emulator', async () => {
    await optionsOf(ALICE);
    await optionsOf(ALICE);
    await spawnAs('alice', ALICE, 'climate-lab');
    const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as StatsSnapshot;
    expect(stats.requests['GET roleAssignments/listForResourceGroup']).toBe(2);
  });
});

describe('the emulator role assignment list', () => {
  const gateway = () =>
    new ArmAmlGateway({ credential: new DefaultAzureCredential(), subscriptionId: emulator.subscriptionId, endpoint: emulator.url });

  it('answers with ARM role assignment JSON, group assignments included', async () => {
    const assignments = await gateway().roleAssignmentsFor('ocean-lab', ALICE);
    expect(assignments).toEqual([
      {
        roleDefinitionId: `/subscriptions/${emulator.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
        principalId: '9a0c0000-0000-4000-8000-000000000010',
        principalType: 'Group',
        scope: `/subscriptions/${emulator.subscriptionId}/resourceGroups/ocean-lab`,
      },
    ]);
  });

  it('answers nothing for a principal without assignments, and nothing for a resource group that is gone', async () => {
    expect(await gateway().roleAssignmentsFor('climate-lab', CAROL)).toEqual([]);
    expect(await gateway().roleAssignmentsFor('no-such-lab', ALICE)).toEqual([]);
  });
});

describe('the emulator subscription', () => {
  it("answers Subscriptions_Get with the seeded tenant, and the gateway reads it", async () => {
    const tokenReply = await fetch(`${emulator.identityEndpoint}?resource=${encodeURIComponent('https://management.azure.com')}&api-version=2019-08-01`, {
      headers: { 'x-identity-header': emulator.identityHeader },
    });
    const { access_token: token } = (await tokenReply.json()) as { access_token: string };
    const reply = await fetch(`${emulator.url}/subscriptions/${emulator.subscriptionId}?api-version=2022-12-01`, { headers: { authorization: `Bearer ${token}` } });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({
      id: `/subscriptions/${emulator.subscriptionId}`, subscriptionId: emulator.subscriptionId, tenantId: SEED_TENANT, state: 'Enabled',
    });
    const other = await fetch(`${emulator.url}/subscriptions/11111111-0000-0000-0000-000000000000?api-version=2022-12-01`, { headers: { authorization: `Bearer ${token}` } });
    expect(other.status).toBe(404);
    expect((await fetch(`${emulator.url}/subscriptions/${emulator.subscriptionId}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(400);
    expect(await deps.aml.subscriptionTenantId()).toBe(SEED_TENANT);
  });

  it('turns a subscription the credential cannot read into an AppError, and does not keep the failure', async () => {
    const gateway = new ArmAmlGateway({
      credential: new DefaultAzureCredential(), subscriptionId: '11111111-0000-0000-0000-000000000000', endpoint: emulator.url,
      retryOptions: { maxRetries: 0 },
    });
    await expect(gateway.subscriptionTenantId()).rejects.toMatchObject({ name: 'AppError', code: 'azure-error' });
    await expect(gateway.subscriptionTenantId()).rejects.toMatchObject({ name: 'AppError' });
    const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as StatsSnapshot;
    expect(stats.requests['GET subscriptions/get']).toBe(2);
  });
});

describe('the emulator role assignment REST endpoint', () => {
  const rolePath = (group: string, filter?: string) =>
    `/subscriptions/${emulator.subscriptionId}/resourceGroups/${group}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01` +
    (filter === undefined ? '' : `&$filter=${encodeURIComponent(filter)}`);

  async function get(pathAndQuery: string): Promise<{ status: number; json: any }> {
    const tokenReply = await fetch(`${emulator.identityEndpoint}?resource=${encodeURIComponent('https://management.azure.com')}&api-version=2019-08-01`, {
      headers: { 'x-identity-header': emulator.identityHeader },
    });
    const { access_token: token } = (await tokenReply.json()) as { access_token: string };
    const response = await fetch(`${emulator.url}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, json: await response.json() };
  }

  const principals = (json: any) => (json.value as { properties: { principalId: string } }[]).map((a) => a.properties.principalId).sort();

  it('lists every assignment on the group without a filter, in ARM shape', async () => {
    const reply = await get(rolePath('climate-lab'));
    expect(reply.status).toBe(200);
    expect(principals(reply.json)).toEqual([ALICE, PLATFORM_ADMIN, BOB, DAVE]);
    expect(reply.json.value[0]).toMatchObject({
      type: 'Microsoft.Authorization/roleAssignments',
      id: expect.stringMatching(/\/resourceGroups\/climate-lab\/providers\/Microsoft\.Authorization\/roleAssignments\/[0-9a-f-]{36}$/),
      properties: { principalType: 'User', scope: `/subscriptions/${emulator.subscriptionId}/resourceGroups/climate-lab` },
    });
  });

  it("tells assignedTo() (groups included) from principalId eq (the principal's own)", async () => {
    expect(principals((await get(rolePath('ocean-lab', `assignedTo('${ALICE}')`))).json)).toEqual(['9a0c0000-0000-4000-8000-000000000010']);
    expect(principals((await get(rolePath('ocean-lab', `principalId eq '${ALICE}'`))).json)).toEqual([]);
    expect(principals((await get(rolePath('ocean-lab', `atScope() and assignedTo('${BOB}')`))).json)).toEqual([BOB]);
  });

  it('lists an assignment on the workspace below its group, as Azure does, and not with atScope()', async () => {
    const below = (await get(rolePath('climate-lab', `assignedTo('${DAVE}')`))).json;
    expect(below.value).toEqual([
      expect.objectContaining({
        properties: expect.objectContaining({
          principalId: DAVE,
          scope: `/subscriptions/${emulator.subscriptionId}/resourceGroups/climate-lab/providers/Microsoft.MachineLearningServices/workspaces/climate-lab`,
        }),
      }),
    ]);
    expect(principals((await get(rolePath('climate-lab', `atScope() and assignedTo('${DAVE}')`))).json)).toEqual([]);
    expect(principals((await get(rolePath('ocean-lab', `assignedTo('${DAVE}')`))).json)).toEqual([]);
  });

  it('refuses a filter it does not know, and a resource group that does not exist', async () => {
    expect(await get(rolePath('ocean-lab', 'roleDefinitionId eq 1'))).toMatchObject({ status: 400, json: { error: { code: 'UnsupportedQuery' } } });
    expect(await get(rolePath('no-such-lab'))).toMatchObject({ status: 404, json: { error: { code: 'ResourceGroupNotFound' } } });
  });
});
