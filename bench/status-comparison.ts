/**
 * The status endpoint beside raw Azurite point reads of the same entity, same concurrency and
 * duration, in the same run: GET /api/servers/{id} through the host, and TableClient.getEntity
 * straight to Azurite. The two alternate over a few rounds, so a change in the machine's load
 * (other processes, garbage collection) falls on both rather than on one of them.
 */
import { TableClient } from '@azure/data-tables';
import { SERVER_ROW_KEY } from '../shared/adapters/table/server-entity';
import { closedLoopLoad, perSecond, pooled, type LoadResult, type LoadSample } from './closed-loop-load';
import { HttpClient } from './http-client';

export interface StatusComparison {
  status: LoadResult;
  raw: LoadResult;
  /** status req/s ÷ raw req/s, over all rounds */
  ratio: number;
  /** The same ratio round by round, to show how steady it was. */
  roundRatios: number[];
}

export interface StatusComparisonTarget {
  baseUrl: string;
  functionsKey: string;
  storageConnectionString: string;
  tableName: string;
  serverId: string;
}

export interface StatusComparisonLoad {
  clients: number;
  rounds: number;
  /** Measured time of each path in each round. */
  roundMs: number;
  /** Unmeasured time before each measured run (connections opened, code warmed up). */
  warmUpMs: number;
}

/**
 * A longer unmeasured run of each path before the first round: the host's request path is still
 * being compiled by V8 for the first few thousand requests, which made round 1 read ~30% slower.
 */
const FIRST_WARM_UP_MS = 5_000;

const MAX_REQUESTS_PER_RUN = 2_000_000;

export async function compareStatusWithRawReads(
  target: StatusComparisonTarget,
  load: StatusComparisonLoad,
  progress: (line: string) => void,
): Promise<StatusComparison> {
  const client = new HttpClient({ maxSockets: load.clients, headers: { 'x-functions-key': target.functionsKey }, timeoutMs: 10_000 });
  const url = `${target.baseUrl}/api/servers/${target.serverId}`;
  const readStatus = async () => {
    const answer = await client.send('GET', url);
    if (answer.status !== 200) throw new Error(`status answered ${answer.status}`);
  };
  // The SDK's own keep-alive agent, as the app's repository uses it (allowInsecureConnection for Azurite's http).
  const table = TableClient.fromConnectionString(target.storageConnectionString, target.tableName, { allowInsecureConnection: true });
  const readRaw = async () => {
    await table.getEntity(target.serverId, SERVER_ROW_KEY);
  };

  const run = async (call: () => Promise<void>): Promise<LoadSample> => {
    await closedLoopLoad(call, { clients: load.clients, durationMs: load.warmUpMs, maxRequests: MAX_REQUESTS_PER_RUN });
    return closedLoopLoad(call, { clients: load.clients, durationMs: load.roundMs, maxRequests: MAX_REQUESTS_PER_RUN });
  };
  const statusSamples: LoadSample[] = [];
  const rawSamples: LoadSample[] = [];
  try {
    for (const call of [readStatus, readRaw]) {
      await closedLoopLoad(call, { clients: load.clients, durationMs: FIRST_WARM_UP_MS, maxRequests: MAX_REQUESTS_PER_RUN });
    }
    for (let round = 1; round <= load.rounds; round++) {
      const status = await run(readStatus);
      const raw = await run(readRaw);
      statusSamples.push(status);
      rawSamples.push(raw);
      progress(`round ${round}/${load.rounds}: status ${perSecond(status).toFixed(0)} req/s, raw getEntity ${perSecond(raw).toFixed(0)} req/s`);
    }
  } finally {
    client.close();
  }
  const status = pooled(statusSamples);
  const raw = pooled(rawSamples);
  return {
    status,
    raw,
    ratio: status.perSecond / raw.perSecond,
    roundRatios: statusSamples.map((sample, i) => perSecond(sample) / perSecond(rawSamples[i])),
  };
}
