import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { dependencies, orchestrationControl } from '../shared/composition-root';
import { sweepSchedules } from '../shared/use-cases/class-schedules';

/** Schedule from the SCHEDULE_SWEEP_SCHEDULE setting (the host resolves %NAME% from app settings). */
app.timer('scheduleSweep', {
  schedule: '%SCHEDULE_SWEEP_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: async (_timer, context) => {
    const deps = await dependencies();
    const report = await sweepSchedules(deps, orchestrationControl(context, deps));
    for (const failure of report.failedSchedules) context.warn('schedule-sweep.schedule-failed', failure);
    if (report.launched.length > 0 || report.ended.length > 0) context.info('schedule-sweep.done', report);
  },
});
