export { TableServerRepository, type TableServerRepositoryOptions } from './table-server-repository';
export type { TableConnection } from './server-tables';
export type { TableRepositoryEvent, TableRepositoryLog } from './repository-log';
export { ENTITY_LIMITS } from './entity-limits';
