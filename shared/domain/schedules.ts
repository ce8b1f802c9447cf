/**
 * Class schedules: a session of one project and size for a list of people (or an Entra group),
 * once (start and end) or recurring (a cron expression in a time zone, and a duration). Pure: when
 * the current or next session is, when its servers must be launched, and which session has ended.
 */
import { Cron } from 'croner';
import type { SizeLabel } from './server';

/** The longest session, in minutes: a class, not a server that never stops (MAX_RUNTIME_HOURS still applies). */
export const MAX_SESSION_MINUTES = 24 * 60;
/** The most people one schedule lists (a group's members are not bounded by it). */
export const MAX_SCHEDULED_PEOPLE = 500;

/** One person of a schedule, as the hub knows them: the hub's user name and the Entra ids. */
export interface ScheduledPerson {
  user: string;
  userObjectId: string | null;
  tenantId: string | null;
}

export type ScheduleTiming =
  | { start: string; end: string }
  | { cron: string; durationMinutes: number; timeZone: string };

/** Who: the people listed, or an Entra group's members resolved when a session is prepared. */
export type ScheduleAudience = { users: ScheduledPerson[] } | { groupObjectId: string };

export type ScheduleDefinition = { project: string; size: SizeLabel } & ScheduleAudience & ScheduleTiming;

/** What the sweep has done, so each session is launched once and ended once. */
export interface ScheduleProgress {
  /** Start (ISO) of the last session whose servers were launched, null before any. */
  preparedFor: string | null;
  /** End (ISO) of that session, as it was when launched: when its servers are stopped. */
  preparedUntil: string | null;
  /** The server ids launched for that session: the ones its end stops. */
  launched: string[];
  /** Start (ISO) of the last session that was ended, null before any. */
  endedFor: string | null;
  /** The people of the last launched session whose spawn was refused, and why (e.g. quota, budget). */
  failures: { user: string; code: string; message: string }[];
}

export type Schedule = ScheduleDefinition &
  ScheduleProgress & {
    id: string;
    createdAt: string;
    updatedAt: string;
  };

export interface Session {
  start: Date;
  end: Date;
}

export function isRecurring(timing: ScheduleTiming): timing is { cron: string; durationMinutes: number; timeZone: string } {
  return 'cron' in timing;
}

/** The session under way at `now`, or else the next one; null when none is left. */
export function currentOrNextSession(schedule: ScheduleTiming, now: Date): Session | null {
  if (!isRecurring(schedule)) {
    const session = { start: new Date(schedule.start), end: new Date(schedule.end) };
    return session.end > now ? session : null;
  }
  const durationMs = schedule.durationMinutes * 60_000;
  // The first start after (now - duration) is the one whose end is after now.
  const start = cronOf(schedule).nextRun(new Date(now.getTime() - durationMs));
  return start ? { start, end: new Date(start.getTime() + durationMs) } : null;
}

/**
 * Whether the sweep at `now` must launch the session: within the lead time (the expected launch,
 * plus the pacing of the session's writes, plus one sweep interval, since the next sweep may come
 * too late) before its start, and not after its end.
 */
export function isLaunchDue(session: Session, now: Date, leadSeconds: number): boolean {
  return now.getTime() >= session.start.getTime() - leadSeconds * 1000 && now < session.end;
}

/**
 * Seconds before a session's start its servers are launched: the expected create (the slowest
 * launch), the seconds the write pacer spreads `writes` creates over beyond its burst, and one sweep
 * interval.
 */
export function leadSeconds(expectedCreateSeconds: number, writes: number, pacing: { burst: number; perSecond: number }, sweepIntervalSeconds: number): number {
  const paced = Math.max(0, writes - pacing.burst) / pacing.perSecond;
  return Math.ceil(expectedCreateSeconds + paced + sweepIntervalSeconds);
}

/** Seconds between two runs of a six-field NCRONTAB (or five-field cron) expression, measured at `now`. */
export function sweepIntervalSeconds(expression: string, now: Date): number {
  const [first, second] = new Cron(expression, { paused: true }).nextRuns(2, now);
  return first && second ? (second.getTime() - first.getTime()) / 1000 : 60;
}

/** A validation problem of a recurring timing, or null: the expression, the zone, and sessions that do not overlap. */
export function recurringProblem(timing: { cron: string; durationMinutes: number; timeZone: string }, now: Date): { field: string; message: string } | null {
  if (!isTimeZone(timing.timeZone)) return { field: 'timeZone', message: `'${timing.timeZone}' is not an IANA time zone (e.g. Europe/Paris)` };
  let cron: Cron;
  try {
    cron = cronOf(timing);
  } catch (error) {
    return { field: 'cron', message: `not a cron expression: ${error instanceof Error ? error.message : String(error)}` };
  }
  const runs = cron.nextRuns(12, now);
  if (runs.length === 0) return { field: 'cron', message: 'the expression never runs again' };
  for (let i = 1; i < runs.length; i++) {
    if (runs[i].getTime() - runs[i - 1].getTime() < timing.durationMinutes * 60_000) {
      return { field: 'durationMinutes', message: 'sessions would overlap: the duration is longer than the time between two starts' };
    }
  }
  return null;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function cronOf(timing: { cron: string; timeZone: string }): Cron {
  return new Cron(timing.cron, { timezone: timing.timeZone, paused: true });
}

/** The outcome a mutation asks for: the new schedule, or null to leave the stored one untouched. */
export type ScheduleMutation = (current: Schedule) => Schedule | null;

/** Where schedules are kept (Table Storage, its own table); every update is conditional on the ETag. */
export interface ScheduleStore {
  create(schedule: Schedule): Promise<void>;
  get(id: string): Promise<Schedule | null>;
  list(): Promise<Schedule[]>;
  /** Read-modify-write with the ETag, retried on a concurrent change; null when the id is unknown. */
  update(id: string, mutate: ScheduleMutation): Promise<Schedule | null>;
  /** false when there was no such schedule. */
  delete(id: string): Promise<boolean>;
}
