import { app, type TimerHandler } from '@azure/functions';
import * as df from 'durable-functions';
import type { AppRoot } from '../shared/app-services';
import { productionRoot } from '../shared/composition-root';
import { appLog } from '../shared/logging/log-events';
import { sweepIdleServers } from '../shared/use-cases/idle-sweep';

export const idleSweep = (root: AppRoot): TimerHandler => async (_timer, context) => {
  const { deps, control } = await root();
  const report = await sweepIdleServers(deps, control(context));
  const log = appLog(context);
  // Each failing project is its own event (stable name), so an alert can follow one project.
  for (const failure of report.failedProjects) log.warn('idle-sweep.project-failed', failure);
  for (const failure of report.failedInstances) log.warn('idle-sweep.instance-failed', failure);
  log.info('idle-sweep.done', report);
};

/** Schedule from the IDLE_SWEEP_SCHEDULE setting (the host resolves %NAME% from app settings). */
app.timer('idleSweep', {
  schedule: '%IDLE_SWEEP_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: idleSweep(productionRoot),
});
