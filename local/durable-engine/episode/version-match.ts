/**
 * Orchestration versioning as host.json configures it (extensions.durableTask.defaultVersion,
 * versionMatchStrategy, versionFailureStrategy): new instances get the default version, and a
 * worker only runs instances whose version its strategy accepts. Versions compare as the
 * Durable Task runtime compares them: empty equals empty and is older than any version; two
 * dotted numbers (System.Version) compare numerically; anything else compares as text, ignoring case.
 */
export type VersionMatchStrategy = 'None' | 'Strict' | 'CurrentOrOlder';
export type VersionFailureStrategy = 'Reject' | 'Fail';

export interface VersioningOptions {
  defaultVersion?: string;
  /** Default CurrentOrOlder. */
  matchStrategy?: VersionMatchStrategy;
  /** Default Reject: the work waits for a worker that can run it. */
  failureStrategy?: VersionFailureStrategy;
}

export type VersionVerdict = { kind: 'run' } | { kind: 'reject' | 'fail'; reason: string };

export function compareVersions(a: string | undefined, b: string | undefined): number {
  const left = a ?? '';
  const right = b ?? '';
  if (left === '' || right === '') return left === right ? 0 : left === '' ? -1 : 1;
  const numeric = /^\d+(\.\d+){1,3}$/;
  if (numeric.test(left) && numeric.test(right)) {
    const l = left.split('.').map(Number);
    const r = right.split('.').map(Number);
    for (let i = 0; i < Math.max(l.length, r.length); i++) {
      // System.Version: a missing component is -1, so 1.0 < 1.0.0.
      const difference = (l[i] ?? -1) - (r[i] ?? -1);
      if (difference !== 0) return Math.sign(difference);
    }
    return 0;
  }
  const lower = (text: string) => text.toLowerCase();
  return lower(left) < lower(right) ? -1 : lower(left) > lower(right) ? 1 : 0;
}

/** Whether this worker runs an instance of `instanceVersion`. Without a default version nothing is checked. */
export function matchVersion(instanceVersion: string | undefined, options: VersioningOptions | undefined): VersionVerdict {
  const workerVersion = options?.defaultVersion;
  const strategy = options?.matchStrategy ?? 'CurrentOrOlder';
  if (workerVersion === undefined || workerVersion === '' || strategy === 'None') return { kind: 'run' };
  const order = compareVersions(instanceVersion, workerVersion);
  const accepted = strategy === 'Strict' ? order === 0 : order <= 0;
  if (accepted) return { kind: 'run' };
  const reason =
    `The orchestration version '${instanceVersion ?? ''}' does not match this worker's version '${workerVersion}' ` +
    `(versionMatchStrategy ${strategy}).`;
  return { kind: options?.failureStrategy === 'Fail' ? 'fail' : 'reject', reason };
}
