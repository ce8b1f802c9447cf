/**
 * Where a person may land on a project's servers: the standard applications and the project's custom
 * services (Azure's `customServices`, which the project's compute settings give its instances).
 */
import { resolveComputeSettings } from '../domain/compute-settings';
import { landingChoices, type LandingApp } from '../domain/landing';
import type { Project } from '../domain/projects';
import type { ComputeSettingsDeps } from './project-compute-settings';

/**
 * The one place that reads a project's custom services for the landing choices: from the project's
 * compute settings (resource-group tag `aml-jupyterhub-custom-services` over COMPUTE_CUSTOM_SERVICES).
 * Invalid settings offer the standard applications only; the spawn is refused for them anyway.
 */
export async function projectLandingChoices(deps: ComputeSettingsDeps, project: Project): Promise<LandingApp[]> {
  const resolved = resolveComputeSettings(await deps.catalog.projectTags(project.name), deps.settings.computeDefaults);
  const names = resolved.ok ? (resolved.settings.customServices ?? []).map((service) => service.name) : [];
  return landingChoices(names);
}
