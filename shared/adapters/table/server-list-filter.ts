/**
 * The OData filter of the admin listing. Every value goes through the library's `odata` tag, which
 * quotes it and doubles its single quotes, so a user name such as `x' or true or '` is compared
 * literally and can never widen the query.
 */
import { odata } from '@azure/data-tables';
import type { ServerListQuery } from '../../domain/ports';
import { SERVER_ROW_KEY } from './server-entity';

export type ServerListCriteria = Pick<ServerListQuery, 'user' | 'project' | 'state'>;

export function serverListFilter(criteria: ServerListCriteria): string {
  const clauses = [odata`RowKey eq ${SERVER_ROW_KEY}`];
  if (criteria.user !== undefined) clauses.push(odata`user eq ${criteria.user}`);
  if (criteria.project !== undefined) clauses.push(odata`project eq ${criteria.project}`);
  if (criteria.state !== undefined) clauses.push(odata`state eq ${criteria.state}`);
  return clauses.join(' and ');
}
