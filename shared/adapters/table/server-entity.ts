/**
 * How a `Server` is laid out as one Table Storage entity, and back.
 *
 * PartitionKey = server id, RowKey = "server" (one entity per partition, so a status read is one
 * point read). Scalars are string columns named after the `Server` fields; a `null` is stored as an
 * absent column. `progress` and `error` are JSON strings, capped by `entity-limits.ts`.
 */
import { z } from 'zod';
import { DEFAULT_APP } from '../../domain/landing';
import { SERVER_STATES, SIZE_LABELS, STOP_REASONS, type Server } from '../../domain/server';
import { capError, capProgress } from './entity-limits';

export const SERVER_ROW_KEY = 'server';

/** A type alias rather than an interface, so it reads as the `Record` the service returns. */
export type ServerEntity = {
  partitionKey: string;
  rowKey: string;
  /** Absent in rows written before hubs were recorded. */
  hubId?: string;
  user: string;
  serverName: string;
  project: string;
  size: string;
  vmSize: string;
  userObjectId?: string;
  tenantId?: string;
  state: string;
  amlState?: string;
  url?: string;
  /** Absent on rows written before landing choices: read as `jupyterlab`. */
  app?: string;
  /** JSON object app id → url; absent when empty. */
  appUrls?: string;
  /** JSON array of progress events. */
  progress: string;
  /** JSON `{code, message}`. */
  error?: string;
  stopReason?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  stoppedAt?: string;
  lastActivityAt?: string;
  /** Absent on rows written before it existed: read as `updatedAt`. */
  phaseSince?: string;
  launchRequestedAt?: string;
  sessionEndedAt?: string;
};

export type ServerEntityReading = { ok: true; server: Server } | { ok: false; id: string; problems: string[] };

const optional = z.string().nullish().transform((value) => value ?? null);

const ProgressEventSchema = z.object({ at: z.string(), progress: z.number(), message: z.string() });
const ServerErrorSchema = z.object({ code: z.string(), message: z.string() });

const jsonOf = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx): z.output<T> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', message: `${issue.path.join('.') || '(value)'}: ${issue.message}` });
      }
      return z.NEVER;
    }
    return parsed.data;
  });

const ServerEntitySchema = z.object({
  partitionKey: z.string().min(1),
  hubId: optional,
  user: z.string(),
  serverName: z.string(),
  project: z.string(),
  size: z.enum(SIZE_LABELS),
  vmSize: z.string(),
  userObjectId: optional,
  tenantId: optional,
  state: z.enum(SERVER_STATES),
  amlState: optional,
  url: optional,
  app: z.string().min(1).nullish().transform((value) => value ?? DEFAULT_APP),
  appUrls: jsonOf(z.record(z.string(), z.string())).nullish().transform((value) => value ?? {}),
  progress: jsonOf(z.array(ProgressEventSchema)),
  error: jsonOf(ServerErrorSchema).nullish().transform((value) => value ?? null),
  stopReason: z.enum(STOP_REASONS).nullish().transform((value) => value ?? null),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: optional,
  stoppedAt: optional,
  lastActivityAt: optional,
  phaseSince: optional,
  launchRequestedAt: optional,
  sessionEndedAt: optional,
});

/** The server exactly as it will read back once stored (progress and error capped). */
export function storedForm(server: Server): Server {
  return { ...server, progress: capProgress(server.progress), error: capError(server.error) };
}

export function toServerEntity(server: Server): ServerEntity {
  const stored = storedForm(server);
  return {
    partitionKey: stored.id,
    rowKey: SERVER_ROW_KEY,
    ...column('hubId', stored.hubId),
    user: stored.user,
    serverName: stored.serverName,
    project: stored.project,
    size: stored.size,
    vmSize: stored.vmSize,
    ...column('userObjectId', stored.userObjectId),
    ...column('tenantId', stored.tenantId),
    state: stored.state,
    ...column('amlState', stored.amlState),
    ...column('url', stored.url),
    app: stored.app,
    ...column('appUrls', Object.keys(stored.appUrls).length === 0 ? null : JSON.stringify(stored.appUrls)),
    progress: JSON.stringify(stored.progress),
    ...column('error', stored.error === null ? null : JSON.stringify(stored.error)),
    ...column('stopReason', stored.stopReason),
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    ...column('startedAt', stored.startedAt),
    ...column('stoppedAt', stored.stoppedAt),
    ...column('lastActivityAt', stored.lastActivityAt),
    phaseSince: stored.phaseSince,
    ...column('launchRequestedAt', stored.launchRequestedAt),
    ...column('sessionEndedAt', stored.sessionEndedAt),
  };
}

/** A nullable field as an optional column: `null` leaves the column out. */
function column<K extends keyof ServerEntity>(name: K, value: string | null): Partial<Record<K, string>> {
  return value === null ? {} : ({ [name]: value } as Partial<Record<K, string>>);
}

/** Reads an entity as the service returned it; a malformed entity is reported, never thrown. */
export function fromServerEntity(entity: Readonly<Record<string, unknown>>): ServerEntityReading {
  const parsed = ServerEntitySchema.safeParse(entity);
  if (!parsed.success) {
    const id = typeof entity.partitionKey === 'string' ? entity.partitionKey : '(unknown)';
    return {
      ok: false,
      id,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'entity'}: ${issue.message}`),
    };
  }
  const { partitionKey, phaseSince, ...fields } = parsed.data;
  return { ok: true, server: { id: partitionKey, ...fields, phaseSince: phaseSince ?? fields.updatedAt } };
}
