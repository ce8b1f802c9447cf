import { app } from '@azure/functions';
import { httpHandler, json } from '../shared/http/http-handler';
import { readBody, readParams } from '../shared/http/read-request';
import { ScheduleBodySchema, SchedulePathSchema } from '../shared/http/schedule-schemas';
import type { AppRoot } from '../shared/app-services';
import { productionRoot } from '../shared/composition-root';
import { appLog } from '../shared/logging/log-events';
import * as classSchedules from '../shared/use-cases/class-schedules';

/** Class schedules (Admin): a session's servers are ready at its start and stopped at its end. */
export const createSchedule = (root: AppRoot) => httpHandler(root, 'admin', async ({ request, deps, context }) => {
  const definition = await readBody(request, ScheduleBodySchema);
  const schedule = await classSchedules.createSchedule(deps, definition);
  appLog(context).info('schedule.created', { scheduleId: schedule.id, project: schedule.project });
  return json(201, classSchedules.scheduleView(schedule, deps.clock.now()), { location: `/api/schedules/${schedule.id}` });
});

export const listSchedules = (root: AppRoot) => httpHandler(root, 'admin', async ({ deps }) => {
  const now = deps.clock.now();
  const schedules = await deps.schedules.list();
  schedules.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return json(200, { schedules: schedules.map((schedule) => classSchedules.scheduleView(schedule, now)) });
});

export const getSchedule = (root: AppRoot) => httpHandler(root, 'admin', async ({ request, deps }) => {
  const { id } = readParams(request, SchedulePathSchema);
  return json(200, classSchedules.scheduleView(await classSchedules.getSchedule(deps, id), deps.clock.now()));
});

export const replaceSchedule = (root: AppRoot) => httpHandler(root, 'admin', async ({ request, deps, context }) => {
  const { id } = readParams(request, SchedulePathSchema);
  const definition = await readBody(request, ScheduleBodySchema);
  const schedule = await classSchedules.replaceSchedule(deps, id, definition);
  appLog(context).info('schedule.replaced', { scheduleId: id });
  return json(200, classSchedules.scheduleView(schedule, deps.clock.now()));
});

export const deleteSchedule = (root: AppRoot) => httpHandler(root, 'admin', async ({ request, deps, context }) => {
  const { id } = readParams(request, SchedulePathSchema);
  await classSchedules.deleteSchedule(deps, id);
  appLog(context).info('schedule.deleted', { scheduleId: id });
  return { status: 204 };
});

app.http('listSchedules', { route: 'schedules', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: listSchedules(productionRoot) });
app.http('createSchedule', { route: 'schedules', methods: ['POST'], authLevel: 'anonymous', handler: createSchedule(productionRoot) });
app.http('getSchedule', { route: 'schedules/{id}', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: getSchedule(productionRoot) });
app.http('replaceSchedule', { route: 'schedules/{id}', methods: ['PUT'], authLevel: 'anonymous', handler: replaceSchedule(productionRoot) });
app.http('deleteSchedule', { route: 'schedules/{id}', methods: ['DELETE'], authLevel: 'anonymous', handler: deleteSchedule(productionRoot) });
