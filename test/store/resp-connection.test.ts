import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../bench/tcp-proxy.ts';
import { encodeCommand, RespConnection, RespError, type RespConnectionOptions } from '../../src/store/resp-connection.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

/**
 * The hot lookup's own Redis connection (src/store/resp-connection.ts), on
 * the real Redis: every reply kind, replies split at every byte, many
 * commands of one turn matched to their own replies, AUTH and SELECT, and
 * what a cut or a stalled Redis does to commands in flight.
 */

const redisUrl = new URL(TEST_REDIS_URL);
const host = redisUrl.hostname;
const port = Number(redisUrl.port || 6379);
const prefix = `test:resp:${randomBytes(6).toString('hex')}:`;
const opened: RespConnection[] = [];
let redis: Redis;

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
});
afterEach(() => {
  for (const connection of opened.splice(0)) connection.close();
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  redis.disconnect();
});

function connection(options: Partial<RespConnectionOptions> = {}): RespConnection {
  const made = new RespConnection({ host, port, timeoutMs: 500, backoffCapMs: 100, ...options });
  opened.push(made);
  return made;
}

const send = (c: RespConnection, ...args: (string | number)[]) => c.send(encodeCommand(args));

describe('replies', () => {
  it('parses every reply kind, and an error reply fails only its own command', async () => {
    const c = connection();
    await redis.set(`${prefix}text`, 'héllo');
    const [bulk, nil, integer, simple, nested, error, after] = await Promise.allSettled([
      send(c, 'GET', `${prefix}text`),
      send(c, 'GET', `${prefix}absent`),
      send(c, 'STRLEN', `${prefix}text`),
      send(c, 'PING'),
      send(c, 'EVAL', "return {1, {2, 'x'}, false, -3}", 0),
      send(c, 'INCR', `${prefix}text`),
      send(c, 'ECHO', 'still in step'),
    ]);
    expect(bulk).toEqual({ status: 'fulfilled', value: Buffer.from('héllo') });
    expect(nil).toEqual({ status: 'fulfilled', value: null });
    expect(integer).toEqual({ status: 'fulfilled', value: 6 });
    expect(simple).toEqual({ status: 'fulfilled', value: 'PONG' });
    expect(nested).toEqual({ status: 'fulfilled', value: [1, [2, Buffer.from('x')], null, -3] });
    expect(error.status).toBe('rejected');
    expect(error.status === 'rejected' && error.reason).toBeInstanceOf(RespError);
    expect(after).toEqual({ status: 'fulfilled', value: Buffer.from('still in step') });
  });

  it('a reply larger than many reads arrives whole', async () => {
    const c = connection();
    const big = randomBytes(3 * 2 ** 20);
    await redis.set(`${prefix}big`, big);
    const [first, second] = await Promise.all([send(c, 'GET', `${prefix}big`), send(c, 'ECHO', 'next')]);
    expect(Buffer.compare(first as Buffer, big)).toBe(0);
    expect(second).toEqual(Buffer.from('next'));
  });

  it('two hundred commands sent in one turn each get their own reply', async () => {
    const c = connection();
    await redis.mset(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`${prefix}k${i}`, `value ${i}`])));
    await send(c, 'PING');
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => send(c, 'GET', `${prefix}k${i}`)));
    expect(replies.map(String)).toEqual(Array.from({ length: 200 }, (_, i) => `value ${i}`));
  });

  it('replies cut into one-byte reads parse as when whole', async () => {
    // A proxy that forwards Redis' replies a byte per write, each in its own turn.
    const trickle: Server = createServer((client: Socket) => {
      const toRedis = connect(port, host);
      client.pipe(toRedis);
      const queue: number[] = [];
      let pumping = false;
      const pump = () => {
        const byte = queue.shift();
        if (byte === undefined) {
          pumping = false;
          return;
        }
        client.write(Buffer.of(byte));
        setImmediate(pump);
      };
      toRedis.on('data', (chunk: Buffer) => {
        queue.push(...chunk);
        if (!pumping) {
          pumping = true;
          setImmediate(pump);
        }
      });
      client.on('close', () => toRedis.destroy());
      toRedis.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    try {
      const address = trickle.address();
      const c = connection({ host: '127.0.0.1', port: typeof address === 'object' && address ? address.port : 0 });
      await redis.set(`${prefix}split`, 'a value split at every byte');
      const replies = await Promise.allSettled([
        send(c, 'EVAL', "return {1, {2, 'xy'}, false, redis.call('GET', KEYS[1])}", 1, `${prefix}split`),
        send(c, 'INCR', `${prefix}split`),
        send(c, 'STRLEN', `${prefix}split`),
        send(c, 'GET', `${prefix}absent`),
      ]);
      expect(replies[0]).toEqual({
        status: 'fulfilled',
        value: [1, [2, Buffer.from('xy')], null, Buffer.from('a value split at every byte')],
      });
      expect(replies[1]?.status === 'rejected' && replies[1].reason).toBeInstanceOf(RespError);
      expect(replies[2]).toEqual({ status: 'fulfilled', value: 27 });
      expect(replies[3]).toEqual({ status: 'fulfilled', value: null });
    } finally {
      for (const connection of opened.splice(0)) connection.close();
      await new Promise((resolve) => trickle.close(resolve));
    }
  });
});

describe('connecting', () => {
  it('selects the URL’s database before any command', async () => {
    const db3 = new Redis(TEST_REDIS_URL, { db: 3 });
    try {
      await db3.set(`${prefix}in-db-3`, 'three');
      const c = connection({ db: 3 });
      expect(await send(c, 'GET', `${prefix}in-db-3`)).toEqual(Buffer.from('three'));
      expect(await redis.get(`${prefix}in-db-3`)).toBeNull();
    } finally {
      await db3.del(`${prefix}in-db-3`);
      db3.disconnect();
    }
  });

  it('authenticates as the URL’s user, and a wrong password fails its commands', async () => {
    const user = `resp-test-${randomBytes(3).toString('hex')}`;
    await redis.call('ACL', 'SETUSER', user, 'on', '>right-password', `~${prefix}*`, '+@all');
    try {
      await redis.set(`${prefix}acl`, 'allowed');
      const good = connection({ username: user, password: 'right-password' });
      expect(await send(good, 'GET', `${prefix}acl`)).toEqual(Buffer.from('allowed'));
      // The user may read only its own keys: the connection is theirs, not the default user's.
      await expect(send(good, 'GET', 'outside-the-pattern')).rejects.toThrow(/NOPERM/);
      const bad = connection({ username: user, password: 'wrong-password' });
      await expect(send(bad, 'GET', `${prefix}acl`)).rejects.toThrow();
    } finally {
      await redis.call('ACL', 'DELUSER', user);
    }
  });
});

describe('losing Redis', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy(host, port);
  });
  afterAll(async () => {
    await proxy.close();
  });

  /** A connection through the proxy, answering once before the proxy misbehaves. */
  async function throughProxy(options: Partial<RespConnectionOptions>): Promise<RespConnection> {
    const c = connection({ port: proxy.port, host: '127.0.0.1', ...options });
    expect(await send(c, 'PING')).toBe('PONG');
    return c;
  }

  /** Answers again once the proxy is restored. */
  const answersAgain = (c: RespConnection) =>
    expect.poll(() => send(c, 'PING').catch(() => 'failed'), { timeout: 5_000, interval: 50 }).toBe('PONG');

  it('a cut fails what is in flight and what is sent meanwhile at once; the connection is made again after it', async () => {
    // A long timeout: failing at once must not be the stall check's doing.
    const c = await throughProxy({ timeoutMs: 5_000 });
    const inFlight = send(c, 'BLPOP', `${prefix}never`, 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    proxy.cut();
    await expect(inFlight).rejects.toThrow(/lost/);
    const started = Date.now();
    await expect(send(c, 'PING')).rejects.toThrow(/lost/);
    expect(Date.now() - started).toBeLessThan(1_000);
    proxy.restore();
    await answersAgain(c);
  });

  it('a Redis that stops answering fails the commands within about the timeout, then answers again once it does', async () => {
    const c = await throughProxy({ timeoutMs: 400 });
    proxy.blackhole();
    const started = Date.now();
    await expect(send(c, 'PING')).rejects.toThrow(/lost/);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(200);
    expect(waited).toBeLessThan(2_000);
    proxy.restore();
    await answersAgain(c);
  });

  it('told its server answers again, it connects at once instead of waiting out its backoff', async () => {
    const c = await throughProxy({ backoffCapMs: 60_000 });
    proxy.cut();
    await expect.poll(() => c.connected, { timeout: 2_000, interval: 5 }).toBe(false);
    proxy.restore();
    expect(c.connected).toBe(false);
    c.reconnectNow();
    expect(c.connected).toBe(true);
    expect(await send(c, 'PING')).toBe('PONG');
  });
});
