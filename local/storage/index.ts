/** Local storage: Azurite started from this repository's node_modules. */
export { startAzurite, AzuriteStartError, DEFAULT_AZURITE_PORTS, DEFAULT_AZURITE_LOCATION } from './azurite-launcher';
export type { AzuriteHandle, AzuritePorts, StartAzuriteOptions } from './azurite-launcher';
export { toConnectionString, toEndpoints, DEV_ACCOUNT_NAME, DEV_ACCOUNT_KEY } from './connection-string';
export type { StorageEndpoints, StoragePorts } from './connection-string';
