import { parseTimerSchedule, parseTimeSpan, TimerScheduleError } from '../../../local/host';

describe('timer schedules', () => {
  it('reads six-field NCRONTAB expressions in UTC', () => {
    const schedule = parseTimerSchedule('0 */5 * * * *', {});
    expect(schedule.next(new Date('2025-01-01T10:02:30Z')).toISOString()).toBe('2025-01-01T10:05:00.000Z');
    expect(parseTimerSchedule('*/10 * * * * *', {}).next(new Date('2025-01-01T10:00:01Z')).toISOString()).toBe('2025-01-01T10:00:10.000Z');
  });

  it('resolves %SETTING% references from app settings', () => {
    const schedule = parseTimerSchedule('%SWEEP%', { SWEEP: '0 0 3 * * *' });
    expect(schedule.expression).toBe('0 0 3 * * *');
    expect(schedule.next(new Date('2025-01-01T04:00:00Z')).toISOString()).toBe('2025-01-02T03:00:00.000Z');
  });

  it('names a missing setting', () => {
    expect(() => parseTimerSchedule('%MISSING_SCHEDULE%', {})).toThrow(/MISSING_SCHEDULE/);
  });

  it('rejects five-field cron and nonsense, as Azure does', () => {
    expect(() => parseTimerSchedule('*/5 * * * *', {})).toThrow(TimerScheduleError);
    expect(() => parseTimerSchedule('every minute', {})).toThrow(TimerScheduleError);
    expect(() => parseTimerSchedule('0 0 25 * * *', {})).toThrow(TimerScheduleError);
  });

  it('refuses a schedule that never occurs', () => {
    expect(() => parseTimerSchedule('0 0 0 30 2 *', {})).toThrow(/never occurs/);
  });

  it('reads a restricted day of month and day of week as either, as cron does', () => {
    // 2025-01-01 is a Wednesday: the next Friday (the 3rd) comes before the 13th.
    expect(parseTimerSchedule('0 0 0 13 * 5', {}).next(new Date('2025-01-01T00:00:00Z')).toISOString()).toBe('2025-01-03T00:00:00.000Z');
  });

  it('accepts TimeSpan intervals', () => {
    expect(parseTimeSpan('00:05:00')).toBe(300_000);
    expect(parseTimeSpan('1.02:00:00')).toBe(26 * 3_600_000);
    expect(parseTimerSchedule('00:00:30', {}).next(new Date('2025-01-01T00:00:00Z')).toISOString()).toBe('2025-01-01T00:00:30.000Z');
  });
});
