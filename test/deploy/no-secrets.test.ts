/**
 * No secret in the templates or in the app settings they produce: no key, connection string with
 * a key, SAS or password written anywhere, no list*() call that would copy a key into a setting or
 * an output, and no secure parameter (nothing secret is ever needed to deploy).
 */
import { functionNames } from './support/arm-expression-parser';
import { type JsonObject } from './support/arm-schemas';
import { allExpressions, allStrings, loadTemplate, onlyResource, TEMPLATES } from './support/arm-template';
import { appSettingsOf, evaluatedAppSettings, mainTemplate } from './support/site-settings';

const SECRET_PATTERNS: Array<[string, RegExp]> = [
  ['storage account key', /AccountKey\s*=/i],
  ['shared access signature', /SharedAccessSignature\s*=|[?&]sig=/i],
  ['connection string with credentials', /DefaultEndpointsProtocol\s*=|Password\s*=|;\s*Key\s*=/i],
  ['literal instrumentation key', /InstrumentationKey\s*=/i],
  ['client secret', /client_?secret/i],
];

/**
 * A run of 40+ base64 characters mixing digits, upper and lower case: an account key, a SAS
 * signature or a token. Resource types and action names are as long but have no digits.
 */
function looksLikeKey(text: string): boolean {
  return (text.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []).some((run) => /\d/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run));
}

/** Secret-looking findings in a JSON value, as "path: kind" messages. */
function secretFindings(value: unknown): string[] {
  const written = allStrings(value).flatMap(({ path, text }) => [
    ...SECRET_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([kind]) => `${path}: ${kind}`),
    ...(looksLikeKey(text) ? [`${path}: long base64 value (a key or token)`] : []),
  ]);
  const listCalls = allExpressions(value).flatMap(({ path, expr }) =>
    functionNames(expr).filter((name) => /^list/i.test(name)).map((name) => `${path}: ${name}() reads secrets`),
  );
  return [...written, ...listCalls];
}

describe.each(TEMPLATES)('$file', ({ file }) => {
  const template = loadTemplate(file);

  it('writes no key, SAS, password or connection string and calls no list*() function', () => {
    expect(secretFindings(template)).toEqual([]);
  });

  it('takes a secret only as the hub API key, secure and empty by default', () => {
    const secure = Object.entries(template.parameters).filter(([, parameter]) => /^secure/i.test(parameter.type));
    expect(secure.map(([name]) => name)).toEqual(file === 'azuredeploy.json' ? ['hubApiKey'] : []);
    for (const [, parameter] of secure) expect(parameter.defaultValue).toBe('');
  });
});

describe('the hub API key parameter', () => {
  const template = loadTemplate('azuredeploy.json');

  it('goes into the Key Vault secret only: not into variables, app settings or outputs', () => {
    const users = allExpressions(template)
      .filter(({ text }) => text.includes("parameters('hubApiKey')"))
      .map(({ path }) => path);
    const secretIndex = template.resources.findIndex((resource) => resource.type === 'Microsoft.KeyVault/vaults/secrets');
    expect(users).toEqual([`.resources[${secretIndex}].condition`, `.resources[${secretIndex}].properties.value`]);
  });
});

describe('app settings', () => {
  const template = mainTemplate();

  it('name a key, secret or connection string only where the value is a reference or grants nothing', () => {
    const settings = appSettingsOf(template);
    const named = settings.filter(({ name }) => /(KEY|SECRET|PASSWORD|TOKEN|SAS)$/i.test(name) || /CONNECTION_?STRING/i.test(name));
    expect(named.map(({ name }) => name)).toEqual(['APPLICATIONINSIGHTS_CONNECTION_STRING', 'HUB_API_KEY']);
    expect(evaluatedAppSettings(template).settings.HUB_API_KEY).toMatch(/^@Microsoft\.KeyVault\(VaultName=[^;]+;SecretName=hub-api-key\)$/);
  });

  it('carry an Application Insights connection string that grants nothing: local authentication is off, ingestion needs the identity', () => {
    const component = onlyResource(template, 'Microsoft.Insights/components');
    expect((component.properties as JsonObject).DisableLocalAuth).toBe(true);
    const { settings } = evaluatedAppSettings(template);
    expect(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toMatch(/^ClientId=[0-9a-f-]{36};Authorization=AAD$/);
  });

  it('hold no secret once evaluated (the stubbed connection string aside)', () => {
    const { settings } = evaluatedAppSettings(template);
    const { APPLICATIONINSIGHTS_CONNECTION_STRING: _identifierOnly, ...rest } = settings;
    expect(secretFindings(rest)).toEqual([]);
  });
});

describe('the secret scan itself', () => {
  it('finds keys, SAS tokens and list*() calls', () => {
    const findings = secretFindings({
      a: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc',
      b: 'https://x.blob.core.windows.net/c?sv=2022&sig=abc',
      c: "[listKeys(variables('storageId'), '2023-05-01').keys[0].value]",
      d: 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4',
      e: 'Microsoft.MachineLearningServices/workspaces/checkComputeNameAvailability/action',
    });
    expect(findings).toEqual([
      '.a: storage account key',
      '.a: connection string with credentials',
      '.b: shared access signature',
      '.d: long base64 value (a key or token)',
      '.c: listKeys() reads secrets',
    ]);
  });
});
