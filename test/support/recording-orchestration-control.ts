/** An OrchestrationControl that records what the use cases asked for, and answers liveness from a set the test controls. */
import type { OrchestrationControl, ServerRunKind } from '../../shared/domain/ports';

export class RecordingOrchestrationControl implements OrchestrationControl {
  readonly requests: string[] = [];
  /** Runs the test declares live, as `${kind} ${serverId}` (e.g. `stop ci-…`). */
  readonly live = new Set<string>();
  async ensureProvisioning(serverId: string): Promise<void> {
    this.requests.push(`provision ${serverId}`);
  }
  async cancelProvisioning(serverId: string): Promise<void> {
    this.requests.push(`cancel ${serverId}`);
  }
  async ensureStopping(serverId: string): Promise<void> {
    this.requests.push(`stop ${serverId}`);
  }
  async ensureDeleting(serverId: string): Promise<void> {
    this.requests.push(`delete ${serverId}`);
  }
  async isLive(kind: ServerRunKind, serverId: string): Promise<boolean> {
    return this.live.has(`${kind} ${serverId}`);
  }
}
