import {
  describeIdleTime, hasIdleTime, idleFloorWarnings, idleTimeBeforeShutdown, isoDurationSeconds, sessionEndIdleTime, toIsoDuration,
} from '../../shared/domain/idle-shutdown';

describe('idle shutdown: minutes to ISO 8601', () => {
  it.each([
    [30, 'PT30M'],
    [120, 'PT120M'],
    [0.5, 'PT30S'],
    [90.5, 'PT90M30S'],
    [0.05, 'PT3S'],
    [0.001, 'PT1S'], // never PT0S: Azure needs a duration
  ])('%s minutes → %s', (minutes, iso) => {
    expect(toIsoDuration(minutes)).toBe(iso);
  });

  it.each([
    // setting, floor, sent to Azure
    [30, 15, 'PT30M'],
    [10, 15, 'PT15M'],
    [0.5, 15, 'PT15M'],
    [0.5, 0, 'PT30S'],
    [15, 15, 'PT15M'],
  ])('a setting of %s minutes with a floor of %s gives %s', (setting, floor, iso) => {
    expect(idleTimeBeforeShutdown(setting, floor)).toBe(iso);
  });

  it.each([
    ['PT30M', 1800],
    ['PT2H', 7200],
    ['P1DT1H', 90_000],
    ['PT90M30S', 5430],
    ['PT0.5M', 30],
    ['PT', null],
    ['P', null],
    ['30 minutes', null],
  ])('reads %s as %s seconds', (iso, seconds) => {
    expect(isoDurationSeconds(iso)).toBe(seconds);
  });

  it('compares durations by length, not spelling', () => {
    expect(hasIdleTime('PT2H', 'PT120M')).toBe(true);
    expect(hasIdleTime('PT90M', 'PT120M')).toBe(false);
    expect(hasIdleTime(null, 'PT120M')).toBe(false);
    expect(hasIdleTime('garbage', 'PT120M')).toBe(false);
  });

  it("shortens a size's idle time to the in-use window at a session's end, never below the floor nor above the size's", () => {
    expect(sessionEndIdleTime(120, 10, 15)).toBe('PT15M');
    expect(sessionEndIdleTime(120, 20, 15)).toBe('PT20M');
    expect(sessionEndIdleTime(120, 0.25, 0)).toBe('PT15S');
    // A GPU's 15 is as short as the window already; nothing to change.
    expect(sessionEndIdleTime(15, 10, 15)).toBeNull();
    expect(sessionEndIdleTime(30, 60, 15)).toBeNull();
  });

  it('warns once per size below the floor, naming the setting', () => {
    const warnings = idleFloorWarnings({ Small: 0.5, Medium: 120, Large: 10, GPU: 15 }, 15);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('IDLE_STOP_MINUTES_SMALL is 0.5 minutes');
    expect(warnings[1]).toContain('IDLE_STOP_MINUTES_LARGE');
    expect(idleFloorWarnings({ Small: 0.5, Medium: 120, Large: 10, GPU: 15 }, 0)).toEqual([]);
  });

  it.each([
    ['PT30M', '30 minutes'],
    ['PT1M', '1 minute'],
    ['PT30S', '30 seconds'],
    ['PT90M30S', '90 minutes 30 seconds'],
  ])('describes %s as "%s"', (iso, text) => {
    expect(describeIdleTime(iso)).toBe(text);
  });
});
