/** Version comparison and matching as the Durable runtime documents them. */
import { compareVersions, matchVersion } from '../../../local/durable-engine/episode/version-match';

describe('compareVersions', () => {
  it.each([
    ['', '', 0],
    [undefined, '1.0', -1],
    ['1.0', '', 1],
    ['1.10', '1.9', 1],
    ['2.0', '10.0', -1],
    ['1.0', '1.0.0', -1],
    ['2025-01-01', '2025-02-01', -1],
    ['V1-Release', 'v1-release', 0],
  ])('%s vs %s is %d', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});

describe('matchVersion', () => {
  it('runs everything without a default version or with None', () => {
    expect(matchVersion('9.0', undefined)).toEqual({ kind: 'run' });
    expect(matchVersion('9.0', { defaultVersion: '1.0', matchStrategy: 'None' })).toEqual({ kind: 'run' });
  });

  it('runs current or older versions by default and rejects newer ones', () => {
    expect(matchVersion('1.0', { defaultVersion: '2.0' }).kind).toBe('run');
    expect(matchVersion(undefined, { defaultVersion: '2.0' }).kind).toBe('run');
    expect(matchVersion('2.1', { defaultVersion: '2.0' }).kind).toBe('reject');
  });

  it('runs only the same version with Strict, and fails instead of rejecting with Fail', () => {
    expect(matchVersion('1.0', { defaultVersion: '2.0', matchStrategy: 'Strict' }).kind).toBe('reject');
    expect(matchVersion('2.0', { defaultVersion: '2.0', matchStrategy: 'Strict' }).kind).toBe('run');
    expect(matchVersion('3.0', { defaultVersion: '2.0', failureStrategy: 'Fail' })).toMatchObject({ kind: 'fail', reason: expect.stringMatching(/'3\.0'.*'2\.0'/) });
  });
});
