/**
 * Which api-versions the emulator accepts per provider: the versions Azure publishes
 * (api-versions.json, derived from Azure's deployment schemas and REST specs), not a date range.
 * As ARM: a missing one is 400 MissingApiVersionParameter, a malformed one 400
 * InvalidApiVersionParameter, a well-formed one the provider does not publish 400
 * NoRegisteredProviderFound naming the versions it does.
 */
import { ArmError } from './arm-error';
import type { Provider } from './arm-routes';
import table from './api-versions.json';

const FORMAT = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

export const PUBLISHED_API_VERSIONS: Readonly<Record<Provider, readonly string[]>> = table.providers;

export type ComputeInstanceProperty = keyof typeof table.computeInstancePropertiesSince;

export function checkApiVersion(provider: Provider, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (!FORMAT.test(value)) {
    throw new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${value}' is invalid. The supported versions are '${PUBLISHED_API_VERSIONS[provider].join(',')}'.`,
    );
  }
  if (!PUBLISHED_API_VERSIONS[provider].includes(value)) {
    throw new ArmError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for API version '${value}' of namespace '${provider}'. ` +
        `The supported api-versions are '${PUBLISHED_API_VERSIONS[provider].join(', ')}'.`,
    );
  }
  return value;
}

/**
 * Whether an Azure ML api-version has a compute-instance property: from the first version whose
 * schema has it on (older versions ignore it in a body, as Azure does with unknown properties).
 */
export function hasComputeInstanceProperty(apiVersion: string, property: ComputeInstanceProperty): boolean {
  const versions = PUBLISHED_API_VERSIONS['Microsoft.MachineLearningServices'];
  const at = versions.indexOf(apiVersion);
  return at >= 0 && at >= versions.indexOf(table.computeInstancePropertiesSince[property]);
}
