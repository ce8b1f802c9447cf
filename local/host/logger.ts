/**
 * Structured, readable host logs: one line per event with a stable event name, a human message and
 * key=value fields (or one JSON object per line with LOCAL_HOST_LOG_FORMAT=json).
 */
import type { LocalLogEvent } from '../log-events';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: LocalLogEvent, message: string, fields?: LogFields): void;
  info(event: LocalLogEvent, message: string, fields?: LogFields): void;
  warn(event: LocalLogEvent, message: string, fields?: LogFields): void;
  error(event: LocalLogEvent, message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  format?: 'text' | 'json';
  level?: LogLevel;
  write?: (line: string) => void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? 'text';
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel, event: LocalLogEvent, message: string, fields: LogFields = {}) => {
    if (RANK[level] < threshold) return;
    const time = new Date().toISOString();
    if (format === 'json') {
      write(JSON.stringify({ time, level, event, message, ...fields }));
      return;
    }
    // Text lines skip fields the message already shows; JSON lines keep them all.
    const pairs = Object.entries(fields)
      .filter(([, value]) => value !== undefined && value !== null && value !== '' && !(typeof value === 'string' && message.includes(value)))
      .map(([key, value]) => `${key}=${formatValue(value)}`)
      .join(' ');
    write(`${time} ${level.toUpperCase().padEnd(5)} [${event}] ${message}${pairs ? `  (${pairs})` : ''}`);
  };
  return {
    debug: (event, message, fields) => emit('debug', event, message, fields),
    info: (event, message, fields) => emit('info', event, message, fields),
    warn: (event, message, fields) => emit('warn', event, message, fields),
    error: (event, message, fields) => emit('error', event, message, fields),
  };
}

function formatValue(value: string | number | boolean | null | undefined): string {
  const text = String(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/** The worker's log levels mapped onto ours; `none` means "do not log". */
export function fromRpcLogLevel(level: string): LogLevel | undefined {
  switch (level) {
    case 'trace':
    case 'debug':
      return 'debug';
    case 'information':
      return 'info';
    case 'warning':
      return 'warn';
    case 'error':
    case 'critical':
      return 'error';
    default:
      return undefined;
  }
}

export function parseLogLevel(value: string | undefined): LogLevel {
  return value === 'debug' || value === 'warn' || value === 'error' ? value : 'info';
}
