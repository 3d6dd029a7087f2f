// Where a cell's CPU time went: a V8 CPU profile (bench/profiler-hook.ts)
// reduced to self time per place, a place being an npm package, one of our
// files, or V8's own work (GC, idle, native code), in µs per request.

import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ServerProcess, sleep } from './process.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  place: string;
  /** Self time per request, µs. */
  microsPerRequest: number;
  /** Share of all sampled time, idle excluded. */
  share: number;
}

/** The place a script URL belongs to: `pkg` for node_modules/pkg (scoped too), the path under the repository, or node's own module. */
export function placeOf(url: string, functionName: string): string {
  if (!url) {
    // V8 names its own work in parentheses: (garbage collector), (program), (idle).
    if (functionName.startsWith('(')) return functionName;
    // Without a script: a builtin or a native binding (a syscall's wait included: the sampler counts
    // wall time, so under CPU contention a write that wakes another process absorbs the time this one
    // waits to run again), or code made by new Function (graphql-jit's compiled queries).
    return '(native or generated)';
  }
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
  }
  if (path.startsWith('node:')) return path;
  const repo = /\/(src|bench|test|prisma|scripts)\//.exec(path);
  return repo ? path.slice(repo.index + 1) : path;
}

/**
 * Self time grouped by place (`by: 'place'`) or by function within its place,
 * most first, idle left out (a server waiting for its clients is not work).
 */
export function selfTime(profile: CpuProfile, requests: number, by: 'place' | 'function'): ProfileRow[] {
  const placeOfNode = new Map<number, string>();
  for (const { id, callFrame } of profile.nodes) {
    const place = placeOf(callFrame.url, callFrame.functionName);
    const fn = callFrame.functionName || '(anonymous)';
    placeOfNode.set(id, by === 'place' || fn === place ? place : `${fn} · ${place}`);
  }
  // The profiler's own start and stop (serialising the profile) are not the server's work.
  const hook = new Set<number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const mark = (id: number) => {
    hook.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const node of profile.nodes) if (node.callFrame.url.endsWith('profiler-hook.ts')) mark(node.id);
  const micros = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (hook.has(id)) return;
    const place = placeOfNode.get(id) ?? '(unknown)';
    micros.set(place, (micros.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  micros.delete('(idle)');
  const total = [...micros.values()].reduce((a, b) => a + b, 0) || 1;
  return [...micros]
    .map(([place, us]) => ({ place, microsPerRequest: us / Math.max(requests, 1), share: us / total }))
    .sort((a, b) => b.microsPerRequest - a.microsPerRequest);
}

export async function readProfile(file: string): Promise<CpuProfile> {
  return JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
}

/** The profiles of one server process, one per cell, driven by signals (bench/profiler-hook.ts). */
export class ProfileControl {
  private n = 0;
  constructor(
    private readonly server: Pick<ServerProcess, 'signal'>,
    private readonly dir: string,
  ) {}

  async start(): Promise<void> {
    this.n += 1;
    this.server.signal('SIGUSR2');
    await waitForFile(join(this.dir, `${this.n}.started`));
  }

  /** Stops the profiler and reads what it wrote. */
  async stop(): Promise<CpuProfile> {
    this.server.signal('SIGUSR2');
    const file = join(this.dir, `${this.n}.cpuprofile`);
    await waitForFile(file);
    return readProfile(file);
  }
}

async function waitForFile(file: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await access(file);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the server under test did not write ${file}`);
      await sleep(20);
    }
  }
}
