import { Cluster, type Redis } from 'ioredis';

/**
 * Test-only listing of the keys matching `pattern` (a whole key pattern, the
 * client's prefix included: KEYS patterns are not prefixed). A Cluster spreads
 * keys over its masters, so each is asked. The server itself never scans.
 */
export async function listKeys(redis: Redis | Cluster, pattern: string): Promise<string[]> {
  if (!(redis instanceof Cluster)) return redis.keys(pattern);
  const perNode = await Promise.all(redis.nodes('master').map((node) => node.keys(pattern)));
  return perNode.flat();
}
