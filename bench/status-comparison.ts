/**
 * The status endpoint beside raw Azurite point reads of the same entity, same concurrency and
 * duration, in the same run: GET /api/servers/{id} through the host, then TableClient.getEntity.
 */
import { TableClient } from '@azure/data-tables';
import { SERVER_ROW_KEY } from '../shared/adapters/table/server-entity';
import { closedLoopLoad, type LoadOptions, type LoadResult } from './closed-loop-load';
import { HttpClient } from './http-client';

export interface StatusComparison {
  status: LoadResult;
  raw: LoadResult;
  /** status req/s ÷ raw req/s */
  ratio: number;
}

export interface StatusComparisonTarget {
  baseUrl: string;
  functionsKey: string;
  storageConnectionString: string;
  tableName: string;
  serverId: string;
}

export async function compareStatusWithRawReads(
  target: StatusComparisonTarget,
  load: LoadOptions,
  progress: (line: string) => void,
): Promise<StatusComparison> {
  const client = new HttpClient({ maxSockets: load.clients, headers: { 'x-functions-key': target.functionsKey }, timeoutMs: 10_000 });
  const url = `${target.baseUrl}/api/servers/${target.serverId}`;
  let status: LoadResult;
  try {
    status = await closedLoopLoad(async () => {
      const answer = await client.send('GET', url);
      if (answer.status !== 200) throw new Error(`status answered ${answer.status}`);
    }, load);
  } finally {
    client.close();
  }
  progress(`status endpoint: ${status.perSecond.toFixed(0)} req/s`);

  // The SDK's own keep-alive agent, as the app's repository uses it (allowInsecureConnection for Azurite's http).
  const table = TableClient.fromConnectionString(target.storageConnectionString, target.tableName, { allowInsecureConnection: true });
  const raw = await closedLoopLoad(async () => {
    await table.getEntity(target.serverId, SERVER_ROW_KEY);
  }, load);
  progress(`raw getEntity: ${raw.perSecond.toFixed(0)} req/s`);
  return { status, raw, ratio: status.perSecond / raw.perSecond };
}
