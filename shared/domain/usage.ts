/**
 * Cost and budgets, pure: Running intervals of servers (the usage ledger's rows), hours inside a
 * window, cost from an hourly price, grouping, and a project's budget state. No I/O.
 */

/** One Running interval of one server: from the write that made it Running to the write that ended it. */
export interface UsageInterval {
  serverId: string;
  /** ISO 8601: when the server became Running (its `startedAt`). */
  start: string;
  /** ISO 8601: when it left Running; null while it still runs. */
  end: string | null;
  user: string;
  userObjectId: string | null;
  project: string;
  /** The size label (Small, ...) and the Azure VM size it ran on. */
  size: string;
  vmSize: string;
  /** The project's region (lower case), where the VM size is priced. */
  region: string;
}

export interface HourlyPrice {
  pricePerHour: number;
  currency: string;
}

/** `server` (by server id) is what the admin page shows per row. */
export const USAGE_GROUPINGS = ['user', 'project', 'size', 'server'] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

export interface UsageGroup {
  key: string;
  hours: number;
  cost: number;
  /** Intervals of this group whose size has no known price: their hours are counted, their cost is not. */
  unpricedHours: number;
}

const HOUR_MS = 3_600_000;

/** Hours of the interval inside [from, to), an open interval running until `now`. */
export function hoursWithin(interval: Pick<UsageInterval, 'start' | 'end'>, from: Date, to: Date, now: Date): number {
  const start = Math.max(Date.parse(interval.start), from.getTime());
  const end = Math.min(interval.end === null ? now.getTime() : Date.parse(interval.end), to.getTime());
  return end > start ? (end - start) / HOUR_MS : 0;
}

/** Money rounded to the cent, as reported (sums are kept exact until the end). */
export function roundMoney(amount: number): number {
  return Math.round(amount * 100) / 100;
}

export function priceKey(region: string, vmSize: string): string {
  return `${region.toLowerCase()}/${vmSize.toLowerCase()}`;
}

/** Hours and cost per group; `priceOf` answers the hourly price of (region, VM size) or null when unknown. */
export function groupUsage(
  intervals: UsageInterval[],
  grouping: UsageGrouping,
  window: { from: Date; to: Date; now: Date },
  priceOf: (interval: UsageInterval) => HourlyPrice | null,
): UsageGroup[] {
  const groups = new Map<string, UsageGroup>();
  for (const interval of intervals) {
    const hours = hoursWithin(interval, window.from, window.to, window.now);
    if (hours === 0) continue;
    const key = grouping === 'server' ? interval.serverId : interval[grouping];
    const group = groups.get(key) ?? { key, hours: 0, cost: 0, unpricedHours: 0 };
    const price = priceOf(interval);
    group.hours += hours;
    if (price) group.cost += hours * price.pricePerHour;
    else group.unpricedHours += hours;
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((group) => ({ key: group.key, hours: roundHours(group.hours), cost: roundMoney(group.cost), unpricedHours: roundHours(group.unpricedHours) }))
    .sort((a, b) => b.cost - a.cost || a.key.localeCompare(b.key));
}

function roundHours(hours: number): number {
  return Math.round(hours * 10_000) / 10_000;
}

/** The calendar month (UTC) holding `at`: [first instant, first instant of the next month). */
export function monthOf(at: Date): { from: Date; to: Date; label: string } {
  const from = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const to = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { from, to, label: from.toISOString().slice(0, 7) };
}

/** Share of the budget at which the spawn form warns. */
export const BUDGET_WARNING_SHARE = 0.8;

export type BudgetStatus = 'ok' | 'warning' | 'exceeded';

export interface BudgetState {
  /** The month's budget in the price currency; null when the project has none. */
  budget: number | null;
  /** Spent this calendar month (UTC) so far, running servers counted until now. */
  spent: number;
  currency: string;
  /** YYYY-MM. */
  month: string;
  status: BudgetStatus;
  /** Words for the person when the status is not ok. */
  message?: string;
}

export function budgetStatus(spent: number, budget: number | null): BudgetStatus {
  if (budget === null) return 'ok';
  if (spent >= budget) return 'exceeded';
  return spent >= budget * BUDGET_WARNING_SHARE ? 'warning' : 'ok';
}

export function budgetMessage(project: string, state: Pick<BudgetState, 'status' | 'spent' | 'budget' | 'currency' | 'month'>): string | undefined {
  if (state.budget === null || state.status === 'ok') return undefined;
  const money = (amount: number) => `${amount.toFixed(2)} ${state.currency}`;
  if (state.status === 'exceeded') {
    return `Project ${project} has used its budget for ${state.month} (${money(state.spent)} of ${money(state.budget)}): new servers cannot be started in it until next month. Ask the project's owner or the hub administrator.`;
  }
  return `Project ${project} has used ${Math.floor((state.spent / state.budget) * 100)}% of its budget for ${state.month} (${money(state.spent)} of ${money(state.budget)}).`;
}

/**
 * `name=amount,name=amount` (PROJECT_BUDGETS) or `key=amount,...` (PRICE_OVERRIDES); keys lower case.
 * Returns the problems instead of throwing, so settings validation can report them by name.
 */
export function parseAmounts(text: string): { amounts: Map<string, number>; problems: string[] } {
  const amounts = new Map<string, number>();
  const problems: string[] = [];
  for (const item of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const match = /^([^=\s]+)\s*=\s*([0-9]+(?:\.[0-9]+)?)$/.exec(item);
    if (!match?.[1] || !match[2]) {
      problems.push(`'${item}' is not name=amount`);
      continue;
    }
    amounts.set(match[1].toLowerCase(), Number(match[2]));
  }
  return { amounts, problems };
}

/** A budget from the resource-group tag `aml-jupyterhub-budget`: a plain non-negative amount, else none. */
export function budgetFromTag(value: string | undefined): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  return /^[0-9]+(\.[0-9]+)?$/.test(trimmed) ? Number(trimmed) : null;
}

export const BUDGET_TAG = 'aml-jupyterhub-budget';
