/** Which api-versions the emulator accepts per provider; ARM rejects a missing or unknown one with 400. */
import { ArmError } from './arm-error';
import type { Provider } from './arm-routes';

const FORMAT = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/**
 * Oldest version accepted. Azure ML: 2022-05-01 (2.1.1's default 2022-10-01 and everything newer;
 * idleTimeBeforeShutdown is honoured from 2025-12-01). Resources: every current version.
 * Authorization: every version with the assignedTo() filter (@azure/arm-authorization 9 sends 2022-04-01).
 */
const OLDEST: Record<Provider, string> = {
  'Microsoft.Resources': '2019-10-01',
  'Microsoft.MachineLearningServices': '2022-05-01',
  'Microsoft.Authorization': '2015-07-01',
  'Microsoft.Network': '2018-01-01',
};

export function checkApiVersion(provider: Provider, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (!FORMAT.test(value) || value < OLDEST[provider]) {
    throw new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${value}' is invalid for provider '${provider}'. The ARM emulator supports api-versions from '${OLDEST[provider]}' on, formatted YYYY-MM-DD[-preview].`,
    );
  }
  return value;
}
