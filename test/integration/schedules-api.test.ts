/** The schedule routes over HTTP: bad input is a 4xx problem+json with a stable code and stores nothing; answers match openapi.yaml. */
import type { Dependencies } from '../../shared/use-cases/dependencies';
import { httpFunctions, TestRoot } from '../support/app-root';
import { invokeConforming } from '../support/http-invoke';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { testDependencies } from '../support/test-dependencies';

const CLASS = { project: 'climate-lab', size: 'Small', users: [{ user: 'alice' }], start: '2026-11-27T09:00:00+01:00', end: '2026-11-27T11:00:00+01:00' };
let deps: Dependencies;
const testRoot = new TestRoot();
const {
  listSchedules: listSchedulesHandler, createSchedule: createScheduleHandler, getSchedule: getScheduleHandler,
  replaceSchedule: replaceScheduleHandler, deleteSchedule: deleteScheduleHandler,
} = httpFunctions(testRoot.root);

beforeEach(() => {
  deps = testDependencies({ servers: new InMemoryServerRepository(), aml: new ScriptedAmlGateway() });
  testRoot.use(deps, () => new RecordingOrchestrationControl());
});

const post = (body: unknown) => invokeConforming('createSchedule', createScheduleHandler, { method: 'POST', path: '/api/schedules', body });

describe('POST /api/schedules', () => {
  it.each([
    ['both audiences', { ...CLASS, groupObjectId: '9a0c0000-0000-4000-8000-000000000010' }, 400, 'invalid-request'],
    ['a recurring schedule with a bad time zone', { project: 'climate-lab', size: 'Small', users: [{ user: 'a' }], cron: '0 9 * * 1', durationMinutes: 60, timeZone: 'Nowhere/Land' }, 400, 'invalid-request'],
    ['a cron expression that does not parse', { project: 'climate-lab', size: 'Small', users: [{ user: 'a' }], cron: 'every monday', durationMinutes: 60, timeZone: 'UTC' }, 400, 'invalid-request'],
    ['an end already past', { ...CLASS, start: '2026-11-20T09:00:00Z', end: '2026-11-20T10:00:00Z' }, 400, 'invalid-request'],
    ['an unknown project', { ...CLASS, project: 'no-such-lab' }, 404, 'project-not-found'],
    ['a size as a VM name', { ...CLASS, size: 'Standard_DS1_v2' }, 400, 'invalid-request'],
    ['a user object id that is no GUID', { ...CLASS, users: [{ user: 'alice', userObjectId: 'alice' }] }, 400, 'invalid-request'],
  ])('refuses %s with a problem and stores nothing', async (_name, body, status, code) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code, status });
    expect(await deps.schedules.list()).toEqual([]);
  });

  it('refuses a body that is not JSON (415) or not JSON at all (400)', async () => {
    const text = await invokeConforming('createSchedule', createScheduleHandler, { method: 'POST', path: '/api/schedules', rawBody: 'x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const broken = await invokeConforming('createSchedule', createScheduleHandler, { method: 'POST', path: '/api/schedules', rawBody: '{', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(await deps.schedules.list()).toEqual([]);
  });
});

describe('a schedule through its routes', () => {
  it('is created, read, replaced, listed and deleted', async () => {
    const created = await post(CLASS);
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(created.headers.location).toBe(`/api/schedules/${id}`);
    const read = await invokeConforming('getSchedule', getScheduleHandler, { method: 'GET', path: `/api/schedules/${id}`, params: { id } });
    expect(read.body).toMatchObject({ id, users: [{ user: 'alice', userObjectId: null, tenantId: null }], start: '2026-11-27T08:00:00.000Z', nextSession: { start: '2026-11-27T08:00:00.000Z' } });
    const replaced = await invokeConforming('replaceSchedule', replaceScheduleHandler, { method: 'PUT', path: `/api/schedules/${id}`, params: { id }, body: { ...CLASS, size: 'Medium' } });
    expect(replaced.body).toMatchObject({ id, size: 'Medium' });
    const badReplace = await invokeConforming('replaceSchedule', replaceScheduleHandler, { method: 'PUT', path: `/api/schedules/${id}`, params: { id }, body: { ...CLASS, size: 'Huge' } });
    expect(badReplace.status).toBe(400);
    const listed = await invokeConforming('listSchedules', listSchedulesHandler, { method: 'GET', path: '/api/schedules' });
    expect((listed.body as { schedules: { id: string; size: string }[] }).schedules).toEqual([expect.objectContaining({ id, size: 'Medium' })]);
    expect((await invokeConforming('deleteSchedule', deleteScheduleHandler, { method: 'DELETE', path: `/api/schedules/${id}`, params: { id } })).status).toBe(204);
    const gone = await invokeConforming('getSchedule', getScheduleHandler, { method: 'GET', path: `/api/schedules/${id}`, params: { id } });
    expect(gone.body).toMatchObject({ status: 404, code: 'schedule-not-found' });
    const badId = await invokeConforming('getSchedule', getScheduleHandler, { method: 'GET', path: '/api/schedules/nope', params: { id: 'nope' } });
    expect(badId.body).toMatchObject({ status: 400, code: 'invalid-request' });
  });
});
