// Redis commands per request, from `INFO commandstats` deltas around a run.
//
// The counts are server-wide: anything else using this Redis during a run
// (a test suite, another bench) inflates them. The bare node:http server uses
// no Redis, so its column doubles as a measure of that background noise.
// Commands run by Lua scripts (EVAL/EVALSHA) are counted by Redis under their
// own names as well, so a script reading five keys counts as six commands.

import { Redis } from 'ioredis';

/** Calls per command name, e.g. { get: 10, evalsha: 2 }. */
export type CommandCounts = Record<string, number>;

/** Commands the bench itself sends while measuring; never charged to a server. */
const OWN_COMMANDS = new Set(['info']);

/** Parses the `# Commandstats` section of INFO into calls per command. */
export function parseCommandStats(info: string): CommandCounts {
  const counts: CommandCounts = {};
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) counts[match[1]!] = Number(match[2]);
  }
  return counts;
}

/** after − before per command, leaving out zero deltas and the bench's own INFO calls. */
export function commandDelta(before: CommandCounts, after: CommandCounts): CommandCounts {
  const delta: CommandCounts = {};
  for (const [name, calls] of Object.entries(after)) {
    if (OWN_COMMANDS.has(name)) continue;
    const d = calls - (before[name] ?? 0);
    if (d !== 0) delta[name] = d;
  }
  return delta;
}

/** Sum of a delta's calls. */
export function totalCommands(counts: CommandCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** `used_cpu_sys` plus `used_cpu_user` of an INFO cpu reply (seconds), in µs; NaN when either is missing. */
export function parseCpuMicros(info: string): number {
  const seconds = (field: string) => Number(new RegExp(`^${field}:([0-9.]+)\\s*$`, 'm').exec(info)?.[1] ?? Number.NaN);
  return Math.round((seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1e6);
}

/**
 * The bench's own connections to the Redis the servers use (one Redis, or
 * every master of a cluster): stats summed over them, version, and cleanup
 * of a key prefix on each.
 */
export class RedisStats {
  private constructor(private readonly nodes: Redis[]) {}

  /** One Redis by URL, or the masters of a cluster by their URLs. */
  static async connect(...urls: string[]): Promise<RedisStats> {
    const nodes = urls.map((url) => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false }));
    await Promise.all(nodes.map((redis) => redis.connect()));
    return new RedisStats(nodes);
  }

  /** Calls per command, summed over the nodes: on a cluster each master executes its share. */
  async snapshot(): Promise<CommandCounts> {
    const all = await Promise.all(this.nodes.map(async (redis) => parseCommandStats(await redis.info('commandstats'))));
    const sum: CommandCounts = {};
    for (const counts of all) for (const [name, calls] of Object.entries(counts)) sum[name] = (sum[name] ?? 0) + calls;
    return sum;
  }

  /** CPU time the Redis processes have spent so far (INFO cpu: user and system, main process), summed over the nodes, in µs. */
  async cpuMicros(): Promise<number> {
    const all = await Promise.all(this.nodes.map(async (redis) => parseCpuMicros(await redis.info('cpu'))));
    return all.reduce((sum, micros) => sum + micros, 0);
  }

  async version(): Promise<string> {
    return /redis_version:(\S+)/.exec(await this.nodes[0]!.info('server'))?.[1] ?? 'unknown';
  }

  /**
   * Deletes every key under `prefix` (which must start with "bench:"), by
   * SCAN on each node: fine here, between runs, never on a request path.
   */
  async deletePrefix(prefix: string): Promise<number> {
    if (!prefix.startsWith('bench:')) throw new Error(`refusing to delete keys outside bench: (${prefix})`);
    let deleted = 0;
    for (const redis of this.nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        // One UNLINK per key: on a cluster a page's keys live in many slots, and a multi-key command takes one.
        if (keys.length > 0) {
          const replies = await Promise.all(keys.map((key) => redis.unlink(key)));
          deleted += replies.reduce((sum, n) => sum + n, 0);
        }
      } while (cursor !== '0');
    }
    return deleted;
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((redis) => redis.quit().catch(() => redis.disconnect())));
  }
}
