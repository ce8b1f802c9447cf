import { contractProblems, OPENAPI } from '../support/openapi-contract';

describe('openapi contract checker', () => {
  it('catches an undocumented status, a wrong media type and a body off the schema', () => {
    expect(contractProblems('health', { status: 200, headers: { 'content-type': 'application/json' }, body: { status: 'ok' } })).toEqual([]);
    expect(contractProblems('health', { status: 418, headers: {}, body: null })).toHaveLength(1);
    expect(contractProblems('health', { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' })).toHaveLength(1);
    expect(contractProblems('health', { status: 200, headers: { 'content-type': 'application/json' }, body: { status: 'ok', extra: 1 } }).length).toBeGreaterThan(0);
  });

  it('documents the routes of the architecture (docs/architecture.md)', () => {
    expect(Object.keys(OPENAPI.paths).sort()).toEqual([
      '/api/health', '/api/options', '/api/servers', '/api/servers/{id}', '/api/servers/{id}/activity', '/api/servers/{id}/stop', '/api/usage', '/api/budgets', '/api/admin', '/api/admin/{file}', '/api/schedules', '/api/schedules/{id}',
    ].sort());
  });
});
