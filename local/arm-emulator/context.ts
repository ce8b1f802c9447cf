/** Everything a request handler of the emulator can reach, and the shape of ARM handlers. */
import type { Principal } from './access-token';
import type { Durations } from './lifecycle';
import type { ResolvedOptions } from './options';
import type { RequestLog } from './request-log';
import type { ScenarioBook } from './scenarios';
import type { Seed } from './seed';
import type { StateStore } from './state-store';
import type { Stats } from './stats';
import type { Throttler } from './throttling';
import type { FaultInjector } from './faults';

export interface EmulatorContext {
  options: ResolvedOptions;
  seed: Seed;
  store: StateStore;
  scenarios: ScenarioBook;
  stats: Stats;
  requests: RequestLog;
  throttler: Throttler;
  faults: FaultInjector;
  durations: Durations;
  /** http://127.0.0.1:<labPort>: where the instances' lab pages are served (their endpointUri). */
  labBaseUrl: string;
  /** With the `jupyter` option: stops every instance's JupyterLab (on reset). */
  stopLabs?: () => Promise<void>;
  now(): number;
}

export interface ArmRequest {
  method: string;
  /** The path without query string, as sent. */
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  /** https://host:port the client used, for links in replies (nextLink, operation URLs, endpoints). */
  baseUrl: string;
  apiVersion: string;
  principal: Principal;
}

export interface ArmReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Handlers answer a reply or throw an `ArmError`. */
export type ArmHandler = (ctx: EmulatorContext, request: ArmRequest) => ArmReply;

export function durationsOf(options: ResolvedOptions): Durations {
  return {
    createMs: options.createSeconds * 1000,
    startMs: options.startSeconds * 1000,
    stopMs: options.stopSeconds * 1000,
    deleteMs: options.deleteSeconds * 1000,
  };
}
