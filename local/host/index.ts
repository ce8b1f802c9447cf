/**
 * A local Azure Functions host for Node.js apps on the v4 programming model: provides
 * `@azure/functions-core` as the Node.js worker does, serves HTTP triggers with ASP.NET routing
 * and function keys, runs timer triggers, and runs Durable Functions with the local engine.
 */
export { startHost } from './host';
export type { RunningHost, StartHostOptions } from './host';
export { createLogger, parseLogLevel } from './logger';
export type { Logger, LogLevel, LogFields } from './logger';
export { loadAppSettings, resolveSettingReferences, AppSettingsError } from './app-settings';
export type { AppSettings } from './app-settings';
export { loadHostConfig, HostConfigError, DEFAULT_HUB_NAME } from './host-config';
export type { HostConfig } from './host-config';
export { parseRouteTemplate, matchRouteTemplate, compareRouteTemplates, RouteTemplateError } from './http/route-template';
export type { RouteTemplate } from './http/route-template';
export { RouteTable } from './http/route-table';
export { parseTimerSchedule, parseTimeSpan, TimerScheduleError } from './timer/timer-schedule';
export type { TimerSchedule } from './timer/timer-schedule';
export { globFiles } from './glob-files';
export { DEFAULT_FUNCTION_KEY } from './http/function-key';
