/**
 * A project's compute settings as its next instance is created with: the resource group's tags
 * (read with the project list, cached) over the COMPUTE_* settings, checked by the domain
 * (compute-settings.ts), and the subnet looked up in ARM so that one that does not exist, or lies
 * in another region than the workspace, is refused by name before anything is created.
 */
import {
  COMPUTE_SETTING_SOURCES,
  describeProblems,
  resolveComputeSettings,
  subnetProblem,
  type ComputeSettingProblem,
  type ComputeSettings,
} from '../domain/compute-settings';
import { AppError } from '../domain/errors';
import type { Project } from '../domain/projects';
import type { WithSettings } from './dependencies';

/** What reading a project's compute settings needs: the catalog and the settings' defaults. */
export type ComputeSettingsDeps = Pick<WithSettings<'computeDefaults'>, 'catalog' | 'settings'>;

export type ProjectComputeSettings = { ok: true; settings: ComputeSettings } | { ok: false; problems: ComputeSettingProblem[]; message: string };

export async function projectComputeSettings(
  deps: ComputeSettingsDeps, project: Project,
): Promise<ProjectComputeSettings> {
  const resolved = resolveComputeSettings(await deps.catalog.projectTags(project.name), deps.settings.computeDefaults);
  if (!resolved.ok) return refused(project, resolved.problems);
  const { settings, sources } = resolved;
  if (settings.subnetId !== null) {
    const name = sources.subnetId ?? COMPUTE_SETTING_SOURCES.subnetId.setting;
    const problem = subnetProblem(name, settings.subnetId, await deps.catalog.subnet(settings.subnetId), project.location);
    if (problem) return refused(project, [problem]);
  }
  return { ok: true, settings };
}

/** The same, or the 409 `compute-settings-invalid` naming every bad tag or setting (the spawn's answer). */
export async function requireProjectComputeSettings(
  deps: ComputeSettingsDeps, project: Project,
): Promise<ComputeSettings> {
  const result = await projectComputeSettings(deps, project);
  if (result.ok) return result.settings;
  throw new AppError('compute-settings-invalid', result.message, {
    errors: result.problems.map((problem) => ({ field: problem.name, message: problem.message })),
  });
}

function refused(project: Project, problems: ComputeSettingProblem[]): ProjectComputeSettings {
  return { ok: false, problems, message: describeProblems(project.name, problems) };
}
