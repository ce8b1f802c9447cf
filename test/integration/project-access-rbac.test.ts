/**
 * PROJECT_ACCESS rbac end to end through the real SDK clients: the options and spawn handlers over
 * the real ArmAmlGateway (AuthorizationManagementClient) against the ARM emulator's seeded role
 * assignments — alice holds a role on climate-lab and, through group ocean-lab-team, on ocean-lab;
 * bob holds one on ocean-lab (and only Reader on climate-lab); carol holds none.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { options } from '../../functions/options';
import { spawn } from '../../functions/spawn';
import { startArmEmulator, type ArmEmulator, type StatsSnapshot } from '../../local/arm-emulator';
import { ArmAmlGateway } from '../../shared/adapters/aml/arm-aml-gateway';
import { useDependencies } from '../../shared/composition-root';
import type { Dependencies } from '../../shared/use-cases/dependencies';
import { invokeConforming } from '../support/http-invoke';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { testDependencies, testSettings } from '../support/test-dependencies';

/** Object ids seeded in local/arm-emulator/seed.json. */
const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';
const CAROL = 'ca201000-0000-4000-8000-000000000003';

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
  useDependencies(deps, () => control);
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

  it('refuses a spawn without the user object id', async () => {
    const response = await spawnAs('alice', undefined, 'climate-lab');
    expect(response.status).toBe(403);
    expect((response.body as { detail: string }).detail).toMatch(/userObjectId/);
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
    expect(principals(reply.json)).toEqual([ALICE, BOB]);
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

  it('refuses a filter it does not know, and a resource group that does not exist', async () => {
    expect(await get(rolePath('ocean-lab', 'roleDefinitionId eq 1'))).toMatchObject({ status: 400, json: { error: { code: 'UnsupportedQuery' } } });
    expect(await get(rolePath('no-such-lab'))).toMatchObject({ status: 404, json: { error: { code: 'ResourceGroupNotFound' } } });
  });
});
