// What the figures were measured on, for the report: numbers from another
// machine are not comparable, and the reader should be able to tell.

import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, release, totalmem } from 'node:os';
import { ROOT, sleep } from './process.ts';

/** Above this share of busy CPU before a run, the report says the machine was not idle. */
export const BUSY = 0.2;

export interface MachineInfo {
  cpuCount: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  redis: string;
  /** Commit measured, with "+dirty" when the working tree had changes. */
  commit: string;
  /** Share of all CPUs busy just before the run (0-1): well above 0, something else was running. */
  busyAtStart: number;
}

export function describeMachine(facts: { postgres: string; redis: string; busyAtStart: number }): MachineInfo {
  const cpuList = cpus();
  return {
    cpuCount: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `Linux ${release()}`,
    node: process.version,
    postgres: facts.postgres,
    redis: `Redis ${facts.redis}`,
    commit: gitCommit(),
    busyAtStart: Math.round(facts.busyAtStart * 100) / 100,
  };
}

function gitCommit(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain').length > 0 ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** The CPU ticks of all cores from /proc/stat: idle (iowait counted as idle) and in all. */
async function cpuTicks(): Promise<{ idle: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { idle: idle + iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/**
 * How busy the CPUs are over `ms`, from /proc/stat (all cores; iowait counts
 * as idle). A load average would still show the previous run's load for
 * minutes; this shows what runs now. 0 where /proc is missing.
 */
export async function cpuBusy(ms = 500): Promise<number> {
  try {
    const a = await cpuTicks();
    await sleep(ms);
    const b = await cpuTicks();
    const total = b.total - a.total;
    return total > 0 ? 1 - (b.idle - a.idle) / total : 0;
  } catch {
    return 0;
  }
}

/** Ticks per second in /proc/stat (USER_HZ). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time the whole machine has spent busy so far, all cores and every
 * process (kernel, interrupts and the load generator included), in µs; the
 * difference of two readings over a run, divided by its requests, is what a
 * request cost the machine. NaN where /proc is missing.
 */
export async function machineBusyMicros(): Promise<number> {
  try {
    const { idle, total } = await cpuTicks();
    return ((total - idle) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
