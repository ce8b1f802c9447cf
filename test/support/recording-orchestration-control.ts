/** An OrchestrationControl that records what the use cases asked for. */
import type { OrchestrationControl } from '../../shared/domain/ports';

export class RecordingOrchestrationControl implements OrchestrationControl {
  readonly requests: string[] = [];
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
}
