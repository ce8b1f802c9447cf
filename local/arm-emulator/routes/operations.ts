/**
 * Long-running operations: the Azure-AsyncOperation status URL (`{status, error?}`) and the
 * Location URL (202 while running, then the outcome) that ARM hands out for writes.
 */
import { randomUUID } from 'node:crypto';
import { ArmError } from '../arm-error';
import type { ArmErrorDetail, ComputeRecord, OperationName, OperationRecord } from '../compute-record';
import { computeKey } from '../compute-record';
import type { ArmHandler, ArmRequest, EmulatorContext } from '../context';
import { requireSubscription, subscriptionPath } from '../lookups';

const POLL_AFTER_SECONDS = '1';

export interface OperationPlan {
  name: OperationName;
  completesAt: number;
  result: OperationRecord['result'];
  error: ArmErrorDetail | null;
}

/** Records an operation on a compute and returns the headers of the 201/202 that accepts it. */
export function beginOperation(
  ctx: EmulatorContext,
  request: ArmRequest,
  record: ComputeRecord,
  plan: OperationPlan,
): Record<string, string> {
  const operation: OperationRecord = {
    id: randomUUID(),
    computeKey: computeKey(record.resourceGroup, record.workspace, record.name),
    computeName: record.name,
    location: record.location,
    startedAt: ctx.now(),
    ...plan,
  };
  ctx.store.putOperation(operation);
  const base = `${request.baseUrl}${subscriptionPath(ctx)}/providers/Microsoft.MachineLearningServices/locations/${operation.location}`;
  const version = `api-version=${encodeURIComponent(request.apiVersion)}`;
  return {
    'azure-asyncoperation': `${base}/computeOperationsStatus/${operation.id}?${version}&service=new`,
    location: `${base}/computeOperationsResult/${operation.id}?${version}`,
    'retry-after': POLL_AFTER_SECONDS,
  };
}

/** Ends the unfinished operations of a compute (a delete supersedes them). */
export function cancelOperations(ctx: EmulatorContext, record: ComputeRecord): void {
  const now = ctx.now();
  for (const operation of ctx.store.operationsOf(computeKey(record.resourceGroup, record.workspace, record.name))) {
    if (operation.completesAt > now) {
      ctx.store.putOperation({
        ...operation,
        completesAt: now,
        result: 'Canceled',
        error: { code: 'OperationCanceled', message: `The operation was canceled because compute instance '${record.name}' is being deleted.` },
      });
    }
  }
}

function findOperation(ctx: EmulatorContext, request: ArmRequest): OperationRecord {
  requireSubscription(ctx, request.params);
  const operation = ctx.store.operation(request.params.operationId ?? '');
  if (!operation) {
    throw new ArmError(404, 'NotFound', `The operation '${request.params.operationId}' was not found or has expired.`);
  }
  return operation;
}

export const getOperationStatus: ArmHandler = (ctx, request) => {
  const operation = findOperation(ctx, request);
  const done = ctx.now() >= operation.completesAt;
  const status = done ? operation.result : 'InProgress';
  const headers: Record<string, string> = done ? {} : { 'retry-after': POLL_AFTER_SECONDS };
  return {
    status: 200,
    headers,
    body: {
      id: `${request.path}`,
      name: operation.id,
      status,
      startTime: new Date(operation.startedAt).toISOString(),
      ...(done ? { endTime: new Date(operation.completesAt).toISOString() } : {}),
      ...(done && operation.error ? { error: operation.error } : {}),
    },
  };
};

export const getOperationResult: ArmHandler = (ctx, request) => {
  const operation = findOperation(ctx, request);
  if (ctx.now() < operation.completesAt) {
    return { status: 202, headers: { location: `${request.baseUrl}${request.path}?api-version=${request.apiVersion}`, 'retry-after': POLL_AFTER_SECONDS } };
  }
  if (operation.result === 'Succeeded') return { status: 200 };
  const error = operation.error ?? { code: operation.result, message: `The operation ended ${operation.result}.` };
  throw new ArmError(operation.result === 'Canceled' ? 409 : 400, error.code, error.message, {}, error.details);
};
