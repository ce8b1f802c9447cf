/** OrchestrationControl over the durable client: one run per server and kind, via derived instance ids. */
import * as df from 'durable-functions';
import type { OrchestrationControl, ServerRunKind } from '../../domain/ports';
import { instanceIdFor, ORCHESTRATIONS, type OrchestrationKind, type ServerOrchestrationInput } from '../../orchestrations/orchestration-names';

const LIVE: readonly string[] = [
  df.OrchestrationRuntimeStatus.Pending,
  df.OrchestrationRuntimeStatus.Running,
  df.OrchestrationRuntimeStatus.ContinuedAsNew,
  df.OrchestrationRuntimeStatus.Suspended,
];

/** The bounds of the runs; when to look is the watcher's (wait-timing.ts), not the run's. */
export interface RunTimings {
  provisionTimeoutMinutes: number;
  /** Bound of a stop or delete run. */
  windDownTimeoutMinutes: number;
}

export function isLiveStatus(status: string | undefined): boolean {
  return status !== undefined && LIVE.includes(status);
}

export class DurableOrchestrationControl implements OrchestrationControl {
  constructor(
    private readonly client: df.DurableClient,
    private readonly timings: RunTimings,
  ) {}

  ensureProvisioning(serverId: string): Promise<void> {
    return this.ensureLive('provision', serverId);
  }

  ensureStopping(serverId: string): Promise<void> {
    return this.ensureLive('stop', serverId);
  }

  ensureDeleting(serverId: string): Promise<void> {
    return this.ensureLive('delete', serverId);
  }

  isLive(kind: ServerRunKind, serverId: string): Promise<boolean> {
    return this.isRunLive(instanceIdFor(kind, serverId));
  }

  async cancelProvisioning(serverId: string, reason: string): Promise<void> {
    const instanceId = instanceIdFor('provision', serverId);
    if (await this.isRunLive(instanceId)) await this.client.terminate(instanceId, reason);
  }

  /**
   * Starts the run unless one is live. The start comes first, without a status check before it:
   * the host refuses to start an instance id that is still live (host.json
   * overridableExistingInstanceStates NonRunningStates), so the check is only needed when the start
   * fails, and a first spawn — the common case — costs one call to the durable API instead of two.
   */
  private async ensureLive(kind: OrchestrationKind, serverId: string): Promise<void> {
    const instanceId = instanceIdFor(kind, serverId);
    const provisioning = kind === 'provision';
    const input: ServerOrchestrationInput = {
      serverId,
      timeoutMinutes: provisioning ? this.timings.provisionTimeoutMinutes : this.timings.windDownTimeoutMinutes,
    };
    try {
      await this.client.startNew(ORCHESTRATIONS[kind], { instanceId, input });
    } catch (error) {
      // Refused because the run is live (an earlier spawn, or a concurrent caller, started it): the run we wanted exists.
      if (await this.isRunLive(instanceId)) return;
      throw error;
    }
  }

  private isRunLive(instanceId: string): Promise<boolean> {
    return isInstanceLive(this.client, instanceId);
  }
}

/** Whether the instance is pending, running or suspended; an unknown instance is not. */
export async function isInstanceLive(client: df.DurableClient, instanceId: string): Promise<boolean> {
  try {
    const status = await client.getStatus(instanceId, { showHistory: false, showInput: false });
    return isLiveStatus(status.runtimeStatus);
  } catch (error) {
    if (error instanceof Error && /\b404\b/.test(error.message)) return false;
    throw error;
  }
}
