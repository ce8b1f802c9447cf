/**
 * The app's functions for tests, over services a test builds from the adapters it chooses — the
 * same factories production registers with `productionRoot`, nothing global swapped.
 */
import type { InvocationContext } from '@azure/functions';
import { activity } from '../../functions/activity';
import { adminAsset, adminPage } from '../../functions/admin-page';
import { budgets } from '../../functions/budgets';
import { remove } from '../../functions/delete';
import { health } from '../../functions/health';
import { list } from '../../functions/list';
import { notFound } from '../../functions/not-found';
import { options } from '../../functions/options';
import { createSchedule, deleteSchedule, getSchedule, listSchedules, replaceSchedule } from '../../functions/schedules';
import { spawn } from '../../functions/spawn';
import { status } from '../../functions/status';
import { stop } from '../../functions/stop';
import { usage } from '../../functions/usage';
import { appServices, type AppRoot, type AppServices } from '../../shared/app-services';
import type { OrchestrationControl } from '../../shared/domain/ports';
import type { Dependencies } from '../../shared/use-cases/dependencies';

/** One test file's root: `use` gives it the services of the next requests. */
export class TestRoot {
  private services: AppServices | null = null;

  readonly root: AppRoot = async () => {
    if (!this.services) throw new Error('TestRoot: call use(deps, control) before a request');
    return this.services;
  };

  use(deps: Dependencies, control: (context: InvocationContext) => OrchestrationControl): void {
    this.services = appServices(deps, control);
  }
}

/** Every HTTP function of the app, bound to `root`. */
export function httpFunctions(root: AppRoot) {
  return {
    activity: activity(root),
    budgets: budgets(root),
    remove: remove(root),
    list: list(root),
    options: options(root),
    spawn: spawn(root),
    status: status(root),
    stop: stop(root),
    usage: usage(root),
    listSchedules: listSchedules(root),
    createSchedule: createSchedule(root),
    getSchedule: getSchedule(root),
    replaceSchedule: replaceSchedule(root),
    deleteSchedule: deleteSchedule(root),
    health,
    notFound,
    adminPage,
    adminAsset,
  };
}
