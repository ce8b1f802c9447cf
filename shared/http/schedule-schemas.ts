/**
 * The class-schedule body (POST and PUT /api/schedules): strict, unknown fields rejected. Exactly
 * one audience (`users` or `groupObjectId`) and exactly one timing (`start` and `end`, or `cron`,
 * `durationMinutes` and `timeZone`); what depends on the clock (an end already past, sessions that
 * would overlap) is checked by the use case.
 */
import { z } from 'zod';
import { SIZE_LABELS } from '../domain/server';
import { MAX_SCHEDULED_PEOPLE, MAX_SESSION_MINUTES, type ScheduleDefinition } from '../domain/schedules';
import { ProjectNameSchema, UserNameSchema } from './request-schemas';


const Guid = z.guid();
const Instant = z.iso.datetime({ offset: true });

const PersonSchema = z.strictObject({
  user: UserNameSchema,
  userObjectId: Guid.optional(),
  tenantId: Guid.optional(),
});

export const ScheduleBodySchema = z
  .strictObject({
    project: ProjectNameSchema,
    size: z.enum(SIZE_LABELS),
    users: z.array(PersonSchema).min(1).max(MAX_SCHEDULED_PEOPLE).optional(),
    groupObjectId: Guid.optional(),
    start: Instant.optional(),
    end: Instant.optional(),
    cron: z.string().min(1).max(120).optional(),
    durationMinutes: z.number().int().min(1).max(MAX_SESSION_MINUTES).optional(),
    timeZone: z.string().min(1).max(64).optional(),
  })
  .superRefine((body, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((body.users === undefined) === (body.groupObjectId === undefined)) problem('users', 'give either users or groupObjectId');
    if (body.users) {
      const names = body.users.map((person) => person.user);
      if (new Set(names).size !== names.length) problem('users', 'a user is listed twice');
    }
    const once = body.start !== undefined || body.end !== undefined;
    const recurring = body.cron !== undefined || body.durationMinutes !== undefined || body.timeZone !== undefined;
    if (once === recurring) {
      problem('start', 'give either start and end, or cron, durationMinutes and timeZone');
      return;
    }
    if (once) {
      if (body.start === undefined || body.end === undefined) problem(body.start === undefined ? 'start' : 'end', 'start and end are both required');
      else if (Date.parse(body.end) <= Date.parse(body.start)) problem('end', 'must be after start');
      else if (Date.parse(body.end) - Date.parse(body.start) > MAX_SESSION_MINUTES * 60_000) problem('end', `a session lasts at most ${MAX_SESSION_MINUTES} minutes`);
    } else {
      for (const field of ['cron', 'durationMinutes', 'timeZone'] as const) if (body[field] === undefined) problem(field, 'required for a recurring schedule');
    }
  })
  .transform((body): ScheduleDefinition => {
    const audience = body.users
      ? { users: body.users.map((person) => ({ user: person.user, userObjectId: person.userObjectId?.toLowerCase() ?? null, tenantId: person.tenantId?.toLowerCase() ?? null })) }
      : { groupObjectId: (body.groupObjectId ?? '').toLowerCase() };
    const timing = body.cron !== undefined
      ? { cron: body.cron, durationMinutes: body.durationMinutes ?? 0, timeZone: body.timeZone ?? '' }
      : { start: new Date(body.start ?? '').toISOString(), end: new Date(body.end ?? '').toISOString() };
    return { project: body.project, size: body.size, ...audience, ...timing };
  });

export const SchedulePathSchema = z.strictObject({ id: z.string().regex(/^sch-[0-9a-f]{20}$/, 'must be a schedule id such as sch-0123456789abcdef0123') });
