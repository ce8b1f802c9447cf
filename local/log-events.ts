/**
 * Every event the local runtime (host and Durable engine) logs, by its stable name — the local
 * runtime's catalogue, as durabletask-js keeps its `logs.ts`. The runtime's loggers accept only
 * these names, so a new event is added here or it does not compile. (The app's own events are in
 * `shared/logging/log-events.ts`; `local/` never imports `shared/`.)
 */
export const LOCAL_LOG_EVENTS = {
  // The host
  'host.settings': 'app settings loaded from local.settings.json',
  'host.no-proxy': 'loopback added to NO_PROXY because an HTTP proxy is configured',
  'host.config': 'host.json missing or unusable; defaults used',
  'host.app-loaded': 'the app\'s entry points loaded and its functions registered',
  'host.function-error': 'a function could not be registered and answers in error',
  'host.started': 'the host listens',
  'host.stopping': 'a signal asked the host to stop',
  'host.stopped': 'the host stopped',
  'host.stop-failed': 'stopping the host failed',
  'host.unhandled-rejection': 'a promise rejection no one handled (the host carries on)',
  'hook.failed': 'an app or log hook threw',
  'http.request': 'a request served by the host (method, path, status, duration)',
  'http.failed': 'an HTTP request to the host failed unexpectedly',
  'http.timeout': 'a function did not answer within the response timeout',
  'http.body-refused': 'a request body was refused (too large, unreadable)',
  'timer.scheduled': 'the next run of a timer function',
  'function.executing': 'an invocation starts',
  'function.executed': 'an invocation ended (succeeded or failed)',
  'function.exception': 'the stack of a failed invocation',
  'function.log': "a line the app logged through its context",
  'function.system': "a line the worker logged about the app",
  // The Durable engine
  'durable.dispatch-failed': 'polling for durable work failed',
  'durable.episode-failed': 'an orchestration episode failed to run',
  'durable.episode-unstorable': 'an episode could not be stored; the instance failed',
  'durable.episode-conflict': 'the instance changed during its episode; it is replayed',
  'durable.version-rejected': 'an instance was not run because of its version',
  'durable.status': 'an orchestration reached a new runtime status',
  'durable.continued-as-new': 'an orchestration continued as new',
  'durable.cleanup-failed': 'an old history could not be deleted',
  'durable.entity-failed': 'an entity failed a batch of operations',
  'durable.activity-dispatch-failed': 'an activity result could not be stored',
  'durable.activity-skipped': 'an activity whose orchestration no longer waits for it was skipped',
  'durable.activity-reclaimed': 'an activity of a dead process is run again',
  'durable.lease-lost': 'an activity lost its lease and may run twice',
  'durable.lease-renewal-failed': 'renewing an activity lease failed',
} as const;

export type LocalLogEvent = keyof typeof LOCAL_LOG_EVENTS;
