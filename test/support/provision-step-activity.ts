/**
 * The provisionStep activity as `functions/provision-step.ts` runs it, for orchestration replays:
 * the input is the server id, or the id with the instance a wake or a paced step carried.
 */
import { provisionStepInput, type ProvisionStepInput } from '../../shared/adapters/durable/orchestration-names';
import type { ComputeInstance } from '../../shared/domain/ports';
import { advanceProvisioning, type ProvisioningDeps } from '../../shared/use-cases/advance-provisioning';
import type { ActivityImplementation } from './orchestration-replay';

export function provisionStepActivity(deps: ProvisioningDeps): ActivityImplementation {
  return (input) => {
    const { serverId, observed } = provisionStepInput(input as ProvisionStepInput<ComputeInstance>);
    return advanceProvisioning(deps, serverId, observed);
  };
}
