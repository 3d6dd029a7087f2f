// Where a run's report goes. A full run writes bench/results/<date>.md and
// .svg (the committed report) and points bench/README.md at it; a quick run
// (a smoke check) or a run with other options writes under
// bench/results/raw/ (git-ignored). All keep the raw JSON of every cell in raw/.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { renderChart } from './chart.ts';
import { ROOT } from './process.ts';
import { renderReport, type BenchReport } from './report.ts';

const RESULTS = join(ROOT, 'bench/results');
const README = join(ROOT, 'bench/README.md');
const LATEST = /<!-- latest -->.*<!-- \/latest -->/;

export async function publish(report: BenchReport): Promise<{ markdown: string; chart: string }> {
  const raw = join(RESULTS, 'raw');
  await mkdir(raw, { recursive: true });
  const full = report.settings.kind === 'full';
  const base = full ? report.date : `${report.date}-${report.settings.kind}`;
  const dir = full ? RESULTS : raw;
  const markdown = join(dir, `${base}.md`);
  const chart = join(dir, `${base}.svg`);
  const title = `tenant-graph vs peers, ${report.date}: ${report.machine.cpuCount} CPUs, Node ${report.machine.node}`;
  await writeFile(chart, renderChart(report.cells, title));
  await writeFile(markdown, renderReport(report, `${base}.svg`));
  await writeFile(join(raw, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  if (full) await pointReadmeAt(markdown);
  return { markdown: relative(ROOT, markdown), chart: relative(ROOT, chart) };
}

/** Rewrites the "latest" link of bench/README.md, if it has one. */
async function pointReadmeAt(markdown: string): Promise<void> {
  const text = await readFile(README, 'utf8').catch(() => null);
  if (text === null || !LATEST.test(text)) return;
  const target = relative(join(ROOT, 'bench'), markdown);
  const name = target.replace(/^results\//, '').replace(/\.md$/, '');
  await writeFile(README, text.replace(LATEST, `<!-- latest -->[${name}](${target})<!-- /latest -->`));
}
