/** Azure ML's VM sizes for a location (VirtualMachineSizes_List: `{value: [...]}`, not paged). */
import { ArmError } from '../arm-error';
import type { ArmHandler } from '../context';
import { requireSubscription } from '../lookups';
import { vmSizesIn } from '../seed';

export const listVmSizes: ArmHandler = (ctx, request) => {
  requireSubscription(ctx, request.params);
  const location = request.params.location ?? '';
  const sizes = vmSizesIn(ctx.seed, location);
  if (sizes.length === 0) {
    throw new ArmError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location '${location}' and API version '${request.apiVersion}' ` +
        `for type 'locations/vmSizes'. The supported locations are '${Object.keys(ctx.seed.vmSizes).join(', ')}'.`,
    );
  }
  return { status: 200, body: { value: sizes } };
};
