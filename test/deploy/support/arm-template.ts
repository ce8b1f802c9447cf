/**
 * The project's ARM templates as data: loading, walking every string (object keys included, since
 * ARM evaluates expressions in keys such as userAssignedIdentities), and a fake deployment with
 * each parameter at its default, so tests can read the values Azure would compute.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateValue, type Deployment } from './arm-expression-evaluator';
import { isExpression, parseExpression, references, type Expr } from './arm-expression-parser';
import { isJsonObject, REPO_ROOT, type ArmResource, type DeploymentScope, type JsonObject } from './arm-schemas';

export interface TemplateFile {
  file: string;
  scope: DeploymentScope;
}

/** Every template this project ships, with the scope it is deployed at. */
export const TEMPLATES: TemplateFile[] = [
  { file: 'azuredeploy.json', scope: 'resourceGroup' },
  { file: 'deploy/access-roles.json', scope: 'subscription' },
  { file: 'deploy/project-access.json', scope: 'resourceGroup' },
  { file: 'deploy/network-access.json', scope: 'resourceGroup' },
];

export const SCHEMA_BY_SCOPE: Record<DeploymentScope, string> = {
  resourceGroup: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  subscription: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
};

export interface ArmParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  minValue?: number;
  maxValue?: number;
  minLength?: number;
  maxLength?: number;
  metadata?: { description?: string };
}

export interface ArmTemplate extends JsonObject {
  $schema: string;
  parameters: Record<string, ArmParameter>;
  variables: Record<string, unknown>;
  resources: ArmResource[];
  outputs: Record<string, { type: string; value: unknown }>;
}

export function loadTemplate(file: string): ArmTemplate {
  const template = JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as ArmTemplate;
  return { ...template, parameters: template.parameters ?? {}, variables: template.variables ?? {}, outputs: template.outputs ?? {} };
}

/** Every string in a JSON value, object keys included, with a path for messages. */
export function allStrings(value: unknown, path = ''): Array<{ path: string; text: string }> {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => allStrings(item, `${path}[${index}]`));
  if (isJsonObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => [{ path: `${path}.<key ${key}>`, text: key }, ...allStrings(item, `${path}.${key}`)]);
  }
  return [];
}

/** Every expression in the template, parsed (a parse error names its path). */
export function allExpressions(template: unknown): Array<{ path: string; text: string; expr: Expr }> {
  return allStrings(template)
    .filter(({ text }) => isExpression(text))
    .map(({ path, text }) => {
      try {
        return { path, text, expr: parseExpression(text) };
      } catch (error) {
        throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
}

/** Names referenced through parameters('...') and variables('...') anywhere in the template. */
export function referencedNames(template: unknown): { parameters: Set<string>; variables: Set<string> } {
  const parameters = new Set<string>();
  const variables = new Set<string>();
  for (const { expr } of allExpressions(template)) {
    const found = references(expr);
    found.parameters.forEach((name) => parameters.add(name));
    found.variables.forEach((name) => variables.add(name));
  }
  return { parameters, variables };
}

export const TEST_SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';
export const TEST_TENANT = '66666666-7777-4888-9999-000000000000';
export const TEST_PRINCIPAL = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
export const TEST_CLIENT = 'ffffffff-0000-4111-8222-333333333333';

/** What reference() returns for the resource types these templates read at deployment. */
function stubReference(resourceId: string): Record<string, unknown> {
  const name = resourceId.split('/').pop() ?? '';
  if (/\/Microsoft\.ManagedIdentity\/userAssignedIdentities\//i.test(resourceId)) {
    return { principalId: TEST_PRINCIPAL, clientId: TEST_CLIENT, tenantId: TEST_TENANT };
  }
  if (/\/Microsoft\.Insights\/components\//i.test(resourceId)) {
    return { ConnectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/' };
  }
  if (/\/Microsoft\.Web\/sites\//i.test(resourceId)) return { defaultHostName: `${name}.azurewebsites.net` };
  throw new Error(`The offline deployment has no reference() stub for ${resourceId}`);
}

/**
 * A deployment with each parameter at its default (evaluated, since defaults may be expressions),
 * overridden by `values`. A parameter without a default must be given.
 */
export function fakeDeployment(template: ArmTemplate, values: Record<string, unknown> = {}): Deployment {
  const deployment: Deployment = {
    subscriptionId: TEST_SUBSCRIPTION,
    tenantId: TEST_TENANT,
    resourceGroup: 'aml-jupyterhub',
    location: 'westeurope',
    parameters: {},
    variables: template.variables,
    reference: stubReference,
  };
  for (const [name, parameter] of Object.entries(template.parameters)) {
    if (name in values) deployment.parameters[name] = values[name];
    else if ('defaultValue' in parameter) deployment.parameters[name] = evaluateValue(parameter.defaultValue, deployment);
    else throw new Error(`Parameter ${name} has no default: pass a value`);
  }
  return deployment;
}

/** Values for the parameters that have no default (GUIDs: the principal ids those parameters take). */
export function requiredParameterValues(template: ArmTemplate): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(template.parameters)
      .filter(([, parameter]) => !('defaultValue' in parameter))
      .map(([name]) => [name, TEST_PRINCIPAL]),
  );
}

export function resourcesOfType(template: ArmTemplate, type: string): ArmResource[] {
  return template.resources.filter((resource) => resource.type.toLowerCase() === type.toLowerCase());
}

export function onlyResource(template: ArmTemplate, type: string): ArmResource {
  const found = resourcesOfType(template, type);
  if (found.length !== 1) throw new Error(`Expected one ${type}, found ${found.length}`);
  return found[0];
}
