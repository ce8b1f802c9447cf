import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { dependencies, orchestrationControl } from '../shared/composition-root';
import { sweepIdleServers } from '../shared/use-cases/idle-sweep';
import { appLog } from '../shared/logging/log-events';

/** Schedule from the IDLE_SWEEP_SCHEDULE setting (the host resolves %NAME% from app settings). */
app.timer('idleSweep', {
  schedule: '%IDLE_SWEEP_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: async (_timer, context) => {
    const deps = await dependencies();
    const report = await sweepIdleServers(deps, orchestrationControl(context, deps));
    const log = appLog(context);
    // Each failing project is its own event (stable name), so an alert can follow one project.
    for (const failure of report.failedProjects) log.warn('idle-sweep.project-failed', failure);
    for (const failure of report.failedInstances) log.warn('idle-sweep.instance-failed', failure);
    log.info('idle-sweep.done', report);
  },
});
