/** What a user may pick in the spawn form: projects offered and sizes their region serves. */
import type { Project } from '../domain/projects';
import type { ResolvedSize } from '../domain/sizes';
import type { Dependencies } from './dependencies';

export interface Options {
  projects: Project[];
  sizes: ResolvedSize[];
}

export async function describeOptions(deps: Dependencies): Promise<Options> {
  const projects = await deps.catalog.listProjects();
  const locations = [...new Set(projects.map((project) => project.location.toLowerCase()))];
  const perLocation = await Promise.all(locations.map((location) => deps.catalog.sizesIn(location)));
  // A size is listed when every region of the user's projects serves it, so any pick can spawn.
  const sizes = perLocation.length === 0 ? [] : perLocation.reduce((common, next) =>
    common.filter((size) => next.some((other) => other.label === size.label)),
  );
  return { projects, sizes };
}
