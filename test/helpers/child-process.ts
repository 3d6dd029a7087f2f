import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root: child processes run there, as npm scripts do. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How a child differs from this process: variables to set, and variables to remove (a prefix match). */
export interface ChildOptions {
  env?: Record<string, string | undefined>;
  /** Inherited variables whose names start with one of these are dropped, e.g. DATABASE_URL. */
  unset?: readonly string[];
}

/** What a finished child left. */
export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A child still running: its output so far, and a stop that answers its exit code. */
export interface RunningChild {
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<number | null>;
}

function childEnv(options: ChildOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !options.unset?.some((prefix) => k.startsWith(prefix))) env[k] = v;
  }
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts `node --import tsx <script> ...args` in the repository's root: how npm scripts run TypeScript. */
export function startTsx(script: string, args: readonly string[] = [], options: ChildOptions = {}): RunningChild {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs a TypeScript script to its end, as `npm run` would, and answers its code and both outputs. */
export function runTsx(script: string, args: readonly string[] = [], options: ChildOptions = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, env: childEnv(options) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
