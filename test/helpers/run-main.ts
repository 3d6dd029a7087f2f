import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** What the server's process entry did: its exit, its output, and whether it had to be stopped at the deadline. */
export interface MainRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Still running at the deadline (so it started, or hung): it was sent SIGKILL. */
  timedOut: boolean;
}

/** How long a start may take on a loaded 2-core machine before it counts as hung (tsx compiles the whole server). */
export const SPAWN_DEADLINE_MS = 45_000;
/** A test timeout that outlasts the deadline, so a hung start fails as timedOut, not as a vitest timeout. */
export const SPAWN_TEST_TIMEOUT_MS = SPAWN_DEADLINE_MS + 15_000;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/**
 * Runs `node --import tsx src/main.ts` with exactly `env` (plus PATH and HOME),
 * for at most `deadlineMs`: how an operator starts the server.
 */
export async function runMain(env: Record<string, string>, deadlineMs = SPAWN_DEADLINE_MS): Promise<MainRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, deadlineMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  return { code, stdout, stderr, timedOut };
}
