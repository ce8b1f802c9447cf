/**
 * The app's HTTP routes and the methods each serves, for the catch-all function: a request whose
 * path is one of these but whose method is not answers 405 with Allow, as RFC 9110 asks, on Azure
 * as locally (Azure's host answers 404 for a wrong method; the catch-all turns that into 405).
 * A test checks this table against every `app.http` registration and openapi.yaml.
 */

/** host.json extensions.http.routePrefix. */
export const ROUTE_PREFIX = 'api';

export interface ApiRoute {
  /** As registered, relative to the prefix: `servers/{id}/stop`. */
  template: string;
  /** Upper case, as registered (GET routes also serve HEAD). */
  methods: readonly string[];
}

export const API_ROUTES: readonly ApiRoute[] = [
  { template: 'servers', methods: ['GET', 'HEAD', 'POST'] },
  { template: 'servers/{id}', methods: ['GET', 'HEAD', 'DELETE'] },
  { template: 'servers/{id}/stop', methods: ['POST'] },
  { template: 'servers/{id}/activity', methods: ['POST'] },
  { template: 'options', methods: ['GET', 'HEAD'] },
  { template: 'usage', methods: ['GET', 'HEAD'] },
  { template: 'budgets', methods: ['GET', 'HEAD'] },
  { template: 'schedules', methods: ['GET', 'HEAD', 'POST'] },
  { template: 'schedules/{id}', methods: ['GET', 'HEAD', 'PUT', 'DELETE'] },
  { template: 'admin', methods: ['GET', 'HEAD'] },
  { template: 'admin/{file}', methods: ['GET', 'HEAD'] },
  { template: 'health', methods: ['GET', 'HEAD'] },
];

/** The methods the route at `pathname` serves (for Allow), or null when no route has this path. */
export function allowedMethods(pathname: string): readonly string[] | null {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.length === 0 || segments[0].toLowerCase() !== ROUTE_PREFIX) return null;
  const rest = segments.slice(1);
  const route = API_ROUTES.find((candidate) => matches(candidate.template, rest));
  return route ? route.methods : null;
}

/** Route templates match case-insensitively; `{name}` is any one segment. */
function matches(template: string, segments: string[]): boolean {
  const parts = template.split('/');
  return parts.length === segments.length && parts.every((part, i) => /^\{[^}]+\}$/.test(part) || part.toLowerCase() === segments[i].toLowerCase());
}
