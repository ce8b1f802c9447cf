/**
 * The HTTP functions of the app as one ordered route table. Matching walks the routes in ASP.NET
 * precedence order and takes the first whose path and method both match, so a catch-all function
 * only sees what nothing more specific serves.
 */
import type { RegisteredFunction } from '../core/function-registry';
import { compareRouteTemplates, matchRouteTemplate, parseRouteTemplate, type RouteTemplate } from './route-template';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface HttpRoute {
  fn: RegisteredFunction;
  template: RouteTemplate;
  /** Upper-case methods; undefined means every method. */
  methods: ReadonlySet<string> | undefined;
  authLevel: AuthLevel;
}

export interface RouteMatch {
  route: HttpRoute;
  params: Record<string, string>;
}

export class RouteTable {
  readonly routes: readonly HttpRoute[];

  constructor(functions: RegisteredFunction[]) {
    this.routes = functions.map(toHttpRoute).sort((a, b) => compareRouteTemplates(a.template, b.template));
  }

  /** `path` is relative to the route prefix, without query string. */
  match(method: string, path: string): RouteMatch | undefined {
    const upper = method.toUpperCase();
    for (const route of this.routes) {
      if (route.methods && !route.methods.has(upper)) continue;
      const params = matchRouteTemplate(route.template, path);
      if (params) return { route, params };
    }
    return undefined;
  }
}

function toHttpRoute(fn: RegisteredFunction): HttpRoute {
  const trigger = fn.trigger;
  const route = typeof trigger.route === 'string' && trigger.route !== '' ? trigger.route : fn.name;
  const methods = Array.isArray(trigger.methods) && trigger.methods.length > 0
    ? new Set(trigger.methods.map((method) => String(method).toUpperCase()))
    : undefined;
  return { fn, template: parseRouteTemplate(route), methods, authLevel: toAuthLevel(trigger.authLevel) };
}

function toAuthLevel(value: unknown): AuthLevel {
  const level = typeof value === 'string' ? value.toLowerCase() : 'function';
  // Azure's default for an HTTP trigger without authLevel is "function"; @azure/functions sets anonymous.
  return level === 'anonymous' || level === 'admin' ? level : 'function';
}
