import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// What a container runtime, a process manager or a terminal's Ctrl-C does to
// `npm start`: SIGTERM to the whole process group, while a browser holds a
// keep-alive connection and a request is still being sent.

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The pids whose process group is `pgid`, read from /proc (no `ps` needed). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start at the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

function httpGet(port: number, agent: Agent, path: string, accept: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { accept } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function httpPost(port: number, agent: Agent, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function startNpm(dataDir: string): Promise<Started> {
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|VITEST|NODE_ENV)/.test(k)) env[k] = v;
  // detached: its own process group, as a terminal or a supervisor gives it.
  const child = spawn('npm', ['start'], {
    env: { ...env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start not healthy in 120 s:\n${output}`);
    const healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { child, port, output: () => output, exited };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dataDir = await mkdtemp(join(tmpdir(), 'tg-start-stop-'));
let leftover: number | undefined;
afterAll(async () => {
  // Never leave a server behind, even when an assertion failed.
  if (leftover !== undefined) {
    for (const pid of groupMembers(leftover)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start, stopped by SIGTERM to its process group', () => {
  it('finishes the request in flight, ends every process of the group, and exits 0', { timeout: 180_000 }, async () => {
    const server = await startNpm(dataDir);
    const pgid = server.child.pid!;
    leftover = pgid;
    expect(groupMembers(pgid).length).toBeGreaterThan(0);

    // A browser: the GraphiQL page and one POST over one keep-alive socket, left open.
    const browser = new Agent({ keepAlive: true, maxSockets: 1 });
    const page = await httpGet(server.port, browser, '/graphql', 'text/html');
    expect(page.status).toBe(200);
    const first = await httpPost(server.port, browser, JSON.stringify({ query: '{ __typename }' }));
    expect(first.status).toBe(200);

    // A request in flight: headers and half of its body sent before the signal.
    const body = JSON.stringify({
      query: 'mutation LogIn($input: LogInInput!) { logIn(input: $input) { user { email } } }',
      variables: { input: { email: 'alice@example.com', password: 'demo-password-1' } },
    });
    const socket = connect(server.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const socketClosed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    const half = Math.floor(body.length / 2);
    socket.write(body.slice(0, half));
    await sleep(300);

    const signalled = Date.now();
    process.kill(-pgid, 'SIGTERM');
    await sleep(500);
    socket.write(body.slice(half));

    // The in-flight request gets its full answer.
    await Promise.race([socketClosed, sleep(15_000)]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('"logIn":{"user":{"email":"alice@example.com"}}');

    // npm exits 0, within a bound, and nothing of the group is left.
    const code = await Promise.race([server.exited, sleep(30_000).then(() => 'timeout' as const)]);
    expect(code, server.output()).toBe(0);
    let members = groupMembers(pgid);
    for (let i = 0; i < 50 && members.length > 0; i++) {
      await sleep(100);
      members = groupMembers(pgid);
    }
    expect(members, server.output()).toEqual([]);
    leftover = undefined;
    expect(Date.now() - signalled).toBeLessThan(20_000);
    expect(server.output()).toContain('"msg":"stopped"');
    // The whole life of a real start, first run's demo seed included, logs no password.
    expect(server.output()).toContain('demo sign-in: alice@example.com');
    expect(server.output()).not.toContain('demo-password-1');
    browser.destroy();
  });

  it('stops the same way on SIGINT (Ctrl-C), and the folder it released opens again', { timeout: 180_000 }, async () => {
    const server = await startNpm(dataDir);
    const pgid = server.child.pid!;
    leftover = pgid;
    process.kill(-pgid, 'SIGINT');
    const code = await Promise.race([server.exited, sleep(30_000).then(() => 'timeout' as const)]);
    expect(code, server.output()).toBe(0);
    let members = groupMembers(pgid);
    for (let i = 0; i < 50 && members.length > 0; i++) {
      await sleep(100);
      members = groupMembers(pgid);
    }
    expect(members, server.output()).toEqual([]);
    leftover = undefined;
    expect(server.output()).toContain('"signal":"SIGINT"');
  });
});
