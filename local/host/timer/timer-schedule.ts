/**
 * Timer trigger schedules as Azure reads them: a six-field NCRONTAB expression
 * ("{second} {minute} {hour} {day} {month} {day-of-week}", UTC) or a TimeSpan ("hh:mm:ss",
 * "d.hh:mm:ss") for a fixed interval, after resolving `%SETTING%` references from app settings.
 */
import { Cron } from 'croner';
import { resolveSettingReferences, type AppSettings } from '../app-settings';

export interface TimerSchedule {
  /** The expression after %SETTING% resolution. */
  expression: string;
  /** First occurrence strictly after `after`. */
  next(after: Date): Date;
}

export class TimerScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimerScheduleError';
  }
}

export function parseTimerSchedule(schedule: string, settings: AppSettings): TimerSchedule {
  let expression: string;
  try {
    expression = resolveSettingReferences(schedule, settings).trim();
  } catch (error) {
    throw new TimerScheduleError(`Timer schedule "${schedule}": ${error instanceof Error ? error.message : String(error)}`);
  }
  const interval = parseTimeSpan(expression);
  if (interval !== undefined) {
    if (interval <= 0) throw new TimerScheduleError(`Timer schedule "${expression}": the interval must be positive`);
    return { expression, next: (after) => new Date(after.getTime() + interval) };
  }
  const fields = expression.split(/\s+/);
  const source = expression === schedule ? '' : ` (from '${schedule}')`;
  if (fields.length !== 6) {
    throw new TimerScheduleError(
      `The schedule expression '${expression}'${source} was not recognized as a valid cron expression or timespan string ` +
        `(NCRONTAB needs six fields: second minute hour day month day-of-week)`,
    );
  }
  let cron: Cron;
  try {
    // Day of month and day of week restricted together match either (OR), as cron has always read them.
    cron = new Cron(expression, { timezone: 'UTC', mode: '6-part', domAndDow: false });
  } catch (error) {
    throw new TimerScheduleError(`Timer schedule "${expression}": ${error instanceof Error ? error.message : String(error)}`);
  }
  if (cron.nextRun(new Date()) === null) throw new TimerScheduleError(`Timer schedule "${expression}" never occurs`);
  return {
    expression,
    next: (after) => {
      const due = cron.nextRun(after);
      if (!due) throw new TimerScheduleError(`Timer schedule "${expression}" has no occurrence after ${after.toISOString()}`);
      return due;
    },
  };
}

/** "00:05:00" → 300000 ms; "1.00:00:00" → one day; undefined when not a TimeSpan. */
export function parseTimeSpan(text: string): number | undefined {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(text);
  if (!match) return undefined;
  const [, days, hours, minutes, seconds, fraction] = match;
  return (
    ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1000)
  );
}
