import { app } from '@azure/functions';
import { httpHandler, json } from '../shared/http/http-handler';
import { readBody, readParams } from '../shared/http/read-request';
import { ScheduleBodySchema, SchedulePathSchema } from '../shared/http/schedule-schemas';
import { createSchedule, deleteSchedule, getSchedule, replaceSchedule, scheduleView } from '../shared/use-cases/class-schedules';

/** Class schedules (Admin): a session's servers are ready at its start and stopped at its end. */
export const createScheduleHandler = httpHandler('admin', async ({ request, deps, context }) => {
  const definition = await readBody(request, ScheduleBodySchema);
  const schedule = await createSchedule(deps, definition);
  context.info('schedule.created', { scheduleId: schedule.id, project: schedule.project });
  return json(201, scheduleView(schedule, deps.clock.now()), { location: `/api/schedules/${schedule.id}` });
});

export const listSchedulesHandler = httpHandler('admin', async ({ deps }) => {
  const now = deps.clock.now();
  const schedules = await deps.schedules.list();
  schedules.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return json(200, { schedules: schedules.map((schedule) => scheduleView(schedule, now)) });
});

export const getScheduleHandler = httpHandler('admin', async ({ request, deps }) => {
  const { id } = readParams(request, SchedulePathSchema);
  return json(200, scheduleView(await getSchedule(deps, id), deps.clock.now()));
});

export const replaceScheduleHandler = httpHandler('admin', async ({ request, deps, context }) => {
  const { id } = readParams(request, SchedulePathSchema);
  const definition = await readBody(request, ScheduleBodySchema);
  const schedule = await replaceSchedule(deps, id, definition);
  context.info('schedule.replaced', { scheduleId: id });
  return json(200, scheduleView(schedule, deps.clock.now()));
});

export const deleteScheduleHandler = httpHandler('admin', async ({ request, deps, context }) => {
  const { id } = readParams(request, SchedulePathSchema);
  await deleteSchedule(deps, id);
  context.info('schedule.deleted', { scheduleId: id });
  return { status: 204 };
});

app.http('listSchedules', { route: 'schedules', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: listSchedulesHandler });
app.http('createSchedule', { route: 'schedules', methods: ['POST'], authLevel: 'anonymous', handler: createScheduleHandler });
app.http('getSchedule', { route: 'schedules/{id}', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: getScheduleHandler });
app.http('replaceSchedule', { route: 'schedules/{id}', methods: ['PUT'], authLevel: 'anonymous', handler: replaceScheduleHandler });
app.http('deleteSchedule', { route: 'schedules/{id}', methods: ['DELETE'], authLevel: 'anonymous', handler: deleteScheduleHandler });
