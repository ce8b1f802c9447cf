/** The bench's arithmetic: Azure's own transition times, rate peaks, servers in flight, and the chart. */
import { azureTimes, inFlightOverTime, ratePeaks, ratesEverySecond } from '../../bench/readiness';
import { spawnFigures } from '../../bench/spawn-figures';
import { renderChart } from '../../bench/svg-chart';

const at = (ms: number) => new Date(ms).toISOString();

describe('bench readiness', () => {
  it("measures readiness lag from Azure's Running transition to the API's own record of Running, not from the spawn plus the nominal create", () => {
    const azure = azureTimes([
      { name: 'a', resourceGroup: 'rg', workspace: 'ws', transitions: [{ state: 'Creating', at: at(1_000) }, { state: 'Running', at: at(40_000) }] },
      { name: 'b', resourceGroup: 'rg', workspace: 'ws', transitions: [{ state: 'Creating', at: at(2_000) }] },
    ]);
    expect(azure.createdAt.get('a')).toBe(1_000);
    expect(azure.runningAt.get('a')).toBe(40_000);
    expect(azure.runningAt.has('b')).toBe(false);
    const outcome = (id: string, seen: number | null, recorded: number | null) =>
      ({ user: id, id, postedAt: 0, postMs: 100, runningSeenAt: seen, runningRecordedAt: recorded, failure: seen ? null : 'x', endedAt: 50_000 });
    const figures = spawnFigures([outcome('a', 42_500, 41_200), outcome('b', null, null)], azure, 30, { byOperation: {}, total: 6, throttled: 0, faults: 0 },
      { maxReadsPerSecond: 1, maxWritesPerSecond: 1 }, null);
    expect(figures.lags).toEqual([1.2]); // the API showed Running 1.2 s after Azure
    expect(figures).toMatchObject({ users: 2, accepted: 2, running: 1, lagP95S: 1.2, seenLagP95S: 2.5, toCreateP50S: 1, armPerSpawn: 3 });
    expect(figures.failures).toHaveLength(1);
  });

  it('finds the peak read and write rates, and counts servers in flight each second', () => {
    expect(ratePeaks([{ second: 1, reads: 4, writes: 9, throttled: 0 }, { second: 2, reads: 12, writes: 2, throttled: 0 }]))
      .toEqual({ maxReadsPerSecond: 12, maxWritesPerSecond: 9 });
    const samples = inFlightOverTime([
      { postedAt: 0, runningSeenAt: 2_500, endedAt: 2_500 },
      { postedAt: 500, runningSeenAt: null, endedAt: 1_500 },
    ], 0, 3_000);
    expect(samples).toEqual([{ second: 0, inFlight: 1 }, { second: 1, inFlight: 2 }, { second: 2, inFlight: 1 }, { second: 3, inFlight: 0 }]);
  });

  it('gives the chart every second of the wave, with zeros where ARM saw no request', () => {
    const start = 1_000_000; // epoch second 1000
    const rates = ratesEverySecond([
      { second: 1001, reads: 4, writes: 2, throttled: 0 },
      { second: 1004, reads: 1, writes: 0, throttled: 1 },
    ], start, start + 5_400);
    expect(rates).toEqual([
      { second: 0, reads: 0, writes: 0, throttled: 0 },
      { second: 1, reads: 4, writes: 2, throttled: 0 },
      { second: 2, reads: 0, writes: 0, throttled: 0 },
      { second: 3, reads: 0, writes: 0, throttled: 0 },
      { second: 4, reads: 1, writes: 0, throttled: 1 },
      { second: 5, reads: 0, writes: 0, throttled: 0 },
    ]);
  });

  it('draws the three panels as one SVG, marking the seconds with 429s', () => {
    const svg = renderChart({
      title: '2 spawns <test>',
      lags: [0.5, 0.6, 2.9],
      rates: [{ second: 0, reads: 3, writes: 2, throttled: 1 }, { second: 1, reads: 1, writes: 0, throttled: 0 }],
      inFlight: [{ second: 0, inFlight: 2 }, { second: 1, inFlight: 0 }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('2 spawns &lt;test&gt;');
    expect(svg).toContain('Readiness lag');
    expect(svg).toContain('ARM requests per second');
    expect(svg).toContain('Servers in flight');
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg.match(/<circle/g)).toHaveLength(1); // the one second with a 429
  });
});
