/**
 * Azure ML's idle shutdown as the product sets it: every instance stops itself after
 * IDLE_STOP_MINUTES_<SIZE> without activity (idleTimeBeforeShutdown, an ISO 8601 duration).
 * Azure refuses less than 15 minutes; a shorter setting is raised to the floor (with a start-up
 * warning) rather than refused by Azure at every spawn.
 */
import type { SizeLabel } from './server';

/** Azure ML's smallest idleTimeBeforeShutdown. */
export const AZURE_IDLE_SHUTDOWN_FLOOR_MINUTES = 15;

/** Minutes as an ISO 8601 duration in whole seconds (at least one): 30 → PT30M, 0.5 → PT30S, 90.5 → PT90M30S. */
export function toIsoDuration(minutes: number): string {
  const totalSeconds = Math.max(1, Math.round(minutes * 60));
  const wholeMinutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `PT${wholeMinutes > 0 ? `${wholeMinutes}M` : ''}${seconds > 0 ? `${seconds}S` : ''}`;
}

/** Seconds in an ISO 8601 duration of days, hours, minutes and seconds (P1DT2H, PT90M, PT30S), or null. */
export function isoDurationSeconds(value: string): number | null {
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) return null;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}

/** The minutes an instance is given: the setting, or the floor when the setting is below it. */
export function effectiveIdleMinutes(settingMinutes: number, floorMinutes: number): number {
  return Math.max(settingMinutes, floorMinutes);
}

/** idleTimeBeforeShutdown for an instance of a size. */
export function idleTimeBeforeShutdown(settingMinutes: number, floorMinutes: number): string {
  return toIsoDuration(effectiveIdleMinutes(settingMinutes, floorMinutes));
}

/**
 * The idle time a running server is left with once its class session has ended: the in-use window
 * (raised to the floor), unless its size's own is as short already (null: nothing to change).
 */
export function sessionEndIdleTime(sizeMinutes: number, inUseMinutes: number, floorMinutes: number): string | null {
  const inUse = effectiveIdleMinutes(inUseMinutes, floorMinutes);
  return inUse < effectiveIdleMinutes(sizeMinutes, floorMinutes) ? toIsoDuration(inUse) : null;
}

/** Whether an instance's current idleTimeBeforeShutdown (null: none) already is the desired one. */
export function hasIdleTime(current: string | null, desired: string): boolean {
  if (current === null) return false;
  const seconds = isoDurationSeconds(current);
  return seconds !== null && seconds === isoDurationSeconds(desired);
}

/** One line per size whose setting is below the floor, saying what is used instead. */
export function idleFloorWarnings(idleStopMinutes: Record<SizeLabel, number>, floorMinutes: number): string[] {
  return Object.entries(idleStopMinutes)
    .filter(([, minutes]) => minutes < floorMinutes)
    .map(([size, minutes]) =>
      `IDLE_STOP_MINUTES_${size.toUpperCase()} is ${minutes} minutes, below Azure ML's idle shutdown floor of ` +
      `${floorMinutes} minutes (IDLE_SHUTDOWN_FLOOR_MINUTES); ${size} instances stop after ${floorMinutes} minutes without activity.`);
}

/** "30 minutes", "30 seconds", "1 minute 30 seconds": how long an idle time reads to a person. */
export function describeIdleTime(isoDuration: string): string {
  const seconds = isoDurationSeconds(isoDuration);
  if (seconds === null) return isoDuration;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  const parts = [
    minutes > 0 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : '',
    rest > 0 || minutes === 0 ? `${rest} second${rest === 1 ? '' : 's'}` : '',
  ];
  return parts.filter((part) => part !== '').join(' ');
}
