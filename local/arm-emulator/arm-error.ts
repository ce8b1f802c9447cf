/**
 * ARM's error replies: `{error: {code, message, details?}}` with the status Azure uses. `details`
 * (ARM's ErrorDetail: code, message, target) is there where Azure fills it: body validation lists
 * one per problem; an instance's `errors`/`provisioningErrors` and their failed operation carry it
 * (empty when nothing is underneath). A refused start's operation error has none, as on Azure.
 */

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ErrorDetail[];
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'ArmError';
  }

  body(): { error: ErrorDetail } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const badRequest = (message: string, code = 'BadRequest') => new ArmError(400, code, message);

export const conflict = (message: string) => new ArmError(409, 'Conflict', message);

export const subscriptionNotFound = (subscriptionId: string) =>
  new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);

export const resourceGroupNotFound = (name: string) =>
  new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);

export const resourceNotFound = (type: string, name: string, resourceGroup: string) =>
  new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. ` +
      'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
  );
