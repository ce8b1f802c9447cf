/**
 * Azurite's well-known development account. The key is public (documented by Microsoft for the
 * emulator), not a secret.
 */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface StorageEndpoints {
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
}

/** Builds endpoint URLs in Azurite's path style (`http://host:port/devstoreaccount1`). */
export function toEndpoints(host: string, ports: StoragePorts): StorageEndpoints {
  const base = (port: number) => `http://${host}:${port}/${DEV_ACCOUNT_NAME}`;
  return { blobUrl: base(ports.blob), queueUrl: base(ports.queue), tableUrl: base(ports.table) };
}

export interface StoragePorts {
  blob: number;
  queue: number;
  table: number;
}

/**
 * A full connection string naming every endpoint, so non-default ports work with every SDK.
 * Takes the endpoints, or Azurite's ports (on `host`, default 127.0.0.1).
 */
export function toConnectionString(target: StorageEndpoints | StoragePorts, host = '127.0.0.1'): string {
  const endpoints = 'tableUrl' in target ? target : toEndpoints(host, target);
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT_NAME}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    `BlobEndpoint=${endpoints.blobUrl}`,
    `QueueEndpoint=${endpoints.queueUrl}`,
    `TableEndpoint=${endpoints.tableUrl}`,
  ].join(';') + ';';
}
