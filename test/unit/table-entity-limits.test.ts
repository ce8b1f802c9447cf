import { capError, capProgress, truncateText, type EntityLimits } from '../../shared/adapters/table/entity-limits';
import type { ProgressEvent } from '../../shared/domain/server';

const event = (index: number, message = `event ${index}`): ProgressEvent => ({ at: `2025-01-01T00:00:${index}Z`, progress: index, message });
const events = (count: number) => Array.from({ length: count }, (_, index) => event(index));
const limits = (overrides: Partial<EntityLimits>): EntityLimits => ({
  maxProgressEvents: 100,
  maxProgressChars: 30_000,
  maxProgressMessageChars: 1_000,
  maxErrorMessageChars: 8_000,
  maxErrorCodeChars: 256,
  ...overrides,
});

describe('truncateText', () => {
  it.each<[string, number, string]>([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['a little too long', 10, 'a little …'],
    ['ab😀cd', 4, 'ab…'],
  ])('%j to %i', (text, max, expected) => {
    expect(truncateText(text, max)).toBe(expected);
    expect(truncateText(text, max).length).toBeLessThanOrEqual(max);
  });
});

describe('capProgress', () => {
  it.each<[string, ProgressEvent[], Partial<EntityLimits>, number[]]>([
    ['keeps an empty list', [], {}, []],
    ['keeps a list within the limits', events(3), {}, [0, 1, 2]],
    ['keeps the first and the newest by count', events(10), { maxProgressEvents: 4 }, [0, 7, 8, 9]],
    ['keeps only the first when one event is allowed', events(5), { maxProgressEvents: 1 }, [0]],
    ['keeps the first and the newest by size', events(10), { maxProgressChars: 2 + 4 * 70 }, [0, 7, 8, 9]],
  ])('%s', (_name, input, overrides, expectedIndexes) => {
    const capped = capProgress(input, limits(overrides));
    expect(capped.map((item) => item.progress)).toEqual(expectedIndexes);
  });

  it('stays under the property size for large messages', () => {
    const huge = Array.from({ length: 1000 }, (_, index) => event(index, 'x'.repeat(5_000)));
    const capped = capProgress(huge);
    expect(JSON.stringify(capped).length).toBeLessThanOrEqual(30_000);
    expect(capped[0].progress).toBe(0);
    expect(capped[capped.length - 1].progress).toBe(999);
    expect(capped.every((item) => item.message.length <= 1_000)).toBe(true);
  });
});

describe('capError', () => {
  it('leaves null and short errors alone', () => {
    expect(capError(null)).toBeNull();
    expect(capError({ code: 'Quota', message: 'no' })).toEqual({ code: 'Quota', message: 'no' });
  });
  it('cuts a long message', () => {
    expect(capError({ code: 'X', message: 'y'.repeat(10_000) })?.message).toHaveLength(8_000);
  });
});
