/**
 * The catch-all's route table (for 405 + Allow) says what the app really serves: every `app.http`
 * registration's route and methods, and the paths and methods of openapi.yaml.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allowedMethods, API_ROUTES, ROUTE_PREFIX } from '../../shared/http/api-routes';

const REPO = join(__dirname, '..', '..');

/** route → methods, read from the registrations in functions/*.ts. */
function registeredRoutes(): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  for (const file of readdirSync(join(REPO, 'functions'))) {
    const source = readFileSync(join(REPO, 'functions', file), 'utf8');
    for (const call of source.matchAll(/app\.http\('[^']+',\s*\{([\s\S]*?)\}\);/g)) {
      const route = /route:\s*'([^']+)'/.exec(call[1])?.[1];
      const methods = /methods:\s*\[([^\]]*)\]/.exec(call[1])?.[1];
      if (!route || !methods || route === '{*path}') continue;
      const list = [...methods.matchAll(/'([A-Z]+)'/g)].map((m) => m[1]);
      routes.set(route, [...(routes.get(route) ?? []), ...list]);
    }
  }
  return routes;
}

describe('API_ROUTES', () => {
  it('lists every route and method the functions register, and no other', () => {
    const registered = registeredRoutes();
    expect(registered.size).toBeGreaterThanOrEqual(5);
    const table = new Map(API_ROUTES.map((route) => [route.template, [...route.methods].sort()]));
    expect(table).toEqual(new Map([...registered].map(([route, methods]) => [route, methods.sort()])));
  });

  it('serves HEAD wherever it serves GET', () => {
    for (const route of API_ROUTES) if (route.methods.includes('GET')) expect(route.methods).toContain('HEAD');
  });

  it('agrees with openapi.yaml', () => {
    const spec = parse(readFileSync(join(REPO, 'openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Map(
      Object.entries(spec.paths).map(([path, item]) => [
        path.replace(`/${ROUTE_PREFIX}/`, ''),
        Object.keys(item).filter((key) => key !== 'parameters').map((method) => method.toUpperCase()).sort(),
      ]),
    );
    expect(new Map(API_ROUTES.map((route) => [route.template, [...route.methods].sort()]))).toEqual(documented);
  });

  it('uses the route prefix of host.json', () => {
    const host = JSON.parse(readFileSync(join(REPO, 'host.json'), 'utf8')) as { extensions?: { http?: { routePrefix?: string } } };
    expect(host.extensions?.http?.routePrefix ?? 'api').toBe(ROUTE_PREFIX);
  });
});

describe('allowedMethods', () => {
  it.each<[string, string[] | null]>([
    ['/api/servers', ['GET', 'HEAD', 'POST']],
    ['/api/servers/', ['GET', 'HEAD', 'POST']],
    ['/API/Servers/ci-x/STOP', ['POST']],
    ['/api/servers/ci-x/activity', ['POST']],
    ['/api/servers/ci-x/other', null],
    ['/api/health/x', null],
    ['/servers', null],
    ['/api', null],
  ])('%s → %j', (path, expected) => {
    expect(allowedMethods(path)).toEqual(expected);
  });
});
