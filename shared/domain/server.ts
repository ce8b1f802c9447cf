/** The product's view of one compute instance: the shape stored in Table Storage and served by the API. */

export const SERVER_STATES = [
  'Requested',
  'Creating',
  'Starting',
  'Running',
  'Stopping',
  'Stopped',
  'Failed',
  'Deleting',
  'Deleted',
] as const;
export type ServerState = (typeof SERVER_STATES)[number];

export const SIZE_LABELS = ['Small', 'Medium', 'Large', 'GPU'] as const;
export type SizeLabel = (typeof SIZE_LABELS)[number];

export const STOP_REASONS = ['user', 'idle', 'max-runtime', 'admin', 'external', 'budget', 'schedule'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export interface ProgressEvent {
  /** ISO 8601 time of the event. */
  at: string;
  /** 0..100, as JupyterHub's progress bar expects. */
  progress: number;
  message: string;
}

export interface ServerError {
  code: string;
  /** Azure's own message where Azure said something. */
  message: string;
}

export interface Server {
  id: string;
  /**
   * HUB_ID of the hub that spawned it: with user, project and serverName, who the id belongs to.
   * null for a server stored before hubs were recorded.
   */
  hubId: string | null;
  user: string;
  serverName: string;
  project: string;
  size: SizeLabel;
  vmSize: string;
  userObjectId: string | null;
  tenantId: string | null;
  state: ServerState;
  /** Azure ML's raw compute-instance state, null before Azure reported one. */
  amlState: string | null;
  /** The JupyterLab url while Running (deep links go below it). */
  url: string | null;
  /** Where the person lands (`user_options.app`): an app id of `landing.ts`, `jupyterlab` by default. */
  app: string;
  /**
   * The landing url of each app the instance listed when it last became Running, by app id
   * (`landing.ts` landingUrls). Internal: the API serves the chosen one as `appUrl`, and only
   * while `url` is set (the instance runs).
   */
  appUrls: Record<string, string>;
  progress: ProgressEvent[];
  error: ServerError | null;
  stopReason: StopReason | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
  lastActivityAt: string | null;
  /**
   * When the server entered its current phase (provisioning, stopping, deleting, or at rest /
   * running); bounds how long a server may stay transitional. Internal: not served by the API.
   */
  phaseSince: string;
  /**
   * Set, before the request is sent, when a provisioning run creates or starts the instance, and
   * cleared once Azure has answered it: while set, a create or start may be in flight, so a stop
   * or delete that finds no instance (or a stopped one) must look again. Internal, not served.
   */
  launchRequestedAt: string | null;
  /**
   * When the class session that launched this server ended while it ran. From then Azure ML's idle
   * shutdown, shortened to SCHEDULE_IN_USE_MINUTES, stops it once no one works on it, and the sweep
   * records that stop as the schedule's. Internal, not served.
   */
  sessionEndedAt: string | null;
}

/** A stored server together with the ETag that guards the next write. */
export interface VersionedServer {
  server: Server;
  etag: string;
}
