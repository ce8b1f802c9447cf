/**
 * The log event catalogues: the app's (`shared/logging/log-events.ts`) and the local runtime's
 * (`local/log-events.ts`). The loggers accept only catalogued names with their fields — checked by
 * the compiler (`npm run test:ts` type-checks this file first, so the `@ts-expect-error` lines fail
 * the run if a stray name or a wrong field ever compiles). The scan below keeps every app log on
 * that typed path: no direct `context.warn(...)` or `console.*` in the app's code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { appLog, consoleLog, type LogSink } from '../../shared/logging/log-events';
import { createLogger } from '../../local/host/logger';
import { LOCAL_LOG_EVENTS } from '../../local/log-events';

function recordingSink(): LogSink & { lines: { level: string; args: unknown[] }[] } {
  const lines: { level: string; args: unknown[] }[] = [];
  const at = (level: string) => (...args: unknown[]) => void lines.push({ level, args });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('the app log catalogue', () => {
  it('writes a catalogued event at its level with its fields', () => {
    const sink = recordingSink();
    const log = appLog(sink);
    log.warn('idle-sweep.project-failed', { project: 'p1', code: 'azure-error', message: 'busy' });
    log.info('server.delete', { serverId: 'ci-0', state: 'Deleting' });
    expect(sink.lines).toEqual([
      { level: 'warn', args: ['idle-sweep.project-failed', { project: 'p1', code: 'azure-error', message: 'busy' }] },
      { level: 'info', args: ['server.delete', { serverId: 'ci-0', state: 'Deleting' }] },
    ]);
  });

  it('writes one JSON text of the fields to a console, so a line stays one line', () => {
    const sink = recordingSink();
    appLog(sink, 'json').warn('usage.record-failed', { serverId: 'ci-0', state: 'Running', message: 'a\nb' });
    expect(sink.lines).toEqual([{ level: 'warn', args: ['usage.record-failed', '{"serverId":"ci-0","state":"Running","message":"a\\nb"}'] }]);
  });

  it('refuses at compile time a name not in the catalogue, or fields of another event', () => {
    const log = appLog(recordingSink());
    // @ts-expect-error not a catalogued event
    log.warn('idle-sweep.projekt-failed', { project: 'p1', code: 'x', message: 'y' });
    // @ts-expect-error server.delete carries serverId and state, not project
    log.info('server.delete', { project: 'p1' });
    expect(typeof consoleLog.warn).toBe('function');
  });

  it('is the only way the app logs: no direct context or console logging in functions/ and shared/', () => {
    const root = join(__dirname, '..', '..');
    const offenders: string[] = [];
    for (const dir of ['functions', 'shared']) {
      for (const file of sourceFiles(join(root, dir))) {
        const path = relative(root, file);
        if (path === join('shared', 'logging', 'log-events.ts')) continue;
        readFileSync(file, 'utf8').split('\n').forEach((line, index) => {
          if (/\bcontext\.(log|trace|debug|info|warn|error)\(|\bconsole\.(log|debug|info|warn|error)\b/.test(line)) offenders.push(`${path}:${index + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('the local runtime log catalogue', () => {
  it('writes a catalogued event with its name in the line', () => {
    const lines: string[] = [];
    createLogger({ write: (line) => lines.push(line) }).warn('durable.lease-lost', 'Lost a lease', { instanceId: 'i1' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN +\[durable\.lease-lost\] Lost a lease {2}\(instanceId=i1\)$/);
    expect(Object.keys(LOCAL_LOG_EVENTS)).toContain('durable.lease-lost');
  });

  it('refuses at compile time a name not in the catalogue', () => {
    const logger = createLogger({ write: () => undefined });
    // @ts-expect-error not a catalogued event
    logger.info('host.strated', 'Host started');
    expect(Object.keys(LOCAL_LOG_EVENTS).every((name) => /^[a-z]+\.[a-z.-]+$/.test(name))).toBe(true);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}
