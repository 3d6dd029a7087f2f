// The chaos report: per scenario, a table of its phases (requests sent,
// failures by kind, p50/p99/max latency, stale answers, time to recover) and
// its promises with what was seen; then the soak's memory figures and chart.
// A run of every scenario writes bench/results/<date>-chaos.md and .svg (the
// committed report); a run of one scenario writes under bench/results/raw/.

import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { MachineInfo } from '../machine.ts';
import { ROOT } from '../process.ts';
import type { ScenarioResult } from './scenario.ts';
import type { SoakResult } from './scenarios/soak.ts';
import { renderSoakChart } from './soak-chart.ts';
import { formatFailures } from './summary.ts';

export interface ChaosReport {
  date: string;
  machine: MachineInfo;
  settings: {
    rate: number;
    writeEveryMs: number;
    viewers: number;
    soakMinutes: number;
    only: string | null;
    env: Record<string, string>;
  };
  results: ScenarioResult[];
}

const RESULTS = join(ROOT, 'bench/results');

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const pct = (share: number) => `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%`;

const isSoak = (r: ScenarioResult): r is SoakResult => 'memory' in r;

/** The report's markdown; `chart` names the soak's SVG beside it, if any. */
export function renderChaosReport(report: ChaosReport, chart: string | null): string {
  const { machine, settings } = report;
  const out: string[] = [
    `# Chaos report, ${report.date}`,
    '',
    `Two instances of tenant-graph (\`node --import tsx src/main.ts\`, \`NODE_ENV=production\`) on one Postgres database and one Redis key prefix, each reaching them through loopback proxies of its own that the runner cuts or slows for both at once. Load: ${settings.rate} hot reads a second across the instances (page loads and organization pages as ${settings.viewers} viewers, sent on schedule whether or not earlier ones answered) and one write every ${settings.writeEveryMs} ms (a rename or a flag flip, in turn on each instance, read back at once on both). A read is **stale** when it shows a value older than a write acknowledged before it was sent. \`npm run chaos\`${settings.only ? ` -- --only=${settings.only}` : ''}${settings.soakMinutes !== 10 ? ` (soak: ${settings.soakMinutes} min)` : ''}${
      Object.keys(settings.env).length > 0
        ? `, settings ${Object.entries(settings.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    }.`,
    '',
    `Machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.postgres}, ${machine.redis}; commit ${machine.commit}; CPUs ${Math.round(machine.busyAtStart * 100)}% busy before the run${machine.busyAtStart > 0.2 ? ' (other work on this machine: latencies are higher than on an idle one)' : ''}.`,
    '',
    '| scenario | phase | requests | failures by kind | p50 ms | p99 ms | max ms | stale | time to recover |',
    '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of report.results) {
    r.phases.forEach((p, i) => {
      const recover =
        i === 0 ? (r.recoveryMs === null ? (r.id === 'soak' ? '—' : 'never') : `${(r.recoveryMs / 1000).toFixed(2)} s`) : '';
      out.push(
        `| ${i === 0 ? r.id : ''} | ${p.label} | ${p.summary.requests} | ${formatFailures(p.summary.failures)} | ${ms(p.summary.p50)} | ${ms(p.summary.p99)} | ${ms(p.summary.max)} | ${p.summary.stale} | ${recover} |`,
      );
    });
  }
  out.push(
    '',
    'Time to recover: from the end of the fault to the first request after which every answer was right and fast again (under 3 × the warm p99, 100 ms at least); for the Postgres cut, until uncached reads, writes and /ready succeeded on every instance.',
  );
  for (const r of report.results) {
    out.push('', `## ${r.title}`, '');
    for (const c of r.checks) out.push(`- ${c.ok ? '✅' : '❌'} ${c.name}: ${c.seen}`);
    if (r.skipped > 0) out.push(`- ${r.skipped} reads not sent: too many were unanswered (the runner's in-flight cap)`);
    if (isSoak(r) && r.memory.length > 0) {
      const first = r.memory[0]!;
      const mid = r.memory[Math.floor(r.memory.length / 2)]!;
      const last = r.memory.at(-1)!;
      out.push(
        '',
        chart ? `![RSS and Redis memory during the soak](${chart})` : '',
        '',
        '| figure | start | half-way | end | growth over the second half |',
        '| --- | ---: | ---: | ---: | ---: |',
      );
      for (const name of Object.keys(first.rss)) {
        out.push(
          `| RSS ${name} (MB) | ${mb(first.rss[name] ?? 0)} | ${mb(mid.rss[name] ?? 0)} | ${mb(last.rss[name] ?? 0)} | ${pct(r.secondHalfGrowth[`RSS ${name}`] ?? 0)} |`,
        );
      }
      out.push(
        `| Redis bytes under the prefix (KB) | ${(first.redisBytes / 1024).toFixed(1)} | ${(mid.redisBytes / 1024).toFixed(1)} | ${(last.redisBytes / 1024).toFixed(1)} | ${pct(r.secondHalfGrowth['Redis bytes under the prefix'] ?? 0)} |`,
        `| Redis keys under the prefix | ${first.redisKeys} | ${mid.redisKeys} | ${last.redisKeys} | ${pct(r.secondHalfGrowth['Redis keys under the prefix'] ?? 0)} |`,
        `| Redis used_memory, whole server (MB) | ${mb(first.redisUsedMemory)} | ${mb(mid.redisUsedMemory)} | ${mb(last.redisUsedMemory)} | (shared with other users) |`,
        '',
        `Growth over the second half: the mean of the last fifth of the samples against the mean around the half-way mark (${r.memory.length} samples). Keys without a TTL at the end (SCAN over the prefix, then TTL): ${r.keysWithoutTtl.length === 0 ? 'none' : r.keysWithoutTtl.join(', ')}.`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** Writes the report (and the soak's chart, when there was a soak); answers the paths written, from the project root. */
export async function publishChaosReport(report: ChaosReport): Promise<string[]> {
  const dir = report.settings.only ? join(RESULTS, 'raw') : RESULTS;
  await mkdir(dir, { recursive: true });
  const base = `${report.date}-chaos${report.settings.only ? `-${report.settings.only}` : ''}`;
  const soak = report.results.find(isSoak);
  const written: string[] = [];
  let chart: string | null = null;
  if (soak && soak.memory.length > 0) {
    chart = `${base}.svg`;
    const title = `Soak, ${report.date}: ${soak.title.replace(/^Soak: /, '')}, ${report.settings.rate} reads/s on 2 instances`;
    await writeFile(join(dir, chart), renderSoakChart(soak.memory, title));
    written.push(join(dir, chart));
  }
  const markdown = join(dir, `${base}.md`);
  await writeFile(markdown, renderChaosReport(report, chart));
  written.unshift(markdown);
  return written.map((path) => relative(ROOT, path));
}
