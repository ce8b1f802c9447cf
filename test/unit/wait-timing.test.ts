import {
  aboutDuration, expectedSeconds, fallbackSeconds, isDue, launchLine, launchStartedAt, lookPauseSeconds, nextLookSeconds,
  progressPercent, shouldAddLine, soFar,
} from '../../shared/domain/wait-timing';

describe('the polling policy (wait-timing)', () => {
  it.each([
    [[], 360, 360],
    [[300], 360, 300],
    [[300, 200, 400], 360, 300],
    [[300, 200, 400, 500], 360, 350],
    [[100, 110, 900], 360, 110], // one slow launch does not move the median
    [[0, -5, Number.NaN], 180, 180], // nothing usable: the default
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1000, 1000, 1000], 360, 5.5], // only the ten most recent count
  ])('expects %j (default %d) to take %d s', (recent, fallback, expected) => {
    expect(expectedSeconds(recent, fallback)).toBe(expected);
  });

  it.each([
    // elapsed, expected, interval, next look in
    [0, 360, 3, 342], // looks begin 5% of the expected duration before its end
    [100, 360, 3, 242],
    [341, 360, 3, 3],
    [342, 360, 3, 3],
    [400, 360, 3, 3],
    [0, 60, 3, 54], // or two intervals before it, if that is earlier
    [0, 4, 0.5, 3],
    [0, 2, 3, 3], // never before half the expected duration, never sooner than an interval
    [2.9, 4, 0.5, 0.5],
  ])('after %d s of an expected %d s, looks again in %d s (interval %d s)', (elapsed, expected, interval, next) => {
    expect(nextLookSeconds(elapsed, expected, interval)).toBeCloseTo(next, 5);
  });

  it.each([
    // ARM requests of the look, interval, pause before the next
    [0, 3, 1], // nothing read: as soon as something is due, at most every second
    [1, 3, 1], // a workspace of a page
    [10, 3, 1], // 1,000 instances in pages of 100
    [20, 3, 2], // 10 reads a second
    [25, 3, 2.5],
    [50, 3, 3], // 1,000 instances in pages of 20: never longer than the interval
    [500, 3, 3],
    [10, 0.5, 0.5], // never longer than a short interval either (the tests' stacks)
  ])('after a look of %d ARM requests, looks again in at most %s s: %s s', (requests, interval, pause) => {
    expect(lookPauseSeconds(requests, interval)).toBeCloseTo(pause, 5);
  });

  it.each([
    [0, 360, false],
    [341, 360, false],
    [342, 360, true],
    [1000, 360, true],
    [53, 60, false],
    [54, 60, true],
  ])('after %d s of an expected %d s (interval 3 s), due: %s', (elapsed, expected, due) => {
    expect(isDue(elapsed, expected, 3)).toBe(due);
  });

  it.each([
    [360, 3, 420], // past the expected end, then a minute
    [0, 3, 60],
    [-20, 3, 60], // a launch running late: a minute
    [360, 10, 560], // never under twenty intervals
    [60, 30, 360], // nor more than five minutes past the end
    [4, 0.5, 64],
  ])('a run expecting %d s more (interval %d s) falls back to its own look after %d s', (remaining, interval, fallback) => {
    expect(fallbackSeconds(remaining, interval)).toBe(fallback);
  });

  it.each([
    [0, 360, 20, 20],
    [180, 360, 20, 55],
    [360, 360, 20, 90],
    [720, 360, 20, 93],
    [36_000, 360, 20, 95],
    [90, 180, 30, 60],
    [-5, 360, 20, 20],
  ])('after %d s of an expected %d s from %d%%, the bar shows %d%%', (elapsed, expected, from, percent) => {
    expect(progressPercent(elapsed, expected, from)).toBe(percent);
  });

  it('never moves the bar back while the launch runs', () => {
    const bars = Array.from({ length: 200 }, (_, i) => progressPercent(i * 10, 360));
    expect([...bars].sort((a, b) => a - b)).toEqual(bars);
    expect(Math.max(...bars)).toBeLessThan(100);
  });

  it.each([
    [360, 'about 6 minutes'],
    [180, 'about 3 minutes'],
    [90, 'about 2 minutes'],
    [45, 'about 50 seconds'],
    [3, 'a few seconds'],
  ])('says %d s as "%s"', (seconds, text) => {
    expect(aboutDuration(seconds)).toBe(text);
  });

  it.each([
    [0, 'under a minute so far'],
    [59, 'under a minute so far'],
    [60, '1 min so far'],
    [150, '2 min so far'],
  ])('says %d s elapsed as "%s"', (seconds, text) => {
    expect(soFar(seconds)).toBe(text);
  });

  it('writes the line a person reads, without the id or VM size', () => {
    expect(launchLine('create', 'Small', 360, 150)).toBe('Creating your Small server — usually about 6 minutes (2 min so far)');
    expect(launchLine('start', 'GPU', 180)).toBe('Starting your GPU server — usually about 3 minutes');
  });

  it.each([
    [true, 0, true],
    [false, 10, false],
    [false, 59.9, false],
    [false, 60, true],
  ])('state changed %s, %d s since the last line: a new line %s', (changed, since, add) => {
    expect(shouldAddLine(changed, since)).toBe(add);
  });

  it('times a launch from the line that announced it, else from the phase', () => {
    const progress = [
      { at: '2026-11-26T09:00:00Z', message: 'Spawn requested: compute instance ci-x (Standard_DS3_v2)' },
      { at: '2026-11-26T09:00:40Z', message: 'Creating your Medium server — usually about 6 minutes' },
      { at: '2026-11-26T09:01:40Z', message: 'Creating your Medium server — usually about 6 minutes (1 min so far)' },
    ];
    expect(launchStartedAt(progress, 'create', '2026-11-26T09:00:00Z')).toBe('2026-11-26T09:00:40Z');
    expect(launchStartedAt(progress, 'start', '2026-11-26T09:00:00Z')).toBe('2026-11-26T09:00:00Z');
  });
});
