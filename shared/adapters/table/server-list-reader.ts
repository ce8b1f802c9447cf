/**
 * The admin listing: one filtered query, paged with the library's continuation token. A page is
 * filled up to `limit` by following the service's token a bounded number of times (the service may
 * answer a filtered query with short or empty pages), and each follow-up asks only for what is
 * missing, so the token handed back resumes exactly after the last server returned.
 */
import type { TableClient } from '@azure/data-tables';
import { AppError } from '../../domain/errors';
import type { ServerListQuery, ServerPage } from '../../domain/ports';
import type { Server } from '../../domain/server';
import { isWellFormedContinuationToken } from './continuation-token';
import { fromServerEntity } from './server-entity';
import { serverListFilter } from './server-list-filter';
import type { TableRepositoryLog } from './repository-log';
import { isTableFailure, translateTableError } from './table-errors';

/** The service's own ceiling for one page. */
export const MAX_PAGE_SIZE = 1000;
const MAX_ROUND_TRIPS = 10;

export async function readServerPage(client: TableClient, query: ServerListQuery, log: TableRepositoryLog): Promise<ServerPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_SIZE) {
    throw new AppError('invalid-request', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, {
      errors: [{ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }],
    });
  }
  if (query.continuationToken !== undefined && !isWellFormedContinuationToken(query.continuationToken)) {
    throw invalidToken();
  }
  const filter = serverListFilter(query);
  const servers: Server[] = [];
  let token = query.continuationToken;
  for (let trip = 0; trip < MAX_ROUND_TRIPS && servers.length < query.limit; trip += 1) {
    const page = await fetchPage(client, filter, query.limit - servers.length, token);
    for (const entity of page.entities) {
      const reading = fromServerEntity(entity);
      if (reading.ok) servers.push(reading.server);
      else log('server-entity-unreadable', { serverId: reading.id, problems: reading.problems });
    }
    token = page.continuationToken;
    if (token === undefined) break;
  }
  return { servers, continuationToken: token ?? null };
}

interface RawPage {
  entities: Record<string, unknown>[];
  continuationToken: string | undefined;
}

async function fetchPage(client: TableClient, filter: string, maxPageSize: number, continuationToken: string | undefined): Promise<RawPage> {
  try {
    const pages = client
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize, continuationToken });
    const first = await pages.next();
    if (first.done === true) return { entities: [], continuationToken: undefined };
    return { entities: first.value, continuationToken: first.value.continuationToken || undefined };
  } catch (error) {
    // Only the token can make a well-formed query bad.
    if (continuationToken !== undefined && isTableFailure(error, 400)) throw invalidToken(error);
    throw translateTableError(error, 'listing servers');
  }
}

function invalidToken(cause?: unknown): AppError {
  return new AppError('invalid-request', 'continuationToken is not one this listing returned', {
    cause,
    errors: [{ field: 'continuationToken', message: 'is not a continuation token this listing returned' }],
  });
}
