// A real Redis Cluster on loopback, started from the machine's redis-server: the test
// suite's `cluster` project and `npm run bench -- --redis=cluster` both run on one.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Masters of a cluster: the fewest Redis Cluster accepts. */
const MASTERS = 3;
/** Redis Cluster talks between nodes on the client port + 10000: that one must be free too. */
const BUS_OFFSET = 10_000;
/** The first port searched for a test cluster; nothing else here uses a 7xxx port. */
export const CLUSTER_PORT_BASE = 7100;

/** A running test cluster on loopback. */
export interface RedisCluster {
  ports: number[];
  /** `127.0.0.1:P,…`, as REDIS_CLUSTER_NODES takes it. */
  seeds: string;
  /** Kills one node at once (SIGKILL, by its pid): a crash, as a failover test needs. */
  kill(port: number): Promise<void>;
  /** Stops every node this helper started (by its pid), and removes its files. */
  stop(): Promise<void>;
}

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first block of `nodes` ports from `from` whose ports and bus ports are all free. */
async function freeBlock(from: number, nodes: number): Promise<number[]> {
  for (let base = from; base < from + 800; base += nodes) {
    const ports = Array.from({ length: nodes }, (_, i) => base + i);
    const checks = await Promise.all(ports.flatMap((p) => [free(p), free(p + BUS_OFFSET)]));
    if (checks.every(Boolean)) return ports;
  }
  throw new Error(`no ${nodes} free ports (and bus ports) from ${from}`);
}

/** CLUSTER INFO's cluster_state of one node; 'down' when it does not answer. */
async function clusterState(port: number): Promise<string> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
    return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? 'unknown';
  } catch {
    return 'down';
  }
}

/** Waits until every node in `ports` says cluster_state:ok. */
export async function waitClusterOk(ports: readonly number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(ports.map(clusterState));
    if (states.every((s) => s === 'ok')) return;
    if (Date.now() > deadline) throw new Error(`cluster not ok after ${timeoutMs} ms: ${states.join(',')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a Redis Cluster of 3 masters, each with `replicas` replicas (1: the
 * smallest cluster that can fail over), from the machine's redis-server on
 * the first free block of ports from `from`, nothing kept on disk, and waits
 * until every node says cluster_state:ok. A node timeout of 1 s makes a
 * failover take about 2 s.
 */
export async function startRedisCluster(from = CLUSTER_PORT_BASE, replicas = 1): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tg-cluster-'));
  const ports = await freeBlock(from, MASTERS * (1 + replicas));
  const pidFile = (port: number) => join(dir, `${port}.pid`);
  await Promise.all(
    ports.map((port) =>
      run('redis-server', [
        ...['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'],
        ...['--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '1000'],
        ...['--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--dir', dir],
        // Replicas sync at once instead of 5 s later: a replica that never synced refuses to take over.
        ...['--repl-diskless-sync-delay', '0'],
        ...['--pidfile', pidFile(port), '--logfile', join(dir, `${port}.log`)],
      ]),
    ),
  );
  const kill = async (port: number) => {
    const pid = Number(await readFile(pidFile(port), 'utf8').catch(() => ''));
    if (!(pid > 0)) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone (killed before by a failover test).
    }
  };
  const stop = async () => {
    for (const port of ports) await kill(port);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // Daemonized nodes write their pid file just after forking: wait until every one answers.
    await waitUntilAnswering(ports);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    await waitClusterOk(ports);
    await waitReplicasSynced(ports);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, seeds: ports.map((p) => `127.0.0.1:${p}`).join(','), kill, stop };
}

/** Waits until every replica among `ports` has its link to its master up (it has synced, so it can take over). */
async function waitReplicasSynced(ports: readonly number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    for (;;) {
      const { stdout } = await run('redis-cli', ['-p', String(port), 'info', 'replication']);
      if (stdout.includes('role:master') || stdout.includes('master_link_status:up')) break;
      if (Date.now() > deadline) throw new Error(`replica ${port} not synced after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function waitUntilAnswering(ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (const port of ports) {
    for (;;) {
      try {
        await run('redis-cli', ['-p', String(port), 'ping']);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}

/** A live master of CLUSTER NODES: its port and the slot ranges it serves (`a-b` or `a`). */
interface LiveMaster {
  port: number;
  ranges: string[];
}

/** The live masters, from CLUSTER NODES asked of the first node that answers. */
async function liveMasters(ports: readonly number[]): Promise<LiveMaster[]> {
  for (const port of ports) {
    let listing: string;
    try {
      listing = (await run('redis-cli', ['-p', String(port), 'cluster', 'nodes'])).stdout;
    } catch {
      continue; // This node is down: ask the next.
    }
    // Each line: id ip:port@bus flags master-id ping pong epoch link slot-range…
    return listing
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, , flags = '']) => flags.split(',').includes('master') && !flags.includes('fail'))
      .map(([, address = '', , , , , , , ...ranges]) => ({
        port: Number(address.slice(address.indexOf(':') + 1, address.indexOf('@'))),
        ranges,
      }));
  }
  throw new Error('no cluster node answers');
}

/** The ports of the live masters. */
export async function masterPorts(ports: readonly number[]): Promise<number[]> {
  return (await liveMasters(ports)).map((master) => master.port);
}

/** The port of the live master serving `slot`. */
export async function masterOfSlot(ports: readonly number[], slot: number): Promise<number> {
  const owner = (await liveMasters(ports)).find((master) =>
    master.ranges.some((range) => {
      const [start, end = start] = range.split('-').map(Number);
      return start !== undefined && end !== undefined && slot >= start && slot <= end;
    }),
  );
  if (!owner) throw new Error(`no live master serves slot ${slot}`);
  return owner.port;
}
