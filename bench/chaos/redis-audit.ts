// The chaos runner's own look into Redis, under the instances' key prefix:
// how many keys and bytes they hold (SCAN + MEMORY USAGE), which keys have no
// TTL, and deleting them all at the end. SCAN is fine here, in a runner
// beside the load; it is never on a request path.

import { Redis } from 'ioredis';

/** What the prefix holds at one moment. */
export interface PrefixMemory {
  keys: number;
  /** MEMORY USAGE summed over the keys, in bytes. */
  bytes: number;
  /** INFO memory's used_memory: the whole server's, other users of this Redis included. */
  usedMemory: number;
}

/** A connection of the runner's own to the Redis the instances share, looking only under `prefix`. */
export class PrefixAudit {
  private constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}

  static async connect(url: string, prefix: string): Promise<PrefixAudit> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    await redis.connect();
    return new PrefixAudit(redis, prefix);
  }

  private async *scan(): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }

  async memory(): Promise<PrefixMemory> {
    let keys = 0;
    let bytes = 0;
    for await (const batch of this.scan()) {
      const pipeline = this.redis.pipeline();
      for (const key of batch) pipeline.memory('USAGE', key);
      const answers = (await pipeline.exec()) ?? [];
      keys += batch.length;
      // A key that expired between SCAN and MEMORY USAGE answers null.
      for (const [, size] of answers) bytes += typeof size === 'number' ? size : 0;
    }
    const info = await this.redis.info('memory');
    const usedMemory = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    return { keys, bytes, usedMemory };
  }

  /** INFO's text for `section` (the whole server's). */
  info(section = 'server'): Promise<string> {
    return this.redis.info(section);
  }

  /** Every key under the prefix whose TTL is -1 (it would live forever). */
  async keysWithoutTtl(): Promise<string[]> {
    const found: string[] = [];
    for await (const batch of this.scan()) {
      const pipeline = this.redis.pipeline();
      for (const key of batch) pipeline.ttl(key);
      const answers = (await pipeline.exec()) ?? [];
      answers.forEach(([, ttl], i) => {
        if (ttl === -1) found.push(batch[i]!);
      });
    }
    return found;
  }

  /** Deletes every key under the prefix; answers how many. */
  async deleteAll(): Promise<number> {
    let deleted = 0;
    for await (const batch of this.scan()) deleted += await this.redis.unlink(...batch);
    return deleted;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
