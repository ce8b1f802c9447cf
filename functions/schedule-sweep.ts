import { app, type TimerHandler } from '@azure/functions';
import * as df from 'durable-functions';
import type { AppRoot } from '../shared/app-services';
import { productionRoot } from '../shared/composition-root';
import { appLog } from '../shared/logging/log-events';
import { sweepSchedules } from '../shared/use-cases/class-schedules';

export const scheduleSweep = (root: AppRoot): TimerHandler => async (_timer, context) => {
  const { deps, control } = await root();
  const report = await sweepSchedules(deps, control(context));
  const log = appLog(context);
  for (const failure of report.failedSchedules) log.warn('schedule-sweep.schedule-failed', failure);
  if (report.launched.length > 0 || report.ended.length > 0) log.info('schedule-sweep.done', report);
};

/** Schedule from the SCHEDULE_SWEEP_SCHEDULE setting (the host resolves %NAME% from app settings). */
app.timer('scheduleSweep', {
  schedule: '%SCHEDULE_SWEEP_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: scheduleSweep(productionRoot),
});
