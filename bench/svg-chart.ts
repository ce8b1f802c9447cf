/**
 * The bench's chart as a dependency-free SVG, three panels: the readiness lag distribution (a
 * histogram), ARM requests per second over time (reads and writes), and servers in flight over time.
 */

export interface ChartData {
  title: string;
  /** Readiness lag of each server (s). */
  lags: readonly number[];
  /** ARM requests per second, `second` counted from the wave's start. */
  rates: readonly { second: number; reads: number; writes: number; throttled: number }[];
  inFlight: readonly { second: number; inFlight: number }[];
}

const WIDTH = 900;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 60, right: 30, top: 36, bottom: 36 };
const COLORS = { bars: '#4c78a8', reads: '#4c78a8', writes: '#f58518', throttled: '#e45756', inFlight: '#54a24b' };

export function renderChart(data: ChartData): string {
  const panels = [lagPanel(data.lags), ratePanel(data.rates), inFlightPanel(data.inFlight)];
  const height = 40 + panels.length * (PANEL_HEIGHT + 30);
  const body = panels.map((panel, i) => `<g transform="translate(0, ${40 + i * (PANEL_HEIGHT + 30)})">${panel}</g>`).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16">${escape(data.title)}</text>`,
    body,
    '</svg>',
  ].join('\n');
}

interface Frame {
  x: (value: number) => number;
  y: (value: number) => number;
  svg: string;
}

/** Axes, ticks and a title for one panel; returns the scales. */
function frame(title: string, xMax: number, yMax: number, xLabel: string, yLabel: string): Frame {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const xTop = niceMax(xMax);
  const yTop = niceMax(yMax);
  const x = (value: number) => MARGIN.left + (value / xTop) * plotWidth;
  const y = (value: number) => MARGIN.top + plotHeight - (value / yTop) * plotHeight;
  const parts = [
    `<text x="${MARGIN.left}" y="18" font-size="13" font-weight="bold">${escape(title)}</text>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(xTop)}" y2="${y(0)}" stroke="black"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(0)}" y2="${y(yTop)}" stroke="black"/>`,
    `<text x="${x(xTop / 2)}" y="${PANEL_HEIGHT - 4}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text x="14" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 14 ${MARGIN.top + plotHeight / 2})">${escape(yLabel)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const xv = (xTop * i) / 5;
    const yv = (yTop * i) / 5;
    parts.push(`<text x="${x(xv)}" y="${y(0) + 14}" text-anchor="middle">${format(xv)}</text>`);
    parts.push(`<text x="${x(0) - 6}" y="${y(yv) + 4}" text-anchor="end">${format(yv)}</text>`);
    if (i > 0) parts.push(`<line x1="${x(0)}" y1="${y(yv)}" x2="${x(xTop)}" y2="${y(yv)}" stroke="#ddd"/>`);
  }
  return { x, y, svg: parts.join('\n') };
}

function lagPanel(lags: readonly number[]): string {
  if (lags.length === 0) return frame('Readiness lag: no server reached Running', 1, 1, 'lag (s)', 'servers').svg;
  const max = Math.max(...lags, 0.1);
  const binCount = Math.min(40, Math.max(5, Math.ceil(Math.sqrt(lags.length))));
  const width = niceMax(max) / binCount;
  const bins = new Array<number>(binCount).fill(0);
  for (const lag of lags) bins[Math.min(binCount - 1, Math.max(0, Math.floor(lag / width)))]! += 1;
  const f = frame(`Readiness lag (API shows Running − Azure reports Running), ${lags.length} servers`, binCount * width, Math.max(...bins), 'lag (s)', 'servers');
  const bars = bins.map((count, i) =>
    `<rect x="${f.x(i * width) + 1}" y="${f.y(count)}" width="${Math.max(1, f.x(width) - f.x(0) - 2)}" height="${f.y(0) - f.y(count)}" fill="${COLORS.bars}"/>`);
  return `${f.svg}\n${bars.join('\n')}`;
}

function ratePanel(rates: ChartData['rates']): string {
  const xMax = Math.max(1, ...rates.map((r) => r.second));
  const yMax = Math.max(1, ...rates.map((r) => Math.max(r.reads, r.writes)));
  const f = frame('ARM requests per second', xMax, yMax, 'seconds since the wave started', 'requests / s');
  const line = (pick: (r: ChartData['rates'][number]) => number, color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${rates.map((r) => `${f.x(r.second).toFixed(1)},${f.y(pick(r)).toFixed(1)}`).join(' ')}"/>`;
  const throttled = rates.filter((r) => r.throttled > 0).map((r) => `<circle cx="${f.x(r.second)}" cy="${f.y(r.throttled)}" r="3" fill="${COLORS.throttled}"/>`);
  return [f.svg, line((r) => r.reads, COLORS.reads), line((r) => r.writes, COLORS.writes), ...throttled,
    legend([['reads', COLORS.reads], ['writes', COLORS.writes], ['429s', COLORS.throttled]])].join('\n');
}

function inFlightPanel(samples: ChartData['inFlight']): string {
  const xMax = Math.max(1, ...samples.map((s) => s.second));
  const yMax = Math.max(1, ...samples.map((s) => s.inFlight));
  const f = frame('Servers in flight (spawned, not yet seen Running)', xMax, yMax, 'seconds since the wave started', 'servers');
  return `${f.svg}\n<polyline fill="none" stroke="${COLORS.inFlight}" stroke-width="2" points="${samples.map((s) => `${f.x(s.second).toFixed(1)},${f.y(s.inFlight).toFixed(1)}`).join(' ')}"/>`;
}

function legend(entries: [string, string][]): string {
  return entries.map(([label, color], i) => {
    const x = WIDTH - MARGIN.right - 220 + i * 75;
    return `<rect x="${x}" y="8" width="12" height="12" fill="${color}"/><text x="${x + 16}" y="18">${label}</text>`;
  }).join('');
}

/** 1, 2 or 5 times a power of ten, at least `value`. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
