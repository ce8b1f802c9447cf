/** What a user may pick in the spawn form: projects offered and sizes their region serves. */
import type { LandingApp } from '../domain/landing';
import type { Project } from '../domain/projects';
import type { ResolvedSize } from '../domain/sizes';
import type { BudgetState } from '../domain/usage';
import type { WithSettings } from './dependencies';
import type { ProjectViewer } from './project-catalog';
import { projectLandingChoices } from './landing-choices';
import { withCosts } from './option-costs';
import type { UsageDeps } from './usage-report';

/** What this use case reads: its ports and only these settings. */
export type OptionsDeps = WithSettings<'projectAccess' | 'sizeDescriptions' | 'computeDefaults'> & UsageDeps;

/** A size as the form offers it: its VM size's cores, memory and GPUs, and the admin's words (SIZE_<LABEL>_DESCRIPTION). */
export type SizeOption = ResolvedSize & { description?: string };

export interface Options {
  /**
   * Each with its budget state this month (when there are projects) and `apps`, where a person may
   * land on its servers: the standard applications and the project's custom services.
   */
  projects: (Project & { apps: LandingApp[]; budget?: BudgetState })[];
  /** Each with its hourly price where one is known. */
  sizes: (SizeOption & { pricePerHour?: number; currency?: string })[];
  /** Why the list is empty, in words the hub can show the user; absent when there are projects. */
  message?: string;
}

export async function describeOptions(deps: OptionsDeps, viewer: Exclude<ProjectViewer, 'anyone'>): Promise<Options> {
  const projects = await Promise.all((await deps.catalog.listProjects(viewer)).map((project) => withApps(deps, project)));
  const locations = [...new Set(projects.map((project) => project.location.toLowerCase()))];
  const perLocation = await Promise.all(locations.map((location) => deps.catalog.sizesIn(location)));
  // A size is listed when every region of the user's projects serves it, so any pick can spawn.
  // The facts shown are those of the first region's VM size.
  const common = perLocation.length === 0 ? [] : perLocation.reduce((kept, next) =>
    kept.filter((size) => next.some((other) => other.label === size.label)),
  );
  const sizes = common.map((size) => withDescription(size, deps.settings.sizeDescriptions[size.label]));
  if (projects.length > 0) return withCosts(deps, { projects, sizes }, locations.map((location, i) => ({ location, sizes: perLocation[i] ?? [] })));
  const message = deps.settings.projectAccess.mode === 'rbac'
    ? "No project gives you access yet: a project is offered when you (or a group you belong to) hold a role such as AzureML Data Scientist on its resource group. Ask a project's owner for access."
    : 'No project is offered yet. Ask your JupyterHub administrator.';
  return { projects, sizes, message };
}

/** The project as the form sees it: its compute settings (custom services' images and variables) stay inside. */
async function withApps(deps: OptionsDeps, project: Project): Promise<Project & { apps: LandingApp[] }> {
  return { name: project.name, location: project.location, apps: await projectLandingChoices(deps, project) };
}

function withDescription(size: ResolvedSize, description: string | null): SizeOption {
  return description === null ? size : { ...size, description };
}
