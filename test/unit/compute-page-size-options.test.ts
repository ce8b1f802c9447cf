import { parseBenchOptions, type BenchOptions } from '../../bench/bench-options';
import { optionsFromEnv, resolveOptions } from '../../local/arm-emulator/options';

describe("the emulator's compute-list page size, a knob of npm start and the bench", () => {
  it('reads EMULATOR_COMPUTE_PAGE_SIZE, 20 when unset, and names a bad one', () => {
    expect(optionsFromEnv({ EMULATOR_COMPUTE_PAGE_SIZE: '100' }).computePageSize).toBe(100);
    expect(resolveOptions(optionsFromEnv({})).computePageSize).toBe(20);
    for (const bad of ['0', '2.5', '1001', 'many']) {
      expect(() => optionsFromEnv({ EMULATOR_COMPUTE_PAGE_SIZE: bad })).toThrow(/EMULATOR_COMPUTE_PAGE_SIZE/);
    }
  });

  it('npm run bench takes --compute-page-size, 20 when not given, whole numbers only', () => {
    const parsed = (argv: string[]) => parseBenchOptions(argv) as BenchOptions;
    expect(parsed([]).computePageSize).toBe(20);
    expect(parsed(['--compute-page-size', '100']).computePageSize).toBe(100);
    for (const bad of ['0', '2.5', '1001', 'many']) {
      expect(() => parseBenchOptions(['--compute-page-size', bad])).toThrow(/--compute-page-size/);
    }
  });
});
