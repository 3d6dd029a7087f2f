// A server under test as a child process: started the way a user starts it
// (`node --import tsx <entry>`, one process, so its pid is the server's),
// probed until it answers GraphQL, measured through /proc, and stopped.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export const ROOT = new URL('..', import.meta.url).pathname;

/** A free TCP port on loopback (the OS picks; a race with another process is possible but harmless here). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** The process environment a server gets: the bare minimum plus its own, so the caller's shell never leaks in. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[name]) base[name] = process.env[name];
  return { ...base, ...env };
}

export interface ServerProcess {
  readonly pid: number;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** The last output of the process, for error messages. */
  output(): string;
  /** Starts a peak-RSS window (resets the kernel's high-water mark when allowed, and samples RSS meanwhile). */
  startRssWindow(): Promise<void>;
  /** Peak resident set size in bytes since startRssWindow. */
  endRssWindow(): Promise<number>;
  /** CPU time the process has used so far (user + system), in µs. */
  cpuMicros(): Promise<number>;
  signal(name: NodeJS.Signals): void;
  stop(): Promise<void>;
}

const OUTPUT_KEEP = 16_000;

/**
 * Spawns `node --import tsx <entry>` with `env` (which must make it listen on
 * `port`), and resolves once POST /graphql `{ __typename }` answers 200.
 */
export async function startServerProcess(options: {
  entry: string;
  env: Record<string, string>;
  port: number;
  readyTimeoutMs?: number;
  /** Node options placed before the entry (a preload, say). */
  nodeArgs?: readonly string[];
  /** Where it runs (files it reads by relative path, migrations say, come from there). @default the project root */
  cwd?: string;
}): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...(options.nodeArgs ?? []), options.entry], {
    cwd: options.cwd ?? ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEEP);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const origin = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (hasExited) throw new Error(`${options.entry} exited before answering:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.entry} did not answer within ${options.readyTimeoutMs ?? 60_000} ms:\n${output}`);
    }
    if (await answers(origin)) break;
    await sleep(100);
  }

  const pid = child.pid!;
  let sampler: NodeJS.Timeout | undefined;
  let sampledPeak = 0;
  let hwmReset = false;
  return {
    pid,
    origin,
    output: () => output,
    async startRssWindow() {
      // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0);
      // sampling VmRSS covers kernels or sandboxes that refuse it.
      hwmReset = await writeFile(`/proc/${pid}/clear_refs`, '5').then(
        () => true,
        () => false,
      );
      sampledPeak = await statusField(pid, 'VmRSS');
      clearInterval(sampler);
      sampler = setInterval(() => {
        void statusField(pid, 'VmRSS').then(
          (rss) => (sampledPeak = Math.max(sampledPeak, rss)),
          () => {},
        );
      }, 100);
    },
    async endRssWindow() {
      clearInterval(sampler);
      sampler = undefined;
      const last = await statusField(pid, 'VmRSS');
      sampledPeak = Math.max(sampledPeak, last);
      return hwmReset ? Math.max(await statusField(pid, 'VmHWM'), sampledPeak) : sampledPeak;
    },
    cpuMicros: () => cpuMicros(pid),
    signal(name) {
      if (!hasExited) child.kill(name);
    },
    async stop() {
      clearInterval(sampler);
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15, in clock ticks: 100 a second on Linux), in µs. */
async function cpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after it are counted from its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** The process's resident set size now, in bytes (VmRSS). */
export const residentBytes = (pid: number): Promise<number> => statusField(pid, 'VmRSS');

/** A field of /proc/<pid>/status in bytes (the kernel reports kB). */
async function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

async function answers(origin: string): Promise<boolean> {
  try {
    const body = JSON.stringify({ query: '{ __typename }' });
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
      signal: AbortSignal.timeout(2_000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time per poll below which a server counts as idle: one clock tick (10 ms) in 50 ms, timers and GC at most. */
const IDLE_POLL_MS = 50;
const IDLE_CPU_MICROS = 10_000;

/**
 * Waits until the server has worked off the requests a load run left in
 * flight: autocannon drops its connections when its time is up, but the
 * server still executes what they sent (50 connections of the deep query on
 * the miss path: a quarter of a second of work), and that work would fall
 * into the next measured part, counted against its requests. Answers the
 * milliseconds waited; gives up after `maxMs`.
 */
export async function untilIdle(server: Pick<ServerProcess, 'cpuMicros'>, maxMs = 3000, pollMs = IDLE_POLL_MS): Promise<number> {
  const started = performance.now();
  let before = await server.cpuMicros();
  while (performance.now() - started < maxMs) {
    await sleep(pollMs);
    const now = await server.cpuMicros();
    if (now - before <= IDLE_CPU_MICROS) break;
    before = now;
  }
  return performance.now() - started;
}
