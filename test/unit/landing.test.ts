/** Where a person lands: the choices offered, the spawn's `app`, the url served per app. */
import { fromArmCompute } from '../../shared/adapters/aml/from-arm-compute';
import { fromServerEntity, toServerEntity } from '../../shared/adapters/table/server-entity';
import { isAppError } from '../../shared/domain/errors';
import { landingChoices, landingUrls } from '../../shared/domain/landing';
import type { Project } from '../../shared/domain/projects';
import { toServerView } from '../../shared/http/server-view';
import { SpawnRequestSchema } from '../../shared/http/request-schemas';
import { advanceProvisioning } from '../../shared/use-cases/advance-provisioning';
import { describeOptions } from '../../shared/use-cases/describe-options';
import type { ProjectCatalog } from '../../shared/use-cases/project-catalog';
import { spawnServer, type SpawnRequest } from '../../shared/use-cases/spawn-server';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';
import type { ComputeResource } from '@azure/arm-machinelearning';

const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const request: SpawnRequest = { user: 'alice', project: 'climate-lab', size: 'Medium', serverName: '', userObjectId: ALICE, tenantId: null };

/** An instance's applications as Azure lists them, with VS Code's browser edition and RStudio as a custom service. */
const LISTED = [
  { displayName: 'Jupyter', endpointUri: 'https://ci-1.westeurope.instances.azureml.ms/tree' },
  { displayName: 'Jupyter Lab', endpointUri: 'https://ci-1.westeurope.instances.azureml.ms/lab' },
  { displayName: 'VS Code', endpointUri: 'vscode://ms-toolsai.vscode-ai-remote/attach?computeName=ci-1' },
  { displayName: 'VS Code (Web)', endpointUri: 'https://ci-1.westeurope.instances.azureml.ms/vscode/' },
  { displayName: 'rstudio', endpointUri: 'https://ci-1-8787.westeurope.instances.azureml.ms/' },
];

const RSTUDIO = { name: 'rstudio', image: { type: 'docker', reference: 'ghcr.io/azure/rocker-rstudio-ml-verse:latest' }, endpoints: [{ name: 'connect', target: 8787, published: 8787, protocol: 'http' }] };

function setUp(projectTags: Record<string, string> = {}) {
  const servers = new InMemoryServerRepository();
  const aml = new ScriptedAmlGateway();
  const deps = testDependencies({ servers, aml, settings: testSettings() });
  // The project's resource-group tags, where its compute settings (custom services among them) live.
  const catalog = deps.catalog;
  deps.catalog = Object.assign(Object.create(catalog) as ProjectCatalog, { projectTags: async () => projectTags });
  return { servers, aml, deps, control: new RecordingOrchestrationControl() };
}

describe('landing choices', () => {
  it('offers JupyterLab, Jupyter and VS Code, then the project\'s custom services, each once', () => {
    expect(landingChoices([])).toEqual([
      { id: 'jupyterlab', name: 'JupyterLab' },
      { id: 'jupyter', name: 'Jupyter' },
      { id: 'vscode', name: 'VS Code' },
    ]);
    expect(landingChoices(['rstudio', 'rstudio', 'Jupyter', 'no spaces allowed']).map((app) => app.id)).toEqual(['jupyterlab', 'jupyter', 'vscode', 'rstudio']);
  });

  it('maps the instance\'s applications to app urls: the web VS Code, never the desktop link', () => {
    expect(landingUrls(LISTED, 'https://ci-1.westeurope.instances.azureml.ms/lab')).toEqual({
      jupyterlab: 'https://ci-1.westeurope.instances.azureml.ms/lab',
      jupyter: 'https://ci-1.westeurope.instances.azureml.ms/tree',
      vscode: 'https://ci-1.westeurope.instances.azureml.ms/vscode/',
      rstudio: 'https://ci-1-8787.westeurope.instances.azureml.ms/',
    });
    const desktopOnly = LISTED.filter((app) => app.displayName !== 'VS Code (Web)');
    expect(landingUrls(desktopOnly, null)).not.toHaveProperty('vscode');
  });

  it('reads the applications from Azure\'s compute resource', () => {
    const resource = {
      name: 'ci-1',
      properties: { computeType: 'ComputeInstance', properties: { state: 'Running', applications: [...LISTED, { displayName: 'half' }] } },
    } as unknown as ComputeResource;
    expect(fromArmCompute(resource).applications).toEqual(LISTED);
  });
});

describe('the spawn\'s app', () => {
  it('defaults to JupyterLab and refuses an id that is not one', () => {
    expect(SpawnRequestSchema.parse({ user: 'a', project: 'climate-lab', size: 'Small' }).app).toBe('jupyterlab');
    expect(SpawnRequestSchema.safeParse({ user: 'a', project: 'climate-lab', size: 'Small', app: '../lab' }).success).toBe(false);
  });

  it('refuses an app the project does not offer with 400 app-not-offered, storing nothing', async () => {
    const { servers, deps, control } = setUp();
    const error = await spawnServer(deps, control, { ...request, app: 'rstudio' }).catch((caught: unknown) => caught);
    expect(isAppError(error, 'app-not-offered')).toBe(true);
    expect(isAppError(error) && error.status).toBe(400);
    expect(isAppError(error) && error.message).toMatch(/does not offer the application 'rstudio'; choose one of: jupyterlab, jupyter, vscode\./);
    expect((await servers.list({ limit: 10 })).servers).toEqual([]);
    expect(control.requests).toEqual([]);
  });

  it('accepts a custom service the project offers, and records the choice', async () => {
    const { deps, control } = setUp({ 'aml-jupyterhub-custom-services': JSON.stringify([RSTUDIO]) });
    const { server } = await spawnServer(deps, control, { ...request, app: 'rstudio' });
    expect(server.app).toBe('rstudio');
  });

  it('records the choice on a new server and takes a new one on a respawn', async () => {
    const { servers, deps, control } = setUp();
    const { server } = await spawnServer(deps, control, { ...request, app: 'vscode' });
    expect(server.app).toBe('vscode');
    await servers.update(server.id, (s) => ({ ...s, state: 'Stopped' }));
    const again = await spawnServer(deps, control, request);
    expect(again.server).toMatchObject({ id: server.id, state: 'Requested', app: 'jupyterlab' });
  });

  it('changes where a running server lands without starting anything', async () => {
    const { servers, deps, control } = setUp();
    const { server } = await spawnServer(deps, control, request);
    const urls = { jupyterlab: 'https://x/lab', vscode: 'https://x/vscode/' };
    await servers.update(server.id, (s) => ({ ...s, state: 'Running', url: 'https://x/lab', appUrls: urls }));
    control.requests.length = 0;
    const again = await spawnServer(deps, control, { ...request, app: 'vscode' });
    expect(again.accepted).toBe(false);
    expect(control.requests).toEqual([]);
    expect((await servers.get(server.id))?.server.app).toBe('vscode');
    expect(toServerView(again.server)).toMatchObject({ app: 'vscode', url: 'https://x/lab', appUrl: 'https://x/vscode/' });
  });
});

describe('the options', () => {
  it('list each project\'s landing choices, custom services included', async () => {
    const { deps } = setUp({ 'aml-jupyterhub-custom-services': JSON.stringify([RSTUDIO]) });
    const options = await describeOptions(deps, { userObjectId: ALICE });
    expect(options.projects.length).toBeGreaterThan(0);
    for (const project of options.projects) {
      expect(project.apps.map((app) => app.id)).toEqual(['jupyterlab', 'jupyter', 'vscode', 'rstudio']);
    }
  });
});

describe('the url a server lands on', () => {
  async function runUntilRunning(app: string) {
    const clock = new VirtualClock();
    const aml = new ScriptedAmlGateway();
    aml.setTime(clock.now());
    const servers = new InMemoryServerRepository();
    const server = buildServer({ state: 'Starting', app });
    await servers.create(server);
    aml.seed(server.project, server.id, server.vmSize, 'Running');
    const step = await advanceProvisioning(testDependencies({ servers, aml, clock }), server.id);
    expect(step.outcome).toBe('running');
    const stored = (await servers.get(server.id))?.server;
    if (!stored) throw new Error('server not stored');
    return stored;
  }

  it.each([
    ['jupyterlab', (id: string) => `https://${id}.westeurope.instances.azureml.ms/lab`],
    ['jupyter', (id: string) => `https://${id}.westeurope.instances.azureml.ms/tree`],
    ['vscode', (id: string) => `https://${id}.westeurope.instances.azureml.ms/vscode/`],
  ])('is the %s application\'s endpoint once Running, next to the JupyterLab url', async (app, expected) => {
    const stored = await runUntilRunning(app);
    expect(toServerView(stored)).toMatchObject({ app, url: `https://${stored.id}.westeurope.instances.azureml.ms/lab`, appUrl: expected(stored.id) });
    expect(toServerView(stored)).not.toHaveProperty('appUrls');
  });

  it('is null for an app the instance does not list, and for a server that is not running', async () => {
    const stored = await runUntilRunning('rstudio');
    expect(toServerView(stored).appUrl).toBeNull();
    expect(toServerView({ ...stored, state: 'Stopped', url: null }).appUrl).toBeNull();
  });

  it('survives the table round trip; a row from before landing choices reads as JupyterLab', async () => {
    const stored = await runUntilRunning('vscode');
    const read = fromServerEntity(toServerEntity(stored) as unknown as Record<string, unknown>);
    expect(read).toEqual({ ok: true, server: stored });
    const { app: _app, appUrls: _appUrls, ...older } = toServerEntity(stored);
    const olderRead = fromServerEntity(older as unknown as Record<string, unknown>);
    expect(olderRead.ok && olderRead.server).toMatchObject({ app: 'jupyterlab', appUrls: {} });
  });
});
