/** Structured events the Table Storage repository reports; the composition root decides where they go. */
import type { AppLogEvents } from '../../logging/log-events';

export type TableRepositoryEvent = 'server-entity-unreadable' | 'active-index-row-dropped' | 'active-index-release-failed';

export type TableRepositoryLog = <E extends TableRepositoryEvent>(event: E, fields: AppLogEvents[E]) => void;

export const silentLog: TableRepositoryLog = () => undefined;
