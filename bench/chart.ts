// The report's chart, written by hand as SVG: for each workload a group of
// horizontal bars, one per server, for requests/s and for p99 latency. Each
// group has its own scale, set by the servers (not the bare ceiling, which
// can be 20× faster and would flatten every bar that matters): a bar beyond
// the scale is drawn full length with a break. Values are printed on the bars.

import type { Cell } from './report.ts';

const PALETTE = ['#7f7f7f', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#d62728', '#17becf', '#8c564b'];
const WIDTH = 960;
const LABEL = 150;
const BAR = 16;
const GAP = 4;
const GROUP_GAP = 14;
const PANEL_GAP = 24;
const TITLE = 22;
/** The ceiling rows, far above every server: the scale is set by the others, the ceilings drawn off scale. */
const CEILINGS = new Set(['bare', 'bare-redis']);

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The chart of a run's cells. */
export function renderChart(cells: readonly Cell[], title: string): string {
  const servers = [...new Map(cells.map((c) => [c.serverId, c.server])).entries()];
  const workloads = [...new Set(cells.map((c) => c.workload))];
  const color = (serverId: string) => PALETTE[servers.findIndex(([id]) => id === serverId) % PALETTE.length]!;
  const panelWidth = (WIDTH - PANEL_GAP) / 2;
  const barSpace = panelWidth - LABEL - 110;

  const groupHeight = (workload: string) => cells.filter((c) => c.workload === workload).length * (BAR + GAP) + GROUP_GAP + 14;
  const legendRows = Math.ceil(servers.length / 2);
  const top = 40 + legendRows * 20 + TITLE;
  const height = top + workloads.reduce((h, w) => h + groupHeight(w), 0) + 10;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  ];
  servers.forEach(([id, name], i) => {
    const x = 20 + (i % 2) * (WIDTH / 2);
    const y = 40 + Math.floor(i / 2) * 20;
    out.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${color(id)}"/>`,
      `<text x="${x + 18}" y="${y + 10}">${escapeXml(name)}</text>`,
    );
  });

  const panels: { title: string; value: (c: Cell) => number; format: (n: number) => string }[] = [
    {
      title: 'requests/s (higher is better)',
      value: (c) => c.requestsPerSecond,
      format: (n) => Math.round(n).toLocaleString('en-US'),
    },
    { title: 'p99 latency, ms (lower is better)', value: (c) => c.p99, format: (n) => n.toFixed(1) },
  ];
  panels.forEach((panel, p) => {
    const x0 = p * (panelWidth + PANEL_GAP);
    out.push(`<text x="${x0 + LABEL}" y="${top - 6}" font-weight="600">${escapeXml(panel.title)}</text>`);
    let y = top;
    for (const workload of workloads) {
      const group = cells.filter((c) => c.workload === workload);
      const servers = group.filter((c) => !CEILINGS.has(c.serverId));
      const max = Math.max(...(servers.length > 0 ? servers : group).map(panel.value), 1e-9);
      out.push(`<text x="${x0 + 8}" y="${y + 12}" font-weight="600">${escapeXml(workload)}</text>`);
      y += 16;
      for (const cell of group) {
        const value = panel.value(cell);
        const offScale = value > max;
        const w = Math.max(1, (Math.min(value, max) / max) * barSpace);
        out.push(
          `<rect x="${x0 + LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${color(cell.serverId)}"><title>${escapeXml(`${cell.server} · ${workload}: ${panel.format(value)}`)}</title></rect>`,
          `<text x="${(x0 + LABEL + w + 4).toFixed(1)}" y="${y + BAR - 4}">${panel.format(value)}${offScale ? ' (off scale)' : ''}${cell.errors > 0 ? ' ✗' : ''}</text>`,
        );
        if (offScale) {
          const bx = x0 + LABEL + w - 24;
          out.push(
            `<path d="M${bx} ${y + BAR + 1} l6 ${-BAR - 2} M${bx + 6} ${y + BAR + 1} l6 ${-BAR - 2}" stroke="#ffffff" stroke-width="3"/>`,
          );
        }
        y += BAR + GAP;
      }
      y += GROUP_GAP - 2;
    }
    out.push(`<line x1="${x0 + LABEL}" y1="${top - 2}" x2="${x0 + LABEL}" y2="${y}" stroke="#999"/>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
