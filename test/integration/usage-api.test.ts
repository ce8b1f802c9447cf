/**
 * GET /api/usage through the one HTTP wrapper, per caller: the key and the Admin role see everyone;
 * a person's own token sees only the servers spawned with their object id; the Hub role does not
 * see costs. Answers conform to openapi.yaml; bad input is a 400 problem.
 */
import { httpFunctions, TestRoot } from '../support/app-root';
import type { UsageInterval } from '../../shared/domain/usage';
import { startTokenIssuer, type TokenIssuer } from '../../local/token-issuer';
import { invokeConforming } from '../support/http-invoke';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { FixedPriceBook, InMemoryUsageLedger } from '../support/in-memory-usage-ledger';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { TEST_HUB_API_KEY, testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';

const testRoot = new TestRoot();
const { usage } = httpFunctions(testRoot.root);

const AUDIENCE = 'api://aml-jupyterhub-test';
const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';
const NOW = new Date('2026-11-26T12:00:00Z');

let issuer: TokenIssuer;
const tokens: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  issuer = await startTokenIssuer({ port: 0, dataDir: null });
  const valid = { issuer: issuer.issuer, audience: AUDIENCE };
  const bearer = async (claims: { roles?: string[]; oid?: string }) => ({ authorization: `Bearer ${await issuer.mint({ ...valid, ...claims })}` });
  tokens.admin = await bearer({ roles: ['Admin'] });
  tokens.hub = await bearer({ roles: ['Hub'], oid: '11111111-0000-4000-8000-000000000000' });
  tokens.alice = await bearer({ oid: ALICE });
  tokens.bob = await bearer({ oid: BOB });
  tokens.key = { 'x-functions-key': TEST_HUB_API_KEY };
});
afterAll(async () => {
  await issuer.stop();
});

beforeEach(async () => {
  const usageLedger = new InMemoryUsageLedger();
  const row = (overrides: Partial<UsageInterval>): UsageInterval => ({
    serverId: 'ci-a', start: '2026-11-26T08:00:00Z', end: '2026-11-26T10:00:00Z', user: 'alice', userObjectId: ALICE,
    project: 'climate-lab', size: 'Medium', vmSize: 'Standard_DS3_v2', region: 'westeurope', ...overrides,
  });
  await usageLedger.close({ ...row({}), end: '2026-11-26T10:00:00Z' });
  await usageLedger.open(row({ serverId: 'ci-b', user: 'bob', userObjectId: BOB, project: 'ocean-lab', size: 'Small', vmSize: 'Standard_DS1_v2', start: '2026-11-26T11:00:00Z', end: null }));
  const deps = testDependencies({
    servers: new InMemoryServerRepository(),
    aml: new ScriptedAmlGateway(),
    clock: new VirtualClock(NOW),
    usage: usageLedger,
    prices: new FixedPriceBook({ 'westeurope/standard_ds3_v2': 0.293, 'westeurope/standard_ds1_v2': 0.073 }),
    settings: testSettings({ AUTH_MODE: 'key-or-entra', ENTRA_ISSUER: issuer.issuer, ENTRA_JWKS_URI: issuer.jwksUri, ENTRA_AUDIENCE: AUDIENCE }),
  });
  testRoot.use(deps, () => new RecordingOrchestrationControl());
});

const ask = (credential: Record<string, string> | undefined, query: Record<string, string> = {}) =>
  invokeConforming('usage', usage, { method: 'GET', path: '/api/usage', query, credential });

describe('GET /api/usage', () => {
  it.each(['admin', 'key'])('gives %s every user, this month so far by default, a running server counted until now', async (who) => {
    const response = await ask(tokens[who], { groupBy: 'user' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      from: '2026-11-01T00:00:00.000Z', to: NOW.toISOString(), groupBy: 'user', currency: 'USD',
      groups: [{ key: 'alice', hours: 2, cost: 0.59, unpricedHours: 0 }, { key: 'bob', hours: 1, cost: 0.07, unpricedHours: 0 }],
      total: { hours: 3, cost: 0.66 },
    });
  });

  it('groups by project and by size over a given window', async () => {
    const byProject = await ask(tokens.admin, { groupBy: 'project', from: '2026-11-26T09:00:00+00:00', to: '2026-11-26T11:30:00Z' });
    expect((byProject.body as { groups: unknown[] }).groups).toEqual([
      { key: 'climate-lab', hours: 1, cost: 0.29, unpricedHours: 0 },
      { key: 'ocean-lab', hours: 0.5, cost: 0.04, unpricedHours: 0 },
    ]);
    const bySize = await ask(tokens.admin, { groupBy: 'size' });
    expect((bySize.body as { groups: { key: string }[] }).groups.map((group) => group.key)).toEqual(['Medium', 'Small']);
  });

  it.each([['alice', 'alice', 2], ['bob', 'bob', 1]] as const)("gives %s's own token only their own usage", async (who, key, hours) => {
    const response = await ask(tokens[who], { groupBy: 'user' });
    expect(response.status).toBe(200);
    expect((response.body as { groups: unknown[] }).groups).toEqual([expect.objectContaining({ key, hours })]);
  });

  it('refuses the Hub role (costs are for admins and for each person), and no credential', async () => {
    expect((await ask(tokens.hub)).status).toBe(403);
    expect((await ask({})).status).toBe(401);
  });

  it.each([
    [{ groupBy: 'team' }],
    [{ from: 'yesterday' }],
    [{ from: '2026-11-26T09:00:00' }], // no offset
    [{ from: '2026-11-26T10:00:00Z', to: '2026-11-26T09:00:00Z' }],
    [{ project: 'climate-lab' }],
  ])('answers 400 invalid-request for %j', async (query) => {
    const response = await ask(tokens.admin, query);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid-request' });
  });
});
