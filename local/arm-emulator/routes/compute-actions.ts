/** start / stop / restart (POST → 202), delete (DELETE → 202) and the idle-shutdown update of an instance. */
import { badRequest, conflict, resourceNotFound } from '../arm-error';
import { hasComputeInstanceProperty } from '../api-versions';
import { checkIdleTime, IdleShutdownBodySchema, parseBody } from '../compute-body';
import type { ComputeRecord } from '../compute-record';
import type { ArmHandler, ArmReply, ArmRequest, EmulatorContext } from '../context';
import { applyAction, type ActionName } from '../lifecycle';
import { requireWorkspace } from '../lookups';
import { beginOperation, cancelOperations } from './operations';

function requireCompute(ctx: EmulatorContext, request: ArmRequest): ComputeRecord {
  const ws = requireWorkspace(ctx, request.params);
  const name = request.params.computeName ?? '';
  const record = ctx.store.compute(ws.resourceGroup, ws.name, name, ctx.now());
  if (!record) throw resourceNotFound(`Microsoft.MachineLearningServices/workspaces/${ws.name}/computes`, name, ws.resourceGroup);
  return record;
}

function act(action: ActionName): ArmHandler {
  return (ctx, request): ArmReply => {
    const record = requireCompute(ctx, request);
    const now = ctx.now();
    const result = applyAction(record, action, now, ctx.durations);
    if (result.kind === 'conflict') throw conflict(result.message);
    if (result.kind === 'begin') {
      if (action === 'Delete') cancelOperations(ctx, record);
      ctx.store.putCompute(result.record);
    }
    const target = result.kind === 'begin' ? result.record : record;
    // A refused action is accepted all the same; its operation fails at once (Azure's behaviour).
    const headers = beginOperation(ctx, request, target, {
      name: action,
      completesAt: result.kind === 'begin' ? (result.record.until ?? now) : now,
      result: result.kind === 'refused' ? 'Failed' : 'Succeeded',
      error: result.kind === 'refused' ? result.error : null,
    });
    return { status: 202, headers };
  };
}

export const startCompute = act('Start');
export const stopCompute = act('Stop');
export const restartCompute = act('Restart');

export const deleteCompute: ArmHandler = (ctx, request) => {
  const action = request.query.underlyingResourceAction;
  if (action === undefined || !['delete', 'detach'].includes(action.toLowerCase())) {
    throw badRequest(
      "The query parameter 'underlyingResourceAction' is required and must be 'Delete' or 'Detach'.",
      'InvalidQueryParameterValue',
    );
  }
  return act('Delete')(ctx, request);
};

export const updateIdleShutdownSetting: ArmHandler = (ctx, request) => {
  if (!hasComputeInstanceProperty(request.apiVersion, 'idleTimeBeforeShutdown')) {
    throw badRequest(`updateIdleShutdownSetting is not available in api-version '${request.apiVersion}'.`, 'InvalidApiVersionParameter');
  }
  const record = requireCompute(ctx, request);
  const body = parseBody(IdleShutdownBodySchema, request.body);
  checkIdleTime(body.idleTimeBeforeShutdown, ctx.options.allowShortIdle);
  ctx.store.putCompute({ ...record, idleTimeBeforeShutdown: body.idleTimeBeforeShutdown, modifiedOn: ctx.now() });
  return { status: 200 };
};
