import { RestError } from '@azure/core-rest-pipeline';
import { classifyArmError, fromArmError, isNotFound, type ArmErrorFacts } from '../../shared/adapters/aml/arm-error-mapper';
import { AppError, type ErrorCode } from '../../shared/domain/errors';

describe('classifyArmError', () => {
  const cases: [string, ArmErrorFacts, ErrorCode][] = [
    ['429 after the retries', { status: 429, code: 'SubscriptionRequestsThrottled', message: "Number of 'read' requests exceeded." }, 'throttled'],
    ['429 even when the message mentions quota', { status: 429, code: 'TooManyRequests', message: 'Request quota exhausted' }, 'throttled'],
    [
      "Azure ML's family vCPU quota message under a generic code",
      { status: 400, code: 'BadRequest', message: 'The specified subscription has a Standard NCSv3 Family vCPU quota of 0 and cannot accommodate 1 node.' },
      'quota-exceeded',
    ],
    ['QuotaExceeded code', { status: 409, code: 'QuotaExceeded', message: 'Operation could not be completed as it results in exceeding approved Total Regional Cores.' }, 'quota-exceeded'],
    ['OutOfQuota code', { status: 400, code: 'OutOfQuota', message: 'Not enough cluster CPU.' }, 'quota-exceeded'],
    [
      'VM size not available in the region (message)',
      { status: 400, code: 'BadRequest', message: "The requested VM size 'Standard_NC4as_T4_v3' is not available in location 'westeurope'." },
      'size-unavailable',
    ],
    ['VMSizeNotSupported code', { status: 400, code: 'VMSizeNotSupported', message: 'Not supported here.' }, 'size-unavailable'],
    ['SkuNotAvailable code', { status: 409, code: 'SkuNotAvailable', message: 'The requested size is currently not available.' }, 'size-unavailable'],
    [
      'invalid compute name',
      { status: 400, code: 'BadRequest', message: "Compute name 'ci-42' is not available. Reason: Invalid." },
      'compute-name-conflict',
    ],
    [
      'name taken in the region',
      { status: 400, code: 'UserError', message: 'Compute with this name already exists. Names must be unique in the region.' },
      'compute-name-conflict',
    ],
    ['busy compute', { status: 409, code: 'Conflict', message: "Compute instance 'ci-x' is in state 'Creating' and cannot be stopped now." }, 'conflicting-operation'],
    ['500 after the retries', { status: 500, code: 'InternalServerError', message: 'Encountered internal server error.' }, 'azure-error'],
    ['404', { status: 404, code: 'ResourceNotFound', message: 'The Resource was not found.' }, 'azure-error'],
    ['403', { status: 403, code: 'AuthorizationFailed', message: 'The client does not have authorization.' }, 'azure-error'],
    ['network failure (no status)', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:7072' }, 'azure-error'],
  ];

  it.each(cases)('%s', (_name, facts, expected) => {
    expect(classifyArmError(facts)).toBe(expected);
  });
});

describe('fromArmError', () => {
  const restError = (statusCode: number, code: string, message: string, headers: Record<string, string> = {}) =>
    new RestError(message, {
      code,
      statusCode,
      response: {
        status: statusCode,
        headers: { get: (name: string) => headers[name.toLowerCase()], has: (name: string) => name.toLowerCase() in headers } as never,
        request: {} as never,
      },
    });

  it("keeps Azure's message as the detail and the RestError as the cause", () => {
    const cause = restError(400, 'BadRequest', 'The specified subscription has a total vCPU quota of 0.');
    const error = fromArmError(cause);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'quota-exceeded', message: 'The specified subscription has a total vCPU quota of 0.', status: 409, callerFault: true });
    expect(error.cause).toBe(cause);
  });

  it('carries Retry-After of a throttled reply', () => {
    const error = fromArmError(restError(429, 'TooManyRequests', 'Throttled.', { 'retry-after': '17' }));
    expect(error).toMatchObject({ code: 'throttled', retryAfterSeconds: 17 });
  });

  it('turns an error that is not from ARM into azure-error with its message', () => {
    const error = fromArmError(new Error('ManagedIdentityCredential: Network unreachable.'));
    expect(error).toMatchObject({ code: 'azure-error', message: 'ManagedIdentityCredential: Network unreachable.' });
  });

  it.each([
    [500, false], [503, false], [429, false], [409, false], [400, false],
    [408, true], [502, true], [504, true],
  ])('says whether Azure may still act on a request answered %i: %s', (status, unsettled) => {
    expect(fromArmError(restError(status, 'Code', 'Failed.')).mayStillTakeEffect).toBe(unsettled);
  });

  it('counts a request without an answer as one Azure may still act on', () => {
    expect(fromArmError(new RestError('socket hang up', { code: 'REQUEST_SEND_ERROR' })).mayStillTakeEffect).toBe(true);
    expect(fromArmError(new Error('ETIMEDOUT')).mayStillTakeEffect).toBe(true);
  });

  it('passes an AppError through', () => {
    const original = new AppError('invalid-request', 'tenantId missing');
    expect(fromArmError(original)).toBe(original);
  });

  it('recognises a 404', () => {
    expect(isNotFound(restError(404, 'ResourceNotFound', 'gone'))).toBe(true);
    expect(isNotFound(restError(409, 'Conflict', 'busy'))).toBe(false);
    expect(isNotFound(new Error('404'))).toBe(false);
  });
});
