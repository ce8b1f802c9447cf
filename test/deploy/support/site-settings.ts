/** The Function App's app settings in azuredeploy.json, as written and as Azure would compute them. */
import { evaluateValue, type Deployment } from './arm-expression-evaluator';
import { isJsonObject, type JsonObject } from './arm-schemas';
import { fakeDeployment, loadTemplate, onlyResource, type ArmTemplate } from './arm-template';

export interface AppSetting {
  name: string;
  value: unknown;
}

export function mainTemplate(): ArmTemplate {
  return loadTemplate('azuredeploy.json');
}

/** The siteConfig.appSettings list of the template's only Function App, unevaluated. */
export function appSettingsOf(template: ArmTemplate): AppSetting[] {
  const site = onlyResource(template, 'Microsoft.Web/sites');
  const siteConfig = (site.properties as JsonObject).siteConfig;
  if (!isJsonObject(siteConfig) || !Array.isArray(siteConfig.appSettings)) throw new Error('The Function App has no siteConfig.appSettings list');
  return siteConfig.appSettings as AppSetting[];
}

/** The app settings as the app would see them after a deployment with `values` (defaults otherwise). */
export function evaluatedAppSettings(template: ArmTemplate, values: Record<string, unknown> = {}): { settings: Record<string, string>; deployment: Deployment } {
  const deployment = fakeDeployment(template, values);
  const settings: Record<string, string> = {};
  for (const { name, value } of appSettingsOf(template)) {
    const evaluated = evaluateValue(value, deployment);
    if (typeof evaluated !== 'string') throw new Error(`App setting ${name} evaluates to ${JSON.stringify(evaluated)}, not a string`);
    settings[name] = evaluated;
  }
  return { settings, deployment };
}

/** "[parameters('x')]" or "[string(parameters('x'))]" → "x"; anything else → undefined. */
export function parameterBehind(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\[(?:string\()?parameters\('([^']+)'\)\)?\]$/.exec(value)?.[1];
}
