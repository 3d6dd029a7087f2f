// The scaling cells' chart, written by hand as SVG beside the report: four
// panels, req/s and p99 against the rows returned (acme's page at one
// concurrency, the largest org's first 50 as a hollow mark) and against the
// connections (acme's first: 50 solid, the deep query dashed), a line per
// server. The value axes are logarithmic: a cache hit and a miss differ by
// an order of magnitude, and on a linear axis the slower line would lie flat.

import { connectionsOf, type GrowthPoint, PREFERRED_CONNECTIONS, pointAt, type ServerGrowth } from './growth.ts';

const PALETTE = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#d62728', '#17becf', '#8c564b', '#7f7f7f'];
const WIDTH = 960;
/** One panel's size; two side by side fill the chart's width. */
export const PANEL_W = 450;
export const PANEL_H = 250;
const GAP = 20;
const PLOT = { left: 58, right: 16, top: 26, bottom: 40 };
const LEGEND_TOP = 40;

/** Text safe inside SVG. */
export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 1, 2, 5, 10, 20, 50, ...: the tick values of a logarithmic axis. */
function steps(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of [1, 2, 5]) out.push(m * 10 ** e);
  return out;
}

/** The 1-2-5 values just around the data, so the lines fill the panel. */
export function logDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return [1, 10];
  const min = Math.min(...positive);
  const max = Math.max(...positive);
  const all = steps(min, max);
  const lo = all.filter((v) => v <= min).at(-1) ?? min;
  const hi = all.find((v) => v >= max) ?? max;
  return hi > lo ? [lo, hi] : [lo, lo * 2];
}

/** 1000 as 1k: axis labels. */
export const tickLabel = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v));

export interface Axis {
  /** Where a value lands, in pixels from the plot's start. */
  at(v: number): number;
  ticks: number[];
}

const logAxis = ([lo, hi]: [number, number], length: number): Axis => ({
  at: (v) => ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * length,
  ticks: steps(lo, hi).filter((v) => v >= lo && v <= hi),
});
/** A linear axis from lo to hi over `length` pixels, with the given ticks. */
export const linearAxis = ([lo, hi]: [number, number], length: number, ticks: number[]): Axis => ({
  at: (v) => ((v - lo) / (hi - lo)) * length,
  ticks,
});

/** One line of a panel: a server's points in x order, drawn solid or dashed, with filled or hollow marks. */
export interface Series {
  color: string;
  label: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  hollow?: boolean;
}

/** One framed plot: title, axes (log y unless `yAxis` is given), a polyline and marks per series. */
export function panel(options: {
  x0: number;
  y0: number;
  title: string;
  xTitle: string;
  xAxis: (length: number) => Axis;
  yDomain: [number, number];
  format: (v: number) => string;
  series: Series[];
  /** The value axis; logarithmic over yDomain when absent. */
  yAxis?: (length: number) => Axis;
}): string[] {
  const w = PANEL_W - PLOT.left - PLOT.right;
  const h = PANEL_H - PLOT.top - PLOT.bottom;
  const left = options.x0 + PLOT.left;
  const top = options.y0 + PLOT.top;
  const xAxis = options.xAxis(w);
  const yAxis = options.yAxis ? options.yAxis(h) : logAxis(options.yDomain, h);
  const px = (x: number) => (left + xAxis.at(x)).toFixed(1);
  const py = (y: number) => (top + h - yAxis.at(y)).toFixed(1);
  const out = [
    `<text x="${left}" y="${options.y0 + 16}" font-weight="600">${escapeXml(options.title)}</text>`,
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
    `<text x="${left + w / 2}" y="${top + h + 32}" text-anchor="middle" fill="#555">${escapeXml(options.xTitle)}</text>`,
  ];
  for (const t of yAxis.ticks)
    out.push(
      `<line x1="${left}" y1="${py(t)}" x2="${left + w}" y2="${py(t)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${py(t)}" dy="4" text-anchor="end" fill="#555">${tickLabel(t)}</text>`,
    );
  for (const t of xAxis.ticks)
    out.push(`<text x="${px(t)}" y="${top + h + 16}" text-anchor="middle" fill="#555">${tickLabel(t)}</text>`);
  for (const s of options.series) {
    if (s.points.length > 1)
      out.push(
        `<polyline points="${s.points.map((p) => `${px(p.x)},${py(p.y)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    for (const p of s.points)
      out.push(
        `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="4" fill="${s.hollow ? '#ffffff' : s.color}" stroke="${s.color}" stroke-width="2"><title>${escapeXml(`${s.label}: ${options.format(p.y)}`)}</title></circle>`,
      );
  }
  return out;
}

/** The chart of a run's scaling cells, a line per server (and query) in each panel. */
export function renderGrowthChart(growth: readonly ServerGrowth[], title: string): string {
  const all = growth.flatMap((g) => g.points);
  const connections = connectionsOf(all);
  const rowsAt = connections.includes(PREFERRED_CONNECTIONS) ? PREFERRED_CONNECTIONS : (connections[0] ?? PREFERRED_CONNECTIONS);
  const color = (i: number) => PALETTE[i % PALETTE.length]!;
  const legendRows = Math.ceil(growth.length / 2);
  const panelsTop = LEGEND_TOP + legendRows * 20 + 30;
  const height = panelsTop + 2 * PANEL_H + GAP;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  ];
  growth.forEach((g, i) => {
    const x = 20 + (i % 2) * (WIDTH / 2);
    const y = LEGEND_TOP + Math.floor(i / 2) * 20;
    out.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${color(i)}"/>`,
      `<text x="${x + 18}" y="${y + 10}">${escapeXml(g.server)}</text>`,
    );
  });
  out.push(
    `<text x="20" y="${LEGEND_TOP + legendRows * 20 + 10}" fill="#555">${escapeXml(
      `Left: acme's org page at ${rowsAt} connections (●), the largest org's first 50 (○). Right: acme's first: 50 (solid), the deep query (dashed). Log scales.`,
    )}</text>`,
  );

  const byRows = (g: ServerGrowth, i: number, value: (p: GrowthPoint) => number): Series[] => {
    const acme = g.points.filter((p) => p.query === 'acme' && p.connections === rowsAt && p.rows !== null);
    const largest = pointAt(g.points, 'largest', 50, rowsAt);
    return [
      {
        color: color(i),
        label: `${g.server}, acme`,
        points: acme.map((p) => ({ x: p.rows ?? 0, y: value(p) })).sort((a, b) => a.x - b.x),
      },
      ...(largest
        ? [{ color: color(i), label: `${g.server}, largest org`, points: [{ x: 50, y: value(largest) }], hollow: true }]
        : []),
    ];
  };
  const byConnections = (g: ServerGrowth, i: number, value: (p: GrowthPoint) => number): Series[] =>
    (['acme', 'deep'] as const).map((query) => ({
      color: color(i),
      label: `${g.server}, ${query === 'acme' ? "acme's first: 50" : 'deep query'}`,
      points: g.points
        .filter((p) => p.query === query && (query === 'deep' || p.rows === 50))
        .map((p) => ({ x: p.connections, y: value(p) }))
        .sort((a, b) => a.x - b.x),
      dashed: query === 'deep',
    }));

  const maxRows = Math.max(100, ...all.map((p) => p.rows ?? 0));
  const rowsAxis = (length: number) => linearAxis([0, maxRows], length, [10, 50, 100]);
  const connectionsAxis = (length: number) => {
    const lo = Math.min(...connections, 1);
    const hi = Math.max(...connections, lo * 2);
    return { ...logAxis([lo, hi], length), ticks: connections };
  };
  const measures = [
    { title: 'requests/s', value: (p: GrowthPoint) => p.requestsPerSecond, format: (v: number) => `${Math.round(v)} req/s` },
    { title: 'p99 latency (ms)', value: (p: GrowthPoint) => p.p99, format: (v: number) => `${v.toFixed(2)} ms` },
  ];
  measures.forEach((m, row) => {
    const yDomain = logDomain(all.map(m.value));
    const y0 = panelsTop + row * (PANEL_H + GAP);
    out.push(
      ...panel({
        x0: 0,
        y0,
        title: `${m.title} against rows returned`,
        xTitle: 'members on the page',
        xAxis: rowsAxis,
        yDomain,
        format: m.format,
        series: growth.flatMap((g, i) => byRows(g, i, m.value)),
      }),
      ...panel({
        x0: PANEL_W + GAP,
        y0,
        title: `${m.title} against connections`,
        xTitle: 'concurrent connections',
        xAxis: connectionsAxis,
        yDomain,
        format: m.format,
        series: growth.flatMap((g, i) => byConnections(g, i, m.value)),
      }),
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
