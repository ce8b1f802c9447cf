/** The API's input schemas (DESIGN.md "Input rules"): strict, unknown fields rejected. */
import { z } from 'zod';
import { APP_ID_PATTERN, DEFAULT_APP } from '../domain/landing';
import { SERVER_ID_PATTERN } from '../domain/naming';
import { PROJECT_NAME_PATTERN } from '../domain/projects';
import { SERVER_STATES, SIZE_LABELS, STOP_REASONS } from '../domain/server';
import { USAGE_GROUPINGS } from '../domain/usage';

// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/**
 * A UTF-16 surrogate not in a pair (JSON can spell one as "\ud800") is no character, and U+FFFD is
 * what a lossy decoder (a query string's %E9) leaves for bytes it could not read: either would let
 * two different names become one user.
 */
const VALID_UNICODE = /^[^\p{Cs}\uFFFD]*$/u;

export const UserNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(NO_CONTROL_CHARACTERS, 'must not contain control characters')
  .regex(VALID_UNICODE, 'must be valid Unicode (no lone surrogates or U+FFFD replacement characters)');
export const ProjectNameSchema = z.string().regex(PROJECT_NAME_PATTERN, 'must be a valid workspace name (3-33 letters, digits, _ or -)');
export const ServerNameSchema = z.string().max(64).regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"');
export const ServerIdSchema = z.string().regex(SERVER_ID_PATTERN, 'must be a server id such as ci-0123456789abcdef01234');
const GuidSchema = z.guid();

export const SpawnRequestSchema = z.strictObject({
  user: UserNameSchema,
  project: ProjectNameSchema,
  size: z.enum(SIZE_LABELS),
  serverName: ServerNameSchema.default(''),
  app: z.string().regex(APP_ID_PATTERN, 'must be an application id such as jupyterlab, jupyter, vscode').default(DEFAULT_APP),
  userObjectId: GuidSchema.optional(),
  tenantId: GuidSchema.optional(),
});
export type SpawnRequestBody = z.infer<typeof SpawnRequestSchema>;

export const StopRequestSchema = z.strictObject({
  reason: z.enum(STOP_REASONS).default('user'),
});
export type StopRequestBody = z.infer<typeof StopRequestSchema>;

export const ActivityRequestSchema = z.strictObject({
  lastActivity: z.iso.datetime({ offset: true }),
});
export type ActivityRequestBody = z.infer<typeof ActivityRequestSchema>;

export const ServerPathSchema = z.strictObject({ id: ServerIdSchema });

export const ListQuerySchema = z.strictObject({
  user: UserNameSchema.optional(),
  project: ProjectNameSchema.optional(),
  state: z.enum(SERVER_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  continuationToken: z.string().min(1).max(2048).regex(/^[A-Za-z0-9+/=_\-.:!*]+$/, 'not a continuation token').optional(),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

export const OptionsQuerySchema = z.strictObject({
  user: UserNameSchema,
  userObjectId: GuidSchema.optional(),
});

/** The usage window: ISO 8601 instants with an offset; both optional (this month so far). */
export const UsageQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  groupBy: z.enum(USAGE_GROUPINGS).default('project'),
});
