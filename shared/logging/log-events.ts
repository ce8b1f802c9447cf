/**
 * Every event the app logs, by its stable name, with the fields it carries — the one catalogue, as
 * durabletask-js keeps its `logs.ts`. Alerts and queries follow these names, so a name is added here
 * or not at all: the `AppLog` below accepts only a catalogued name with that event's fields, which
 * makes a stray literal a compile error rather than an event nobody's alert sees.
 */
import type { ServerState, StopReason } from '../domain/server';
import type { ProvisioningStep } from '../use-cases/advance-provisioning';
import type { WindDownOutcome } from '../use-cases/advance-wind-down';
import type { ScheduleSweepReport } from '../use-cases/class-schedules';
import type { SweepReport } from '../use-cases/idle-sweep';

export interface AppLogEvents {
  // Start-up
  /** A size's idle time is below Azure's floor; instances get the floor instead. */
  'settings.idle-below-floor': { detail: string };
  /** The settings did not validate; every function answers with this until it is fixed. */
  'settings.invalid': { detail: string };

  // HTTP edge
  /** A request refused or failed: the caller's fault (debug) or ours/Azure's (warn, with a reference). */
  'request.failed': { code: string; status: number; detail: string; invocationId?: string; reference?: string };
  /** A request failed with an error that is not an AppError (a bug). */
  'request.crashed': { invocationId: string; reference: string; detail: string; error: unknown };
  'server.spawn': { serverId: string; user: string; project: string; state: ServerState };
  'server.stop': { serverId: string; reason: StopReason; state: ServerState };
  'server.delete': { serverId: string; state: ServerState };

  // Durable runs
  'server.provision.step': { serverId: string } & ProvisioningStep;
  'server.provision.gave-up': { serverId: string; code: string; message: string };
  'server.stop.step': { serverId: string; outcome: WindDownOutcome };
  'server.delete.step': { serverId: string; outcome: WindDownOutcome };
  'server.wind-down.gave-up': { serverId: string; code: string; message: string };
  'workspace.watch.look': { project: string; inFlight: number; woken: number; listPages: number | null; nextLookSeconds: number | null };

  // The sweep: each failing project is its own event, so an alert can follow one project.
  'idle-sweep.project-failed': SweepReport['failedProjects'][number];
  'idle-sweep.instance-failed': SweepReport['failedInstances'][number];
  'idle-sweep.done': SweepReport;

  // Class schedules: each failing schedule is its own event.
  'schedule.created': { scheduleId: string; project: string };
  'schedule.replaced': { scheduleId: string };
  'schedule.deleted': { scheduleId: string };
  'schedule-sweep.schedule-failed': ScheduleSweepReport['failedSchedules'][number];
  'schedule-sweep.done': ScheduleSweepReport;

  // Side records whose failure never fails the operation (the sweep repairs them)
  'launch-timing.record-failed': { serverId: string; message: string };
  'usage.record-failed': { serverId: string; state: ServerState; message: string };
  'prices.lookup-failed': { region: string; vmSize: string; message: string };

  // Table Storage repository
  'server-entity-unreadable': { serverId: string; problems: readonly string[] };
  'active-index-row-dropped': { serverId: string; state: ServerState | null };
  'active-index-release-failed': { serverId: string; error: unknown };
}

export type AppLogEvent = keyof AppLogEvents;
export type AppLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The app's logger: only catalogued events, each with its own fields. */
export type AppLog = {
  [Level in AppLogLevel]: <E extends AppLogEvent>(event: E, fields: AppLogEvents[E]) => void;
};

/** Where events are written: an invocation's context (`context.warn(...)`) or the console outside one. */
export interface LogSink {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * The app's logger over a sink. An invocation's context receives the fields as an object (the
 * worker serialises it); the console gets them as one JSON text so a line stays one line.
 */
export function appLog(sink: LogSink, format: 'object' | 'json' = 'object'): AppLog {
  const write = (level: AppLogLevel) => (event: AppLogEvent, fields: object) => {
    sink[level](event, format === 'json' ? JSON.stringify(fields) : fields);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Events outside an invocation (start-up, adapters' side records) go to the process console. */
export const consoleLog: AppLog = appLog(console, 'json');

/** A logger that writes nothing (the default of adapters a test builds without a log). */
export const silentLog: AppLog = appLog({ debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined });
