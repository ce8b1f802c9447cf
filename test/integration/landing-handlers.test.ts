/**
 * The landing choice at the HTTP edge, over the real Table repository (Azurite): the spawn's `app`
 * stored and served, an app the project does not offer refused as problem+json with nothing stored,
 * the options listing each project's apps; every answer checked against openapi.yaml.
 */
import { TableServerRepository } from '../../shared/adapters/table';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { httpFunctions, TestRoot } from '../support/app-root';
import { invokeConforming } from '../support/http-invoke';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { testDependencies } from '../support/test-dependencies';

const ALICE_OID = 'a11ce000-0000-4000-8000-000000000001';
const spawnBody = { user: 'alice', project: 'climate-lab', size: 'Medium', userObjectId: ALICE_OID };

let azurite: AzuriteHandle;
let repository: TableServerRepository;
let table = 0;
const testRoot = new TestRoot();
const { options, spawn, status } = httpFunctions(testRoot.root);

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
}, 60_000);
afterAll(async () => {
  await azurite.stop();
});
beforeEach(async () => {
  repository = new TableServerRepository({ connectionString: azurite.connectionString, tableName: `landing${++table}` });
  await repository.ensureTables();
  const control = new RecordingOrchestrationControl();
  testRoot.use(testDependencies({ servers: repository, aml: new ScriptedAmlGateway() }), () => control);
});

const spawnCall = (body: unknown) => invokeConforming('spawn', spawn, { method: 'POST', path: '/api/servers', body });

describe('the landing choice over HTTP', () => {
  it('stores the app and serves it with the server, appUrl null until it runs', async () => {
    const { status: code, body } = await spawnCall({ ...spawnBody, app: 'vscode' });
    expect(code).toBe(202);
    expect(body).toMatchObject({ app: 'vscode', appUrl: null, url: null });
    const id = (body as { id: string }).id;
    const read = await invokeConforming('status', status, { method: 'GET', path: `/api/servers/${id}`, params: { id } });
    expect(read.body).toMatchObject({ id, app: 'vscode', appUrl: null });
  });

  it('lands in JupyterLab when the spawn names no app', async () => {
    const { body } = await spawnCall(spawnBody);
    expect(body).toMatchObject({ app: 'jupyterlab' });
  });

  it.each([
    ['an app the project does not offer', 'rstudio', 'app-not-offered', /does not offer the application 'rstudio'/],
    ['an id that is no app id', 'vs code', 'invalid-request', /app/],
  ])('refuses %s as 400 problem+json, storing nothing', async (_what, app, code, detail) => {
    const refused = await spawnCall({ ...spawnBody, app });
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 400, code, detail: expect.stringMatching(detail) });
    expect((await repository.list({ limit: 10 })).servers).toEqual([]);
  });

  it('lists the apps of every project in the options', async () => {
    const { body } = await invokeConforming('options', options, { method: 'GET', path: '/api/options', query: { user: 'alice', userObjectId: ALICE_OID } });
    const projects = (body as { projects: { apps: { id: string; name: string }[] }[] }).projects;
    expect(projects.length).toBeGreaterThan(0);
    for (const project of projects) {
      expect(project.apps).toEqual([
        { id: 'jupyterlab', name: 'JupyterLab' },
        { id: 'jupyter', name: 'Jupyter' },
        { id: 'vscode', name: 'VS Code' },
      ]);
    }
  });
});
