/**
 * Class schedules: kept (create, read, replace, delete) and carried out by the schedule sweep.
 * Before a session starts, its people's servers are spawned (the ordinary spawn, so quotas, budget,
 * project access and the write pacer all apply) early enough to be Running at the start. At its end
 * the running ones are left to Azure ML's idle shutdown, shortened to SCHEDULE_IN_USE_MINUTES: it
 * sees the work on the instance (the control plane cannot), stops at once one no one used, and lets
 * a person finish; such a stop is recorded `stopReason: schedule`. Ones still launching are stopped.
 */
import { randomBytes } from 'node:crypto';
import { AppError, isAppError } from '../domain/errors';
import { idleTimeBeforeShutdown, sessionEndIdleTime } from '../domain/idle-shutdown';
import { isProvisioning } from '../domain/lifecycle';
import type { OrchestrationControl } from '../domain/ports';
import {
  currentOrNextSession,
  isLaunchDue,
  isRecurring,
  leadSeconds,
  MAX_SCHEDULED_PEOPLE,
  recurringProblem,
  sweepIntervalSeconds,
  type Schedule,
  type ScheduledPerson,
  type ScheduleDefinition,
  type Session,
} from '../domain/schedules';
import type { Server } from '../domain/server';
import { RECENT_LAUNCHES } from '../domain/wait-timing';
import { nowIso, type WithSettings } from './dependencies';
import { spawnServer, type SpawnDeps } from './spawn-server';
import { stopServer, type StopDeps } from './stop-server';

/** What the schedules read: their ports, these settings, and what spawning and stopping need. */
export type ScheduleDeps = WithSettings<'schedules' | 'armWrites' | 'hubId' | 'launchDefaults' | 'idleStopMinutes' | 'idleShutdownFloorMinutes'> &
  SpawnDeps & StopDeps;

/** Spawns of one session sent at once: a class of 200 is 20 rounds, each paced by the write pacer. */
const SPAWN_CONCURRENCY = 10;

/** The schedule as the API serves it: the definition, its next session and what its last one did. */
export function scheduleView(schedule: Schedule, now: Date) {
  const { preparedFor, preparedUntil, launched, endedFor, failures, ...definition } = schedule;
  const next = currentOrNextSession(schedule, now);
  return {
    ...definition,
    nextSession: next && { start: next.start.toISOString(), end: next.end.toISOString() },
    lastSession: preparedFor === null ? null : { start: preparedFor, launched: launched.length, ended: endedFor === preparedFor, failures },
  };
}

export async function createSchedule(deps: ScheduleDeps, definition: ScheduleDefinition): Promise<Schedule> {
  await checkDefinition(deps, definition);
  const at = nowIso(deps);
  const schedule: Schedule = {
    id: `sch-${randomBytes(10).toString('hex')}`,
    ...definition,
    preparedFor: null,
    preparedUntil: null,
    launched: [],
    endedFor: null,
    failures: [],
    createdAt: at,
    updatedAt: at,
  };
  await deps.schedules.create(schedule);
  return schedule;
}

export async function getSchedule(deps: ScheduleDeps, id: string): Promise<Schedule> {
  const schedule = await deps.schedules.get(id);
  if (!schedule) throw new AppError('schedule-not-found', `There is no schedule ${id}.`);
  return schedule;
}

/** A new definition; what the sweep did is kept, so a session already launched is still ended. */
export async function replaceSchedule(deps: ScheduleDeps, id: string, definition: ScheduleDefinition): Promise<Schedule> {
  await checkDefinition(deps, definition);
  const replaced = await deps.schedules.update(id, (current) => ({
    id: current.id,
    ...definition,
    preparedFor: current.preparedFor,
    preparedUntil: current.preparedUntil,
    launched: current.launched,
    endedFor: current.endedFor,
    failures: current.failures,
    createdAt: current.createdAt,
    updatedAt: nowIso(deps),
  }));
  if (!replaced) throw new AppError('schedule-not-found', `There is no schedule ${id}.`);
  return replaced;
}

/** Deleting a schedule leaves its servers as they are. */
export async function deleteSchedule(deps: ScheduleDeps, id: string): Promise<void> {
  if (!(await deps.schedules.delete(id))) throw new AppError('schedule-not-found', `There is no schedule ${id}.`);
}

/** What the schema cannot know: the clock, and the project and size as the catalog offers them. */
async function checkDefinition(deps: ScheduleDeps, definition: ScheduleDefinition): Promise<void> {
  const now = deps.clock.now();
  const invalid = (field: string, message: string) =>
    new AppError('invalid-request', `The schedule is not valid: ${field}: ${message}.`, { errors: [{ field, message }] });
  if (isRecurring(definition)) {
    const problem = recurringProblem(definition, now);
    if (problem) throw invalid(problem.field, problem.message);
  } else if (Date.parse(definition.end) <= now.getTime()) {
    throw invalid('end', 'the session has already ended');
  }
  const lookup = await deps.catalog.findProject(definition.project, 'anyone');
  if (lookup.kind !== 'offered') throw new AppError('project-not-found', `There is no project named '${definition.project}'.`);
  if (!(await deps.catalog.sizeIn(definition.size, lookup.project.location))) {
    throw new AppError('size-unavailable', `No VM size for '${definition.size}' is offered in region ${lookup.project.location}.`);
  }
}

export interface ScheduleSweepReport {
  launched: { schedule: string; session: string; servers: number; failures: number }[];
  ended: { schedule: string; session: string; stopped: string[]; leftToIdleShutdown: string[]; keptForNextSession: boolean }[];
  failedSchedules: { schedule: string; message: string }[];
}

/** One pass of the schedule sweep over every schedule, each on its own (one failing never blocks the others). */
export async function sweepSchedules(deps: ScheduleDeps, control: OrchestrationControl): Promise<ScheduleSweepReport> {
  const report: ScheduleSweepReport = { launched: [], ended: [], failedSchedules: [] };
  for (const schedule of await deps.schedules.list()) {
    try {
      await endSession(deps, control, schedule, report);
      const current = (await deps.schedules.get(schedule.id)) ?? schedule;
      await launchSession(deps, control, current, report);
    } catch (error) {
      report.failedSchedules.push({ schedule: schedule.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}

async function launchSession(deps: ScheduleDeps, control: OrchestrationControl, schedule: Schedule, report: ScheduleSweepReport): Promise<void> {
  const now = deps.clock.now();
  const session = currentOrNextSession(schedule, now);
  if (!session || schedule.preparedFor === session.start.toISOString()) return;
  if (!isLaunchDue(session, now, await leadOf(deps, schedule, now))) return;

  const people = await peopleOf(deps, schedule);
  const launched: string[] = [];
  const failures: Schedule['failures'] = [];
  for (let i = 0; i < people.length; i += SPAWN_CONCURRENCY) {
    await Promise.all(
      people.slice(i, i + SPAWN_CONCURRENCY).map(async (person) => {
        try {
          const { server } = await spawnServer(deps, control, { ...person, project: schedule.project, size: schedule.size, serverName: '' });
          launched.push(server.id);
          if (server.state === 'Running' && server.sessionEndedAt !== null) await restoreIdleShutdown(deps, server);
        } catch (error) {
          if (!isAppError(error)) throw error;
          failures.push({ user: person.user, code: error.code, message: error.message });
        }
      }),
    );
  }
  await markPrepared(deps, schedule.id, session, launched, failures);
  report.launched.push({ schedule: schedule.id, session: session.start.toISOString(), servers: launched.length, failures: failures.length });
}

/** Seconds before a session's start its servers are launched (see `leadSeconds`). */
async function leadOf(deps: ScheduleDeps, schedule: Schedule, now: Date): Promise<number> {
  // A group's size is known only once it is resolved, at the launch: the largest list stands in.
  const writes = 'users' in schedule ? schedule.users.length : MAX_SCHEDULED_PEOPLE;
  const interval = sweepIntervalSeconds(deps.settings.schedules.sweepSchedule, now);
  return leadSeconds(await expectedCreateSeconds(deps, schedule), writes, deps.settings.armWrites, interval);
}

function markPrepared(deps: ScheduleDeps, id: string, session: Session, launched: string[], failures: Schedule['failures']) {
  return deps.schedules.update(id, (current) => ({
    ...current,
    preparedFor: session.start.toISOString(),
    preparedUntil: session.end.toISOString(),
    launched: [...launched].sort(),
    failures,
    updatedAt: nowIso(deps),
  }));
}

/**
 * Ends the session last launched, once, when its end has passed: running servers are left to the
 * idle shutdown (see the top), launching ones stopped. Its servers stay up when the schedule's next
 * session is due to launch already (back-to-back classes of the same people).
 */
async function endSession(deps: ScheduleDeps, control: OrchestrationControl, schedule: Schedule, report: ScheduleSweepReport): Promise<void> {
  const now = deps.clock.now();
  const { preparedFor, preparedUntil } = schedule;
  if (preparedFor === null || preparedUntil === null || schedule.endedFor === preparedFor || Date.parse(preparedUntil) > now.getTime()) return;
  const next = currentOrNextSession(schedule, now);
  const keptForNextSession = next !== null && next.start.toISOString() !== preparedFor && isLaunchDue(next, now, await leadOf(deps, schedule, now));
  const stopped: string[] = [];
  const leftToIdleShutdown: string[] = [];
  for (const id of keptForNextSession ? [] : schedule.launched) {
    const stored = await deps.servers.get(id);
    if (!stored) continue;
    const { server } = stored;
    if (server.state === 'Running' && (await leaveToIdleShutdown(deps, server))) {
      leftToIdleShutdown.push(id);
      continue;
    }
    if (server.state !== 'Running' && !isProvisioning(server.state)) continue;
    const result = await stopServer(deps, control, id, 'schedule');
    if (result.accepted) stopped.push(id);
  }
  await deps.schedules.update(schedule.id, (current) => ({ ...current, endedFor: preparedFor, updatedAt: nowIso(deps) }));
  report.ended.push({ schedule: schedule.id, session: preparedFor, stopped, leftToIdleShutdown, keptForNextSession });
}

/**
 * Records the session's end on the running server, then shortens its idle shutdown to the in-use
 * window (the sweep records the idle stop as the schedule's). The end is recorded first: an
 * instance idle for longer than the window stops as soon as Azure takes the change, and the sweep
 * that records that stop must find the end on the server. False when the server no longer runs or
 * Azure refused the change (the end is taken back): the caller stops it as any other.
 */
async function leaveToIdleShutdown(deps: ScheduleDeps, server: Server): Promise<boolean> {
  const { idleStopMinutes, idleShutdownFloorMinutes, schedules } = deps.settings;
  const at = nowIso(deps);
  const marked = await deps.servers.update(server.id, (current) => (current.state === 'Running' ? { ...current, sessionEndedAt: at } : null));
  if (marked?.server.sessionEndedAt !== at) return false;
  const idleTime = sessionEndIdleTime(idleStopMinutes[server.size], schedules.inUseMinutes, idleShutdownFloorMinutes);
  try {
    if (idleTime !== null) await deps.aml.updateIdleShutdown({ project: server.project, name: server.id }, idleTime);
  } catch (error) {
    if (!isAppError(error)) throw error;
    await forgetSessionEnd(deps, server.id);
    return false;
  }
  return true;
}

/** A server still running since a session's end, launched for a new session: its size's idle shutdown again. */
async function restoreIdleShutdown(deps: ScheduleDeps, server: Server): Promise<void> {
  const { idleStopMinutes, idleShutdownFloorMinutes } = deps.settings;
  await deps.aml.updateIdleShutdown({ project: server.project, name: server.id }, idleTimeBeforeShutdown(idleStopMinutes[server.size], idleShutdownFloorMinutes));
  await forgetSessionEnd(deps, server.id);
}

function forgetSessionEnd(deps: ScheduleDeps, id: string) {
  return deps.servers.update(id, (current) => (current.sessionEndedAt === null ? null : { ...current, sessionEndedAt: null }));
}

/**
 * The people of a group are the hub's people (those it has spawned for: their user names and ids
 * are known) whose role assignments on the project include the group's: ARM's `assignedTo()` on a
 * person lists the assignments of the groups they belong to, the same data PROJECT_ACCESS rbac reads.
 */
async function peopleOf(deps: ScheduleDeps, schedule: Schedule): Promise<ScheduledPerson[]> {
  if ('users' in schedule) return schedule.users;
  const known = new Map<string, ScheduledPerson>();
  let continuationToken: string | undefined;
  do {
    const page = await deps.servers.list({ limit: 1000, continuationToken });
    for (const server of page.servers) {
      if (server.userObjectId === null || server.hubId !== deps.settings.hubId || known.has(server.user)) continue;
      known.set(server.user, { user: server.user, userObjectId: server.userObjectId, tenantId: server.tenantId });
    }
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken);
  const group = schedule.groupObjectId.toLowerCase();
  const members: ScheduledPerson[] = [];
  for (const person of known.values()) {
    const assignments = await deps.aml.roleAssignmentsFor(schedule.project, person.userObjectId ?? '');
    if (assignments.some((assignment) => assignment.principalId.toLowerCase() === group)) members.push(person);
  }
  return members;
}

/** The slowest recent create of the project's region and size (or the configured default): a class should not wait. */
async function expectedCreateSeconds(deps: ScheduleDeps, schedule: Schedule): Promise<number> {
  const fallback = deps.settings.launchDefaults.createSeconds;
  try {
    const lookup = await deps.catalog.findProject(schedule.project, 'anyone');
    if (lookup.kind !== 'offered') return fallback;
    const size = await deps.catalog.sizeIn(schedule.size, lookup.project.location);
    if (!size) return fallback;
    const recent = await deps.durations.recent({ region: lookup.project.location, vmSize: size.vmSize, kind: 'create' }, RECENT_LAUNCHES);
    const usable = recent.filter((seconds) => Number.isFinite(seconds) && seconds > 0);
    return usable.length > 0 ? Math.max(...usable) : fallback;
  } catch {
    return fallback;
  }
}
