/**
 * What the spawn form shows about money: each size's hourly price ("about $0.29/h") and each
 * project's budget state this month (a warning at 80%, a refusal at 100%).
 */
import type { Project } from '../domain/projects';
import type { ResolvedSize } from '../domain/sizes';
import type { BudgetState } from '../domain/usage';

import { budgetStates } from './usage-report';
import type { UsageDeps } from './usage-report';

export type PricedSize<S extends ResolvedSize> = S & { pricePerHour?: number; currency?: string };
export type BudgetedProject<P extends Project> = P & { budget: BudgetState };

/**
 * Prices each size in every region of the projects offered and gives the highest, so "about" is
 * never an underestimate whichever project is picked; a size with no known price has none.
 */
export async function withCosts<P extends Project, S extends ResolvedSize>(
  deps: UsageDeps,
  options: { projects: P[]; sizes: S[] },
  perLocation: { location: string; sizes: ResolvedSize[] }[],
): Promise<{ projects: BudgetedProject<P>[]; sizes: PricedSize<S>[] }> {
  const [budgets, sizes] = await Promise.all([
    budgetStates(deps, options.projects.map((project) => project.name)),
    Promise.all(options.sizes.map(async (size) => {
      const prices = await Promise.all(perLocation.map(async ({ location, sizes: offered }) => {
        const vmSize = offered.find((candidate) => candidate.label === size.label)?.vmSize ?? size.vmSize;
        return deps.prices.hourly(location, vmSize);
      }));
      if (prices.length === 0 || prices.some((price) => price === null)) return size;
      const highest = Math.max(...prices.map((price) => price?.pricePerHour ?? 0));
      return { ...size, pricePerHour: highest, currency: deps.prices.currency };
    })),
  ]);
  const projects = options.projects.map((project) => {
    const budget = budgets.get(project.name);
    if (!budget) throw new Error(`No budget state for project ${project.name}`);
    return { ...project, budget };
  });
  return { projects, sizes };
}
