import { ScenarioBook, ScenarioInputSchema } from '../../local/arm-emulator/scenarios';

describe('the emulator delay scenario', () => {
  it('holds matching requests the given seconds, as many times as asked', () => {
    const book = new ScenarioBook();
    book.add(ScenarioInputSchema.parse({ match: { operation: 'computes/createOrUpdate' }, delay: { seconds: 3 }, times: 1 }));
    expect(book.takeDelay({ operation: 'computes/get', name: 'ci-x' })).toBeNull();
    expect(book.takeDelay({ operation: 'computes/createOrUpdate', name: 'ci-x' })).toBe(3);
    expect(book.takeDelay({ operation: 'computes/createOrUpdate', name: 'ci-x' })).toBeNull();
    expect(book.takeFault({ operation: 'computes/createOrUpdate' })).toBeNull();
  });

  it.each([[{ seconds: 0 }], [{ seconds: 61 }], [{}]])('refuses a delay of %j', (delay) => {
    expect(ScenarioInputSchema.safeParse({ delay }).success).toBe(false);
  });
});
