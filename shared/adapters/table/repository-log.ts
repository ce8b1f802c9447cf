/** Structured events the Table Storage repository reports; the composition root decides where they go. */
export type TableRepositoryEvent =
  | 'server-entity-unreadable'
  | 'active-index-row-dropped'
  | 'active-index-release-failed';

export type TableRepositoryLog = (event: TableRepositoryEvent, fields: Record<string, unknown>) => void;

export const silentLog: TableRepositoryLog = () => undefined;
