/**
 * Hours and cost per user, project or size over a window, and each project's budget state for the
 * current calendar month (UTC), both from the usage ledger and the price book.
 */
import { AppError } from '../domain/errors';
import {
  BUDGET_TAG,
  budgetFromTag,
  budgetMessage,
  budgetStatus,
  groupUsage,
  hoursWithin,
  monthOf,
  priceKey,
  roundMoney,
  type BudgetState,
  type HourlyPrice,
  type UsageGroup,
  type UsageGrouping,
  type UsageInterval,
} from '../domain/usage';
import type { Dependencies } from './dependencies';
import type { Settings } from '../config/settings';

export interface UsageQuery {
  from: Date;
  to: Date;
  groupBy: UsageGrouping;
  /** Only this person's intervals (a person's own token), matched by Entra object id. */
  userObjectId?: string;
}

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageGrouping;
  currency: string;
  groups: UsageGroup[];
  total: { hours: number; cost: number };
}

export type UsageDeps = Pick<Dependencies, 'usage' | 'prices' | 'clock' | 'catalog'> & { settings: Pick<Settings, 'cost'> };

export async function reportUsage(deps: UsageDeps, query: UsageQuery): Promise<UsageReport> {
  if (!(query.from.getTime() < query.to.getTime())) throw new AppError('invalid-request', '`from` must be before `to`.');
  const now = deps.clock.now();
  const all = await deps.usage.overlapping(query.from, query.to);
  const owner = query.userObjectId?.toLowerCase();
  const intervals = owner === undefined ? all : all.filter((interval) => interval.userObjectId?.toLowerCase() === owner);
  const priceOf = await pricesFor(deps, intervals);
  const groups = groupUsage(intervals, query.groupBy, { from: query.from, to: query.to, now }, priceOf);
  return {
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    groupBy: query.groupBy,
    currency: deps.prices.currency,
    groups,
    total: {
      hours: Math.round(groups.reduce((sum, group) => sum + group.hours, 0) * 10_000) / 10_000,
      cost: roundMoney(groups.reduce((sum, group) => sum + group.cost, 0)),
    },
  };
}

/** One look-up per distinct (region, VM size), then a synchronous lookup for the arithmetic. */
async function pricesFor(deps: Pick<UsageDeps, 'prices'>, intervals: UsageInterval[]): Promise<(interval: UsageInterval) => HourlyPrice | null> {
  const keys = new Map(intervals.map((interval) => [priceKey(interval.region, interval.vmSize), interval]));
  const prices = new Map(
    await Promise.all([...keys].map(async ([key, interval]) => [key, await deps.prices.hourly(interval.region, interval.vmSize)] as const)),
  );
  return (interval) => prices.get(priceKey(interval.region, interval.vmSize)) ?? null;
}

/**
 * Each project's budget state this month: spent (running servers counted until now) against the
 * budget from PROJECT_BUDGETS, else from the resource group's tag `aml-jupyterhub-budget`.
 */
export async function budgetStates(deps: UsageDeps, projects: string[]): Promise<Map<string, BudgetState>> {
  const now = deps.clock.now();
  const month = monthOf(now);
  const budgets = await Promise.all(projects.map((project) => budgetOf(deps, project)));
  const states = new Map<string, BudgetState>();
  if (projects.length === 0) return states;
  const wanted = new Set(projects.map((project) => project.toLowerCase()));
  const intervals = (await deps.usage.overlapping(month.from, month.to)).filter((interval) => wanted.has(interval.project.toLowerCase()));
  const priceOf = await pricesFor(deps, intervals);
  const spentBy = new Map<string, number>();
  for (const interval of intervals) {
    const price = priceOf(interval);
    if (!price) continue;
    const key = interval.project.toLowerCase();
    spentBy.set(key, (spentBy.get(key) ?? 0) + hoursWithin(interval, month.from, month.to, now) * price.pricePerHour);
  }
  projects.forEach((project, index) => {
    const budget = budgets[index] ?? null;
    const spent = roundMoney(spentBy.get(project.toLowerCase()) ?? 0);
    const state: BudgetState = { budget, spent, currency: deps.prices.currency, month: month.label, status: budgetStatus(spent, budget) };
    const message = budgetMessage(project, state);
    states.set(project, message === undefined ? state : { ...state, message });
  });
  return states;
}

async function budgetOf(deps: UsageDeps, project: string): Promise<number | null> {
  const configured = deps.settings.cost.projectBudgets.get(project.toLowerCase());
  if (configured !== undefined) return configured;
  return budgetFromTag(Object.entries(await deps.catalog.projectTags(project)).find(([name]) => name.toLowerCase() === BUDGET_TAG)?.[1]);
}

/**
 * Refuses a spawn that would start a server in a project that has used its month's budget. Read,
 * not reserved: spawns racing at the limit all pass while the month's spend is below it (the spend
 * grows with time, not with spawns), so the overshoot is bounded by what the servers running when
 * the limit is crossed use until they stop (or, with BUDGET_STOP_AT_LIMIT, until the next sweep).
 */
export async function enforceBudget(deps: UsageDeps, project: string): Promise<void> {
  // A project without a budget refuses nothing: its month's spend is not read (a class's burst of
  // spawns would otherwise read the whole month's ledger once each).
  if ((await budgetOf(deps, project)) === null) return;
  const state = (await budgetStates(deps, [project])).get(project);
  if (state?.status === 'exceeded') throw new AppError('budget-exceeded', state.message ?? `Project ${project} has used its budget.`);
}
