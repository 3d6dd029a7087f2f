import type { TestInstance, TestWorld } from './app.ts';
import { TEST_REDIS_URL } from './services.ts';
import { startTcpProxy, type TcpProxy } from '../../bench/tcp-proxy.ts';

/** An instance that reaches Redis through a proxy the test can cut, while every other file keeps the real Redis. */
export interface CuttableInstance {
  proxy: TcpProxy;
  instance: TestInstance;
  /** Restores the proxy and waits, failing the test if the instance's client is not ready in time. */
  reconnect(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** The one way tests cut Redis: a proxy in front of the real Redis, and an instance of `world` behind it. */
export async function startCuttableInstance(
  world: Pick<TestWorld, 'startInstance'>,
  env?: Record<string, string>,
): Promise<CuttableInstance> {
  const upstream = new URL(TEST_REDIS_URL);
  const proxy = await startTcpProxy(upstream.hostname, Number(upstream.port || 6379));
  // One instance alone has no other instance's pending invalidations to wait for once Redis is back:
  // no settle unless a test asks for one (test/cache/reconnect-settle.test.ts does).
  const instance = await world.startInstance({
    redisUrl: `redis://127.0.0.1:${proxy.port}`,
    env: { CACHE_RECONNECT_SETTLE_MS: '0', ...env },
  });
  return {
    proxy,
    instance,
    async reconnect(ms = 10_000) {
      proxy.restore();
      await waitForRedis(instance, ms);
    },
    close: () => proxy.close(),
  };
}

/** Waits until the instance's Redis client is ready again; throws, naming its last status, when it is not in time. */
export async function waitForRedis(instance: Pick<TestInstance, 'redis'>, ms = 10_000): Promise<void> {
  const redis = instance.redis;
  if (!redis) throw new Error('this instance has no Redis');
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${ms} ms (status ${redis.status})`));
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
