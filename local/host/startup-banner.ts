/** The start-up summary, in the spirit of Core Tools: every function with how it is triggered. */
import type { RegisteredFunction } from './core/function-registry';
import type { RouteTable } from './http/route-table';

export function startupBanner(options: {
  baseUrl: string;
  routePrefix: string;
  functions: RegisteredFunction[];
  routes: RouteTable;
  timers: ReadonlyArray<{ name: string; expression: string }>;
  timerErrors: ReadonlyArray<{ name: string; message: string }>;
  functionKey: string;
  taskHub: string | undefined;
}): string {
  const lines = ['', 'Functions:', ''];
  const prefix = options.routePrefix ? `/${options.routePrefix}` : '';
  for (const route of options.routes.routes) {
    const methods = route.methods ? [...route.methods].join(',') : 'ALL';
    const auth = route.authLevel === 'anonymous' ? '' : `  (${route.authLevel} key)`;
    lines.push(`        ${route.fn.name}: [${methods}] ${options.baseUrl}${prefix}/${route.template.template.replace(/^\/+/, '')}${auth}`);
  }
  for (const timer of options.timers) lines.push(`        ${timer.name}: timerTrigger (${timer.expression})`);
  for (const failed of options.timerErrors) lines.push(`        ${failed.name}: timerTrigger  (in error, will not run: ${failed.message})`);
  for (const fn of options.functions) {
    if (fn.kind === 'http' || fn.kind === 'timer') continue;
    lines.push(`        ${fn.name}: ${fn.trigger.type}${fn.kind === 'unsupported' ? '  (not supported locally: will not run)' : ''}`);
  }
  lines.push('');
  lines.push(`Function key: ${options.functionKey}  (x-functions-key header or ?code=)`);
  if (options.taskHub) lines.push(`Durable task hub: ${options.taskHub}  (management API: ${options.baseUrl}/runtime/webhooks/durabletask/instances)`);
  lines.push('');
  return lines.join('\n');
}
