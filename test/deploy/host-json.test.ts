/**
 * host.json as Flex Consumption and Durable Functions read it: the extension bundle, a stable task
 * hub, refusing to restart a running orchestration, logging that keeps the app's events and
 * quiets the storage provider, and a timeout the plan allows. The local host must read it too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHostConfig } from '../../local/host/host-config';
import { REPO_ROOT } from './support/arm-schemas';

interface HostJson {
  version: string;
  extensionBundle: { id: string; version: string };
  functionTimeout: string;
  logging: { logLevel: Record<string, string>; applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes: string } } };
  extensions: {
    http: { routePrefix: string };
    durableTask: {
      hubName: string;
      overridableExistingInstanceStates: string;
      tracing: { traceInputsAndOutputs: boolean; traceReplayEvents: boolean };
      storageProvider: { type: string; connectionName: string; partitionCount: number };
    };
  };
}

const host = JSON.parse(readFileSync(join(REPO_ROOT, 'host.json'), 'utf8')) as HostJson;
const LEVELS = ['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical', 'None'];

function seconds(timeSpan: string): number {
  const match = /^(\d{2}):(\d{2}):(\d{2})$/.exec(timeSpan);
  if (!match) throw new Error(`Not a hh:mm:ss time span: ${timeSpan}`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

it('is a version 2.0 host.json using the v4 extension bundle (Durable Functions 2.x/3.x, identity connections)', () => {
  expect(host.version).toBe('2.0');
  expect(host.extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
});

it('serves HTTP functions under /api, as the spawner shim and openapi.yaml expect', () => {
  expect(host.extensions.http.routePrefix).toBe('api');
});

it('keeps one stable task hub, so an upgrade resumes in-flight orchestrations', () => {
  expect(host.extensions.durableTask.hubName).toBe('AmlJupyterHub');
  expect(host.extensions.durableTask.hubName).toMatch(/^[A-Za-z][A-Za-z0-9]{2,44}$/);
});

it('refuses to start an orchestration whose instance id is still running (set explicitly, older docs differ)', () => {
  expect(host.extensions.durableTask.overridableExistingInstanceStates).toBe('NonRunningStates');
});

it('uses the Azure Storage provider through the identity-based AzureWebJobsStorage connection', () => {
  expect(host.extensions.durableTask.storageProvider).toEqual({ type: 'AzureStorage', connectionName: 'AzureWebJobsStorage', partitionCount: 4 });
});

it('keeps user names and server ids out of Durable tracking events', () => {
  expect(host.extensions.durableTask.tracing).toEqual({ traceInputsAndOutputs: false, traceReplayEvents: false });
});

it('bounds a function run well inside what Flex Consumption allows (default 30 minutes)', () => {
  const timeout = seconds(host.functionTimeout);
  expect(timeout).toBeGreaterThanOrEqual(5 * 60); // an activity's ARM calls with the SDK's retries
  expect(timeout).toBeLessThanOrEqual(30 * 60);
});

it("logs the app's own events and request results, and only warnings from the storage provider", () => {
  const levels = host.logging.logLevel;
  for (const level of Object.values(levels)) expect(LEVELS).toContain(level);
  expect(levels).toMatchObject({ Function: 'Information', 'Host.Results': 'Information', 'DurableTask.AzureStorage': 'Warning', 'DurableTask.Core': 'Warning' });
  expect(LEVELS.indexOf(levels.default)).toBeGreaterThanOrEqual(LEVELS.indexOf('Information'));
  expect(host.logging.applicationInsights.samplingSettings).toMatchObject({ isEnabled: true, excludedTypes: 'Request;Exception' });
});

it('is read by the local host with the same route prefix, hub and instance policy', () => {
  const config = loadHostConfig(REPO_ROOT, {});
  expect(config).toMatchObject({
    found: true,
    routePrefix: 'api',
    durable: { hubName: 'AmlJupyterHub', overridableExistingInstanceStates: 'NonRunningStates', connectionSettingName: 'AzureWebJobsStorage' },
  });
});
