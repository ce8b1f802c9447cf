/**
 * Every template is self-consistent: each parameters()/variables() reference is defined, each
 * parameter and variable is used, each expression parses and calls only real template functions,
 * each parameter is documented and its default obeys its own limits, and the whole template
 * evaluates with its defaults (offline, see support/arm-expression.ts).
 */
import { evaluateValue } from './support/arm-expression-evaluator';
import { functionNames } from './support/arm-expression-parser';
import { allExpressions, fakeDeployment, loadTemplate, referencedNames, requiredParameterValues, TEMPLATES, type ArmParameter, type ArmTemplate } from './support/arm-template';

/** The ARM template functions these templates may call (names are case-insensitive in ARM). */
const TEMPLATE_FUNCTIONS = new Set(
  [
    'and', 'concat', 'empty', 'environment', 'equals', 'extensionResourceId', 'format', 'guid', 'if', 'length', 'not', 'or',
    'parameters', 'reference', 'replace', 'resourceGroup', 'resourceId', 'split', 'string', 'subscription', 'subscriptionResourceId',
    'take', 'toLower', 'toUpper', 'uniqueString', 'variables',
  ].map((name) => name.toLowerCase()),
);

/** Problems with parameter and variable references, as messages (empty when consistent). */
function referenceProblems(template: ArmTemplate): string[] {
  const used = referencedNames({ resources: template.resources, outputs: template.outputs, variables: template.variables, parameters: template.parameters });
  const problems: string[] = [];
  for (const name of used.parameters) if (!(name in template.parameters)) problems.push(`parameters('${name}') is not defined`);
  for (const name of used.variables) if (!(name in template.variables)) problems.push(`variables('${name}') is not defined`);
  for (const name of Object.keys(template.parameters)) if (!used.parameters.has(name)) problems.push(`parameter ${name} is never used`);
  for (const name of Object.keys(template.variables)) if (!used.variables.has(name)) problems.push(`variable ${name} is never used`);
  return problems;
}

function defaultProblems(name: string, parameter: ArmParameter, value: unknown): string[] {
  const problems: string[] = [];
  if (parameter.allowedValues && !parameter.allowedValues.includes(value)) problems.push(`${name}: default ${JSON.stringify(value)} is not an allowed value`);
  if (typeof value === 'number') {
    if (parameter.type !== 'int') problems.push(`${name}: a number default for a ${parameter.type} parameter`);
    if (parameter.minValue !== undefined && value < parameter.minValue) problems.push(`${name}: default below minValue`);
    if (parameter.maxValue !== undefined && value > parameter.maxValue) problems.push(`${name}: default above maxValue`);
  }
  if (typeof value === 'string') {
    if (!/^(string|securestring)$/i.test(parameter.type)) problems.push(`${name}: a string default for a ${parameter.type} parameter`);
    if (parameter.minLength !== undefined && value.length < parameter.minLength) problems.push(`${name}: default shorter than minLength`);
    if (parameter.maxLength !== undefined && value.length > parameter.maxLength) problems.push(`${name}: default longer than maxLength`);
  }
  return problems;
}

describe.each(TEMPLATES)('$file', ({ file }) => {
  const template = loadTemplate(file);

  it('defines every parameter and variable it references, and uses every one it defines', () => {
    expect(referenceProblems(template)).toEqual([]);
  });

  it('calls only real template functions, in expressions that parse', () => {
    const unknown = allExpressions(template).flatMap(({ path, expr }) =>
      functionNames(expr).filter((name) => !TEMPLATE_FUNCTIONS.has(name.toLowerCase())).map((name) => `${path}: ${name}()`),
    );
    expect(unknown).toEqual([]);
  });

  it('describes every parameter and allows no empty description', () => {
    const undocumented = Object.entries(template.parameters).filter(([, parameter]) => (parameter.metadata?.description ?? '').trim().length < 20);
    expect(undocumented.map(([name]) => name)).toEqual([]);
  });

  it('has defaults that obey their own allowed values and limits', () => {
    const deployment = fakeDeployment(template, requiredParameterValues(template));
    const problems = Object.entries(template.parameters).flatMap(([name, parameter]) => defaultProblems(name, parameter, deployment.parameters[name]));
    expect(problems).toEqual([]);
  });

  it('evaluates every resource and output with its defaults', () => {
    const deployment = fakeDeployment(template, requiredParameterValues(template));
    expect(() => evaluateValue({ resources: template.resources, outputs: template.outputs }, deployment)).not.toThrow();
  });
});

describe('the reference check itself', () => {
  const base = loadTemplate('deploy/project-access.json');

  it('reports an undefined parameter, an unused parameter and an undefined variable', () => {
    const broken: ArmTemplate = structuredClone(base);
    broken.parameters.unused = { type: 'string', metadata: { description: 'never referenced anywhere at all' } };
    broken.outputs.extra = { type: 'string', value: "[concat(parameters('missing'), variables('nothing'))]" };
    expect(referenceProblems(broken)).toEqual([
      "parameters('missing') is not defined",
      "variables('nothing') is not defined",
      'parameter unused is never used',
    ]);
  });

  it('reports a default outside allowed values or limits', () => {
    expect(defaultProblems('size', { type: 'int', allowedValues: [512, 2048], maxValue: 1000 }, 4096)).toEqual([
      'size: default 4096 is not an allowed value',
      'size: default above maxValue',
    ]);
  });

  it('finds references in object keys too', () => {
    expect(referencedNames({ identity: { "[variables('identityId')]": {} } }).variables.has('identityId')).toBe(true);
  });
});
