/**
 * An Azure Resource Manager emulator for Azure Machine Learning compute instances, served over
 * HTTPS so that the real Azure SDK clients talk to it unchanged. See README.md for the knobs,
 * the endpoints and the scenario API.
 */
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCertificates } from '../tls';
import type { EmulatorContext } from './context';
import { durationsOf } from './context';
import { resetEmulator } from './control-routes';
import { FaultInjector } from './faults';
import { settleWithIdleShutdown } from './idle-shutdown';
import { labBasePath } from './compute-view';
import { ensureJupyterPython } from './jupyter/python-environment';
import { JupyterSupervisor } from './jupyter/supervisor';
import { buildLabListener } from './lab-listener';
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
export { ensureJupyterPython, hasJupyterLab } from './jupyter/python-environment';

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
  /** http://127.0.0.1:<labPort>: the instances' lab pages (plain http on loopback, no certificate warning). */
  labUrl: string;
  /** With the `jupyter` option: the JupyterLab processes now running (instance name, pid, port); else []. */
  labs(): { name: string; pid: number | undefined; port: number }[];
  /** Same as POST /_emulator/reset. */
  reset(): void;
  stop(): Promise<void>;
}

export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<ArmEmulator> {
  const resolved = resolveOptions(options);
  const tls = await ensureCertificates(resolved.tlsDir);
  // Before listening: a first `jupyter` run creates the Python environment (minutes, once).
  const python = resolved.jupyter
    ? await ensureJupyterPython({ python: resolved.jupyterPython, venvDir: resolved.jupyterVenvDir, log: (line) => process.stdout.write(`${line}\n`) })
    : null;
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
    labBaseUrl: '',
    now: resolved.now,
  };
  // An instance's disk outlives a stop, as on Azure; in memory (dataDir null), it lives in a temp folder until the emulator stops.
  const labsDir = python === null ? null : resolved.dataDir === null ? fs.mkdtempSync(path.join(os.tmpdir(), 'arm-emulator-labs-')) : path.join(resolved.dataDir, 'labs');
  const jupyter = python === null || labsDir === null
    ? null
    : new JupyterSupervisor({
        python,
        labsDir,
        store: ctx.store,
        now: ctx.now,
        basePathOf: labBasePath,
      });
  if (jupyter) ctx.stopLabs = () => jupyter.stopAll();
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  const labs = buildLabListener(ctx, jupyter);
  const app = buildServer(ctx, tls);
  try {
    await labs.listen({ host: resolved.host, port: resolved.labPort });
    ctx.labBaseUrl = `http://${host}:${(labs.server.address() as AddressInfo).port}`;
    await app.listen({ host: resolved.host, port: resolved.port });
  } catch (error) {
    await jupyter?.close();
    await labs.close();
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  const url = `https://${host}:${port}`;
  return {
    url,
    port,
    subscriptionId: SEED.subscription.id,
    identityEndpoint: `${url}/msi/token`,
    identityHeader: resolved.identityHeader,
    caPath: tls.caPath,
    labUrl: ctx.labBaseUrl,
    labs: () => jupyter?.list() ?? [],
    reset: () => resetEmulator(ctx),
    stop: async () => {
      await jupyter?.close();
      await labs.close();
      await app.close();
      if (labsDir !== null && resolved.dataDir === null) fs.rmSync(labsDir, { recursive: true, force: true });
    },
  };
}
