/** What people read when something failed that they cannot fix: a plain sentence and a reference. */
import { AppError } from '../../shared/domain/errors';
import { publicFailure, referenceFor } from '../../shared/domain/public-failure';
import { failureMessage } from '../../shared/orchestrations/activity-retry';

const INTERNALS = /ECONNREFUSED|ETIMEDOUT|127\.0\.0\.1|:\d{4,5}\b|AppError|RestError|Table Storage|Error:/;

describe('publicFailure', () => {
  it.each<[string, unknown, RegExp]>([
    ['an ARM call refused (what a Failed server stored)', new Error('AppError: connect ECONNREFUSED 127.0.0.1:7072'), /^Azure could not be reached; try again in a few minutes \(reference [0-9a-f]{10}\)\.$/],
    ['Table Storage refused', new AppError('internal', 'Table Storage failed while reading: connect ECONNREFUSED 127.0.0.1:10002'), /^The control plane's storage could not be reached; try again in a few minutes/],
    ['a cause that timed out', new AppError('azure-error', 'The request failed', { cause: Object.assign(new Error('connect ETIMEDOUT 10.0.0.4:443'), { code: 'ETIMEDOUT' }) }), /^Azure could not be reached/],
    ['Azure throttling', new AppError('throttled', 'Too many requests: 429 from management.azure.com'), /^Azure is busy; try again in a few minutes/],
    ['storage throttling', new AppError('throttled', 'Table Storage failed while writing: ServerBusy'), /^The control plane's storage is busy/],
    ['an unknown crash', new TypeError("Cannot read properties of undefined (reading 'x')"), /^Something went wrong; try again in a few minutes, or give an administrator the reference \(reference/],
    ['Azure answering an error', new AppError('azure-error', 'InternalServerError: the service is unavailable'), /^Azure answered with an error; try again in a few minutes \(reference/],
    ['a key set that cannot be fetched', new AppError('auth-unavailable', 'The key set at http://127.0.0.1:1/keys failed', { cause: new Error('socket hang up') }), /^The token issuer's keys could not be fetched; try again in a few minutes/],
  ])('%s', (_name, error, expected) => {
    const failure = publicFailure(error);
    expect(failure.publicMessage).toMatch(expected);
    expect(failure.publicMessage).not.toMatch(INTERNALS);
    expect(failure.publicMessage).toContain(`(reference ${failure.reference})`);
  });

  it('keeps the whole detail, causes included, for the log', () => {
    const failure = publicFailure(new AppError('internal', 'Table Storage failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:10002') }));
    expect(failure.detail).toBe('AppError: Table Storage failed <- Error: connect ECONNREFUSED 127.0.0.1:10002');
  });

  it('gives the same reference for the same detail (orchestration replays agree) and takes one given', () => {
    const error = new Error('AppError: connect ECONNREFUSED 127.0.0.1:7072');
    expect(publicFailure(error).reference).toBe(publicFailure(new Error(error.message)).reference);
    expect(publicFailure(error).reference).toBe(referenceFor('Error: AppError: connect ECONNREFUSED 127.0.0.1:7072'));
    expect(publicFailure(new Error('other')).reference).not.toBe(publicFailure(error).reference);
    expect(publicFailure(error, 'abcd1234').publicMessage).toMatch(/\(reference abcd1234\)\.$/);
  });
});

describe('failureMessage (what give-up stores into a server)', () => {
  it('is the public sentence, not the error', () => {
    const stored = failureMessage(new Error('AppError: connect ECONNREFUSED 127.0.0.1:7072'));
    expect(stored).toMatch(/^Azure could not be reached; try again in a few minutes \(reference [0-9a-f]{10}\)\.$/);
  });
});
