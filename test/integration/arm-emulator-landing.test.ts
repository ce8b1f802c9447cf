/**
 * The ARM emulator's applications of an instance, where a person may land: JupyterLab, VS Code (Web)
 * and the custom services of the create body, listed as Azure lists them and served as stand-in
 * pages on the lab listener.
 */
import { startArmEmulator, SEED_SUBSCRIPTION_ID, type ArmEmulator } from '../../local/arm-emulator';
import { ArmAmlGateway } from '../../shared/adapters/aml/arm-aml-gateway';
import { landingUrls } from '../../shared/domain/landing';

const SUB = `/subscriptions/${SEED_SUBSCRIPTION_ID}`;
const computePath = (name: string) =>
  `${SUB}/resourceGroups/climate-lab/providers/Microsoft.MachineLearningServices/workspaces/climate-lab/computes/${name}?api-version=2025-12-01`;

const clock = { now: Date.now() };
const RSTUDIO = {
  name: 'rstudio',
  image: { type: 'docker', reference: 'ghcr.io/azure/rocker-rstudio-ml-verse:latest' },
  endpoints: [{ name: 'connect', target: 8787, published: 8787, protocol: 'http' }],
};

describe('ARM emulator: where a person may land', () => {
  let emulator: ArmEmulator;
  let token: string;

  const arm = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };
  const create = (name: string, inner: Record<string, unknown> = {}) =>
    arm('PUT', computePath(name), { location: 'westeurope', properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2', ...inner } } });
  const page = async (path: string) => {
    const response = await fetch(`${emulator.labUrl}${path}`);
    return { status: response.status, text: await response.text() };
  };

  beforeAll(async () => {
    emulator = await startArmEmulator({ port: 0, dataDir: null, now: () => clock.now, createSeconds: 60, startSeconds: 30, stopSeconds: 20, deleteSeconds: 10 });
    const reply = await fetch(`${emulator.url}/msi/token?resource=https%3A%2F%2Fmanagement.azure.com&api-version=2019-08-01`, {
      headers: { 'x-identity-header': emulator.identityHeader },
    });
    token = ((await reply.json()) as { access_token: string }).access_token;
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  it('lists VS Code (Web) and each custom service once provisioned, and serves their pages while Running', async () => {
    expect((await create('ci-land', { customServices: [RSTUDIO] })).status).toBe(201);
    expect((await page('/instances/ci-land/vscode/')).status).toBe(503);
    expect((await arm('GET', computePath('ci-land'))).json.properties.properties.applications).toEqual([]);
    clock.now += 60_000;
    const applications = (await arm('GET', computePath('ci-land'))).json.properties.properties.applications;
    expect(applications).toEqual(expect.arrayContaining([
      { displayName: 'Jupyter Lab', endpointUri: `${emulator.labUrl}/instances/ci-land/lab` },
      { displayName: 'VS Code', endpointUri: expect.stringMatching(/^vscode:\/\//) },
      { displayName: 'VS Code (Web)', endpointUri: `${emulator.labUrl}/instances/ci-land/vscode/` },
      { displayName: 'rstudio', endpointUri: `${emulator.labUrl}/instances/ci-land/services/rstudio/` },
    ]));
    const vsCode = await page('/instances/ci-land/vscode/?folder=/home/azureuser/cloudfiles');
    expect(vsCode.status).toBe(200);
    expect(vsCode.text).toContain('<title>VS Code</title>');
    expect(vsCode.text).toContain('ci-land');
    const rstudio = await page('/instances/ci-land/services/rstudio/');
    expect(rstudio.status).toBe(200);
    expect(rstudio.text).toContain('<title>rstudio</title>');
    expect((await page('/instances/ci-land/lab')).text).toContain('<title>JupyterLab</title>');
    expect((await page('/instances/ci-land/services/shiny/')).status).toBe(404);
    expect((await page('/instances/ci-nobody/vscode/')).status).toBe(404);
  });

  it('gives the control plane, through the Azure SDK, a landing url for VS Code and each custom service', async () => {
    await create('ci-sdk', { customServices: [RSTUDIO] });
    clock.now += 60_000;
    const gateway = new ArmAmlGateway({
      credential: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
      subscriptionId: emulator.subscriptionId,
      endpoint: emulator.url,
    });
    const compute = await gateway.getCompute({ project: 'climate-lab', name: 'ci-sdk' });
    if (!compute) throw new Error('ci-sdk not found');
    expect(landingUrls(compute.applications, compute.jupyterLabUrl)).toEqual({
      jupyterlab: `${emulator.labUrl}/instances/ci-sdk/lab`,
      jupyter: `${emulator.labUrl}/instances/ci-sdk/tree`,
      vscode: `${emulator.labUrl}/instances/ci-sdk/vscode/`,
      rstudio: `${emulator.labUrl}/instances/ci-sdk/services/rstudio/`,
    });
  });

  it('lists no custom service for an instance created without one', async () => {
    await create('ci-plain');
    clock.now += 60_000;
    const applications = (await arm('GET', computePath('ci-plain'))).json.properties.properties.applications as { displayName: string }[];
    expect(applications.map((application) => application.displayName)).toEqual(['Jupyter', 'Jupyter Lab', 'VS Code', 'VS Code (Web)']);
    expect((await page('/instances/ci-plain/services/rstudio/')).status).toBe(404);
  });

  it('refuses custom services Azure would not take, naming the field, and creates nothing', async () => {
    const nameless = await create('ci-bad', { customServices: [{ image: { reference: 'x' } }] });
    expect(nameless.status).toBe(400);
    expect(nameless.json.error.message).toMatch(/customServices\.0\.name/);
    const twice = await create('ci-bad', { customServices: [RSTUDIO, RSTUDIO] });
    expect(twice.status).toBe(400);
    expect(twice.json.error.message).toMatch(/'rstudio' is given twice/);
    expect((await arm('GET', computePath('ci-bad'))).status).toBe(404);
  });
});
