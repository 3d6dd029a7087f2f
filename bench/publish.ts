// Where a run's report goes. A full run writes bench/results/<date>.md, its
// .svg and (for the scaling cells) -scaling.svg, the committed report, and
// points bench/README.md at it; a quick run
// (a smoke check) or a run with other options writes under
// bench/results/raw/ (git-ignored). All keep the raw JSON of every cell in raw/.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { renderChart } from './chart.ts';
import { growthOf } from './growth.ts';
import { renderGrowthChart } from './growth-chart.ts';
import { ROOT } from './process.ts';
import { isScalingCell, renderReport, type BenchReport } from './report.ts';

const RESULTS = join(ROOT, 'bench/results');
const README = join(ROOT, 'bench/README.md');
const LATEST = /<!-- latest -->.*<!-- \/latest -->/;

/** Writes the report and its charts (each only when it has cells to show); answers their paths from the project root. */
export async function publish(report: BenchReport): Promise<{ markdown: string; charts: string[] }> {
  const raw = join(RESULTS, 'raw');
  await mkdir(raw, { recursive: true });
  const full = report.settings.kind === 'full';
  const base = full ? report.date : `${report.date}-${report.settings.kind}`;
  const dir = full ? RESULTS : raw;
  const markdown = join(dir, `${base}.md`);
  const machine = `${report.machine.cpuCount} CPUs, Node ${report.machine.node}`;
  // The scaling cells have a chart of their own: as bars among the others they would only crowd the main one.
  const cells = report.cells.filter((c) => !isScalingCell(report, c));
  const growth = growthOf(report.cells, report.workloads);
  const charts: string[] = [];
  const chartName = cells.length > 0 ? `${base}.svg` : null;
  if (chartName) {
    await writeFile(join(dir, chartName), renderChart(cells, `tenant-graph vs peers, ${report.date}: ${machine}`));
    charts.push(chartName);
  }
  const growthName = growth.length > 0 ? `${base}-scaling.svg` : null;
  if (growthName) {
    await writeFile(join(dir, growthName), renderGrowthChart(growth, `How cost grows, ${report.date}: ${machine}`));
    charts.push(growthName);
  }
  await writeFile(markdown, renderReport(report, chartName, growthName));
  await writeFile(join(raw, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  if (full) await pointReadmeAt(markdown);
  return { markdown: relative(ROOT, markdown), charts: charts.map((name) => relative(ROOT, join(dir, name))) };
}

/** Rewrites the "latest" link of bench/README.md, if it has one. */
async function pointReadmeAt(markdown: string): Promise<void> {
  const text = await readFile(README, 'utf8').catch(() => null);
  if (text === null || !LATEST.test(text)) return;
  const target = relative(join(ROOT, 'bench'), markdown);
  const name = target.replace(/^results\//, '').replace(/\.md$/, '');
  await writeFile(README, text.replace(LATEST, `<!-- latest -->[${name}](${target})<!-- /latest -->`));
}
