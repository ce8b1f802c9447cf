/** Azure ML computes: get one, list a workspace's (paged with nextLink and $skip). */
import { resourceNotFound } from '../arm-error';
import type { ArmHandler } from '../context';
import { toArmCompute } from '../compute-view';
import { requireWorkspace } from '../lookups';

export const getCompute: ArmHandler = (ctx, request) => {
  const ws = requireWorkspace(ctx, request.params);
  const name = request.params.computeName ?? '';
  const record = ctx.store.compute(ws.resourceGroup, ws.name, name, ctx.now());
  if (!record) throw resourceNotFound(`Microsoft.MachineLearningServices/workspaces/${ws.name}/computes`, name, ws.resourceGroup);
  return { status: 200, body: toArmCompute(record, ctx.seed.subscription.id, ctx.labBaseUrl) };
};

export const listComputes: ArmHandler = (ctx, request) => {
  const ws = requireWorkspace(ctx, request.params);
  const all = ctx.store.computesIn(ws.resourceGroup, ws.name, ctx.now());
  const skip = Math.max(0, Number.parseInt(request.query.$skip ?? '0', 10) || 0);
  const size = ctx.options.computePageSize;
  const page = all.slice(skip, skip + size);
  const more = skip + size < all.length;
  return {
    status: 200,
    body: {
      value: page.map((record) => toArmCompute(record, ctx.seed.subscription.id, ctx.labBaseUrl)),
      ...(more
        ? { nextLink: `${request.baseUrl}${request.path}?api-version=${encodeURIComponent(request.apiVersion)}&$skip=${skip + size}` }
        : {}),
    },
  };
};
