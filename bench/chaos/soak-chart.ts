// The soak's chart, beside the chaos report: RSS of each instance, and what
// the key prefix holds in Redis (bytes and keys), against time. Drawn with
// the scaling chart's panels (bench/growth-chart.ts) on linear axes, from
// zero, so a level line reads as level and growth as growth.

import { type Axis, escapeXml, linearAxis, PANEL_H, PANEL_W, panel, type Series } from '../growth-chart.ts';
import type { MemoryPoint } from './scenarios/soak.ts';

const WIDTH = 960;
const GAP = 20;
const TOP = 50;
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd'];

/** Round ticks from 0 to just above `max`: 4 or 5 of them. */
function ticksUpTo(max: number): number[] {
  const raw = Math.max(max, 1e-9) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(6)));
  return ticks;
}

const fromZero = (values: readonly number[]) => {
  const ticks = ticksUpTo(Math.max(...values, 0));
  const top = ticks.at(-1) ?? 1;
  return { domain: [0, top] as [number, number], axis: (length: number): Axis => linearAxis([0, top], length, ticks) };
};

/** The soak's memory over time: RSS per instance, Redis bytes and keys under the prefix. */
export function renderSoakChart(memory: readonly MemoryPoint[], title: string): string {
  const minutes = memory.map((m) => m.t / 60);
  const time = fromZero(minutes);
  const instances = Object.keys(memory[0]?.rss ?? {});
  const line = (label: string, color: string, value: (m: MemoryPoint) => number): Series => ({
    color,
    label,
    points: memory.map((m) => ({ x: m.t / 60, y: value(m) })),
  });
  const rss = instances.map((name, i) => line(`RSS ${name}`, PALETTE[i % PALETTE.length]!, (m) => (m.rss[name] ?? 0) / 2 ** 20));
  const bytes = [line('Redis bytes under the prefix', '#d62728', (m) => m.redisBytes / 1024)];
  const keys = [line('Redis keys under the prefix', '#8c564b', (m) => m.redisKeys)];
  const panels = [
    { title: 'RSS per instance (MB)', series: rss, format: (v: number) => `${v.toFixed(1)} MB` },
    { title: 'Redis memory under the prefix (KB, MEMORY USAGE)', series: bytes, format: (v: number) => `${v.toFixed(1)} KB` },
    { title: 'Redis keys under the prefix', series: keys, format: (v: number) => `${Math.round(v)} keys` },
  ];
  const height = TOP + 2 * PANEL_H + GAP + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  ];
  instances.forEach((name, i) => {
    const x = 20 + i * 160;
    out.push(
      `<rect x="${x}" y="32" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>`,
      `<text x="${x + 18}" y="42">instance ${escapeXml(name)}</text>`,
    );
  });
  panels.forEach((p, i) => {
    const y = fromZero(p.series.flatMap((s) => s.points.map((pt) => pt.y)));
    out.push(
      ...panel({
        x0: (i % 2) * (PANEL_W + GAP),
        y0: TOP + Math.floor(i / 2) * (PANEL_H + GAP),
        title: p.title,
        xTitle: 'minutes into the soak',
        xAxis: time.axis,
        yDomain: y.domain,
        yAxis: y.axis,
        format: p.format,
        series: p.series,
      }),
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
