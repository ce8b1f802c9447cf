/**
 * An Azure Resource Manager emulator for Azure Machine Learning compute instances, served over
 * HTTPS so that the real Azure SDK clients talk to it unchanged. See README.md for the knobs,
 * the endpoints and the scenario API.
 */
import type { AddressInfo } from 'node:net';
import { ensureCertificates } from '../tls';
import type { EmulatorContext } from './context';
import { durationsOf } from './context';
import { resetEmulator } from './control-routes';
import { FaultInjector } from './faults';
import { settleWithIdleShutdown } from './idle-shutdown';
import { resolveOptions, type ArmEmulatorOptions } from './options';
import { RequestLog } from './request-log';
import { ScenarioBook } from './scenarios';
import { SEED } from './seed';
import { buildServer } from './server';
import { StateStore } from './state-store';
import { Stats } from './stats';
import { Throttler } from './throttling';

export { ARM_THROTTLE_LIMITS, optionsFromEnv, type ArmEmulatorOptions, type BucketLimits, type ThrottleLimits } from './options';
export { OPERATION_NAMES } from './arm-routes';
export type { ScenarioInput, Scenario } from './scenarios';
export type { SecondCounts, StatsSnapshot } from './stats';
export type { ComputeHistory, StateTransition } from './state-history';
export type { RecordedRequest } from './request-log';
export { SEED_SUBSCRIPTION_ID } from './seed';

export interface ArmEmulator {
  /** https://127.0.0.1:<port>, the ARM endpoint to give the SDK clients. */
  url: string;
  port: number;
  subscriptionId: string;
  /** The managed-identity endpoint (IDENTITY_ENDPOINT) served beside ARM. */
  identityEndpoint: string;
  /** The X-IDENTITY-HEADER value it expects (IDENTITY_HEADER). */
  identityHeader: string;
  /** The CA certificate clients must trust (NODE_EXTRA_CA_CERTS). */
  caPath: string;
  /** Same as POST /_emulator/reset. */
  reset(): void;
  stop(): Promise<void>;
}

export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<ArmEmulator> {
  const resolved = resolveOptions(options);
  const tls = await ensureCertificates(resolved.tlsDir);
  const durations = durationsOf(resolved);
  const ctx: EmulatorContext = {
    options: resolved,
    seed: SEED,
    store: new StateStore(resolved.dataDir, (record, now) => settleWithIdleShutdown(record, now, durations.stopMs)),
    scenarios: new ScenarioBook(),
    stats: new Stats(),
    requests: new RequestLog(),
    throttler: new Throttler(resolved.throttleLimits),
    faults: new FaultInjector(resolved.faultRate, resolved.faultSeed),
    durations,
    now: resolved.now,
  };
  const app = buildServer(ctx, tls);
  await app.listen({ host: resolved.host, port: resolved.port });
  const port = (app.server.address() as AddressInfo).port;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  const url = `https://${host}:${port}`;
  return {
    url,
    port,
    subscriptionId: SEED.subscription.id,
    identityEndpoint: `${url}/msi/token`,
    identityHeader: resolved.identityHeader,
    caPath: tls.caPath,
    reset: () => resetEmulator(ctx),
    stop: async () => {
      await app.close();
    },
  };
}
