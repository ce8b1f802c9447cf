import { compareRouteTemplates, matchRouteTemplate, parseRouteTemplate, RouteTemplateError } from '../../../local/host';

function firstMatch(templates: string[], path: string): { template: string; params: Record<string, string> } | undefined {
  const sorted = templates.map(parseRouteTemplate).sort(compareRouteTemplates);
  for (const route of sorted) {
    const params = matchRouteTemplate(route, path);
    if (params) return { template: route.template, params };
  }
  return undefined;
}

describe('route templates', () => {
  const routes = ['{*path}', 'servers/{id}', 'servers/{id}/stop', 'servers/stats', 'items/{n:int}', 'items/{name}', 'files/{name}.{ext}'];

  it.each([
    ['servers/abc', 'servers/{id}', { id: 'abc' }],
    ['servers/stats', 'servers/stats', {}],
    ['SERVERS/Stats', 'servers/stats', {}],
    ['servers/abc/stop', 'servers/{id}/stop', { id: 'abc' }],
    ['items/42', 'items/{n:int}', { n: '42' }],
    ['items/forty-two', 'items/{name}', { name: 'forty-two' }],
    ['files/report.pdf', 'files/{name}.{ext}', { name: 'report', ext: 'pdf' }],
    ['servers/abc/stop/now', '{*path}', { path: 'servers/abc/stop/now' }],
    ['', '{*path}', {}],
    ['servers/a%20b', 'servers/{id}', { id: 'a b' }],
  ])('%s is served by %s', (path, template, params) => {
    expect(firstMatch(routes, path)).toEqual({ template, params });
  });

  it('orders literal, constrained, free and catch-all segments as ASP.NET does', () => {
    const order = ['{*rest}', '{id}', '{id:int}', 'literal'].map(parseRouteTemplate).sort(compareRouteTemplates).map((route) => route.template);
    expect(order).toEqual(['literal', '{id:int}', '{id}', '{*rest}']);
  });

  it('supports optional and default parameters', () => {
    const optional = parseRouteTemplate('start/{name}/{instanceId?}');
    expect(matchRouteTemplate(optional, 'start/a')).toEqual({ name: 'a' });
    expect(matchRouteTemplate(optional, 'start/a/b')).toEqual({ name: 'a', instanceId: 'b' });
    expect(matchRouteTemplate(optional, 'start/a/b/c')).toBeUndefined();
    expect(matchRouteTemplate(parseRouteTemplate('page/{n=1}'), 'page')).toEqual({ n: '1' });
  });

  it('applies constraints', () => {
    const guid = parseRouteTemplate('things/{id:guid}');
    expect(matchRouteTemplate(guid, 'things/1b02dd07-a5e2-45aa-b64b-367c25205c5c')).toBeDefined();
    expect(matchRouteTemplate(guid, 'things/nope')).toBeUndefined();
    const pattern = parseRouteTemplate('ci/{id:regex(^ci-[0-9a-p]{{21}}$)}');
    expect(matchRouteTemplate(pattern, 'ci/ci-0123456789abcdefghijk')).toEqual({ id: 'ci-0123456789abcdefghijk' });
    expect(matchRouteTemplate(pattern, 'ci/ci-short')).toBeUndefined();
  });

  it('rejects malformed templates', () => {
    expect(() => parseRouteTemplate('a/{*rest}/b')).toThrow(RouteTemplateError);
    expect(() => parseRouteTemplate('a/{id')).toThrow(RouteTemplateError);
    expect(() => parseRouteTemplate('a/{id:nosuch}')).toThrow(RouteTemplateError);
  });
});
