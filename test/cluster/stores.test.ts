import { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/cache/keys.ts';
import { createLogger } from '../../src/logger.ts';
import { clusterStore, type Store } from '../../src/store/index.ts';
import { pendingMarker } from '../../src/store/pending-marker.ts';
import { createClusterClient } from '../../src/store/redis-client.ts';
import { CHUNK } from '../../src/store/response-store.cluster.ts';
import { slotOf } from '../../src/store/slots.ts';
import { unique } from '../helpers/fixtures.ts';
import { recordCalls } from '../helpers/redis-calls.ts';
import { testClusterNodes } from '../helpers/services.ts';

/**
 * The cluster stores against the run's real cluster: batches spanning many
 * slots (a CROSSSLOT error if any script took keys of two), replies in input
 * order, and the response store's three steps with an invalidation forced
 * between each two of them.
 */

const logger = createLogger({ LOG_LEVEL: 'warn', NODE_ENV: 'test' }, false);
const prefix = `test:cluster:${randomBytes(6).toString('hex')}:`;
let cluster: Cluster;
let store: Store;

beforeAll(async () => {
  const nodes = testClusterNodes();
  if (!nodes) throw new Error('runs in the cluster project only');
  cluster = await createClusterClient({ nodes, keyPrefix: prefix, logger, commandTimeoutMs: 2_000 });
  store = clusterStore(cluster, { clockSkewMs: 0 });
});
afterAll(async () => {
  await store?.close();
});

const fresh = unique;
const userKeys = (n: number) => Array.from({ length: n }, () => keys.user(fresh('u')));
const slotsOf = (list: readonly string[]) => new Set(list.map((key) => slotOf(prefix + key)));

/** Replaces one of the store's scripts on the client by `around`, which may run something before calling it. */
function intercept(
  name: string,
  around: (original: (...args: unknown[]) => Promise<unknown>, args: unknown[]) => Promise<unknown>,
) {
  const client = cluster as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = client[name];
  if (!original) throw new Error(`no command ${name}`);
  const bound = original.bind(cluster);
  client[name] = (...args: unknown[]) => around(bound, args);
  return () => {
    client[name] = original;
  };
}

describe('leases on a cluster', () => {
  it('a batch over many slots reads through, fills and reads back in input order, one round trip each', async () => {
    // A user's row and membership list share the user's tag: each slot's group holds keys from far apart in the batch.
    const ids = Array.from({ length: 20 }, () => fresh('u'));
    const batch = [...ids.map((id) => keys.user(id)), ...ids.map((id) => keys.userMemberships(id))];
    expect(slotsOf(batch).size).toBeGreaterThan(15);
    const before = store.roundTrips;
    expect(await store.leases.readThrough(batch, 'tok', 30_000)).toEqual(batch.map(() => ({ kind: 'leased' })));
    const filled = batch.filter((_, i) => i % 2 === 0);
    const landed = await store.leases.fill(
      filled.map((key) => ({ key, value: `v:${key}`, ttlSeconds: 60 })),
      'tok',
    );
    expect(landed).toBe(filled.length);
    expect(await store.leases.mget(batch)).toEqual(batch.map((key, i) => (i % 2 === 0 ? `v:${key}` : null)));
    const again = await store.leases.readThrough(batch, 'other', 30_000);
    expect(again).toEqual(
      batch.map((key, i) => (i % 2 === 0 ? { kind: 'hit', value: `v:${key}` } : { kind: 'held', token: 'tok' })),
    );
    expect(store.roundTrips - before).toBe(4);
  });

  it('a read over many slots is one script per node, with every key answered in input order', async () => {
    const batch = userKeys(40);
    expect(slotsOf(batch).size).toBeGreaterThan(30);
    await store.leases.readThrough(batch, 'node', 30_000);
    await store.leases.fill(
      batch.map((key) => ({ key, value: `node\n${key}`, ttlSeconds: 60 })),
      'node',
    );
    // Counted from what the masters executed (MONITOR), whichever connection sent it.
    const { result: reads, calls: executed } = await recordCalls(cluster, () =>
      store.leases.readThrough(batch, 'again', 30_000, ['node', '', ...batch.slice(2).map(() => 'node')]),
    );
    const calls = executed.filter(
      ({ commands: [call] }) => (call?.[0] === 'evalsha' || call?.[0] === 'eval') && call.some((arg) => arg.startsWith(prefix)),
    );
    const masters = cluster.nodes('master').length;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.length).toBeLessThanOrEqual(masters);
    expect(new Set(calls.map((call) => call.node)).size).toBe(calls.length);
    expect(reads).toEqual(batch.map((key, i) => (i === 1 ? { kind: 'hit', value: `node\n${key}` } : { kind: 'same' })));
  });

  it("answers 'same' for the version a reader names, per key, across slots", async () => {
    const [a, b] = userKeys(2);
    await store.leases.readThrough([a as string, b as string], 't', 30_000);
    await store.leases.fill(
      [
        { key: a as string, value: 'va\n{}', ttlSeconds: 60 },
        { key: b as string, value: 'vb\n{}', ttlSeconds: 60 },
      ],
      't',
    );
    expect(await store.leases.readThrough([a as string, b as string], 'x', 30_000, ['vb', 'vb'])).toEqual([
      { kind: 'hit', value: 'va\n{}' },
      { kind: 'same' },
    ]);
  });

  it('invalidate deletes values and leases over many slots, so old fills are refused', async () => {
    const batch = userKeys(20);
    await store.leases.readThrough(batch, 'old', 30_000);
    await store.leases.invalidate(batch);
    expect(
      await store.leases.fill(
        batch.map((key) => ({ key, value: 'stale', ttlSeconds: 60 })),
        'old',
      ),
    ).toBe(0);
    expect(await store.leases.mget(batch)).toEqual(batch.map(() => null));
  });
});

describe('responses on a cluster', () => {
  const tag = () => keys.responseTag('User', fresh('id'));
  const answer = (id: string) => `"etag-${id}"\n{"data":{}}`;

  async function start(key: string): Promise<number> {
    const miss = await store.responses.get(key, 'unused');
    if (!('seq' in miss)) throw new Error(`expected a miss of ${key}`);
    return miss.seq;
  }

  it('stores and serves an answer; an invalidation of any of its tags deletes it and refuses older executions', async () => {
    const [t1, t2] = [tag(), tag()];
    const key = keys.response(fresh('h'), fresh('viewer'));
    const early = await start(key);
    const startSeq = await start(key);
    expect(await store.responses.set({ key, value: answer('1'), ttlSeconds: 60, tags: [t1, t2], startSeq })).toBe(true);
    expect(await store.responses.get(key, 'unused')).toEqual({ value: answer('1') });
    expect(await store.responses.invalidate([t2], 'unused', 60)).toBe(1);
    expect(await store.responses.get(key, 'unused')).not.toHaveProperty('value');
    // An execution that started before the invalidation may show the old row: refused, and nothing left behind.
    expect(await store.responses.set({ key, value: answer('old'), ttlSeconds: 60, tags: [t1, t2], startSeq: early })).toBe(false);
    expect(await cluster.exists(key)).toBe(0);
    // One that started after it is stored.
    const after = await start(key);
    expect(await store.responses.set({ key, value: answer('2'), ttlSeconds: 60, tags: [t1, t2], startSeq: after })).toBe(true);
    expect(await store.responses.get(key, 'unused')).toEqual({ value: answer('2') });
  });

  it.each([
    ['the claim and the admission', 'responseAdmit', 0],
    ['the admission and the commit (the marker is unlinked)', 'responseCommit', 1],
  ] as const)('an invalidation between %s refuses the store, and leaves the key empty', async (_, before, unlinked) => {
    const t = tag();
    const key = keys.response(fresh('h'), fresh('viewer'));
    const startSeq = await start(key);
    const restore = intercept(before, async (original, args) => {
      expect(await store.responses.invalidate([t], 'unused', 60)).toBe(unlinked);
      return original(...args);
    });
    try {
      expect(await store.responses.set({ key, value: answer('x'), ttlSeconds: 60, tags: [t], startSeq })).toBe(false);
    } finally {
      restore();
    }
    expect(await cluster.exists(key)).toBe(0);
  });

  it('a key holding another store’s marker, or an answer, is left alone', async () => {
    const key = keys.response(fresh('h'), fresh('viewer'));
    const startSeq = await start(key);
    await cluster.set(key, pendingMarker('someone-else'), 'PX', 5_000);
    expect(await store.responses.set({ key, value: answer('x'), ttlSeconds: 60, tags: [tag()], startSeq })).toBe(false);
    expect(await cluster.get(key)).toBe(pendingMarker('someone-else'));
    await cluster.set(key, answer('theirs'), 'EX', 60);
    expect(await store.responses.set({ key, value: answer('x'), ttlSeconds: 60, tags: [tag()], startSeq })).toBe(false);
    expect(await cluster.get(key)).toBe(answer('theirs'));
  });

  it('a pending marker is a miss to the response get and to the hot lookup', async () => {
    const viewer = fresh('viewer');
    const key = keys.response(fresh('h'), viewer);
    await cluster.set(key, pendingMarker('in-progress'), 'PX', 5_000);
    expect(await store.responses.get(key, 'unused')).not.toHaveProperty('value');
    const sessionKey = keys.session(`${viewer}.hash`);
    await cluster.set(
      sessionKey,
      JSON.stringify({ userId: viewer, expiresAt: new Date(Date.now() + 60_000).toISOString() }),
      'EX',
      60,
    );
    const lookup = {
      sessionKey,
      budgetKey: keys.viewerBudget('r', viewer),
      responseKey: key,
      userId: viewer,
      nowIso: new Date().toISOString(),
      budget: null,
      knownEtag: '',
    };
    expect(await store.hot.lookup(lookup)).toEqual({ kind: 'counted', budget: null, stored: null });
    await cluster.set(key, answer('real'), 'EX', 60);
    expect(await store.hot.lookup(lookup)).toEqual({ kind: 'counted', budget: null, stored: Buffer.from(answer('real')) });
  });

  it(`invalidates a tag indexing ${3 * CHUNK + 7} answers, most in one slot, at most ${CHUNK} keys per UNLINK, deleting every one`, async () => {
    const t = tag();
    // One viewer's answers share its slot (the one group that needs chunks), the rest spread over many.
    const heavy = fresh('viewer');
    const answers = Array.from({ length: 3 * CHUNK + 7 }, (_, i) =>
      keys.response(fresh('h'), i < 2 * CHUNK ? heavy : fresh('viewer')),
    );
    expect(slotsOf(answers).size).toBeGreaterThan(CHUNK / 2);
    // Indexed as the admission script does, without three round trips each.
    for (let i = 0; i < answers.length; i += CHUNK) {
      const page = answers.slice(i, i + CHUNK);
      await Promise.all(page.map((key) => cluster.set(key, answer(key), 'EX', 60)));
      await cluster.sadd(t.set, ...page);
    }
    const sent: number[] = [];
    const restore = intercept('responseUnlink', async (original, args) => {
      // The key count and the key that routes the call, then the keys.
      sent.push(args.length - 2);
      return original(...args);
    });
    try {
      expect(await store.responses.invalidate([t], 'unused', 60)).toBe(answers.length);
    } finally {
      restore();
    }
    expect(sent.length).toBeGreaterThan(0);
    expect(Math.max(...sent)).toBeLessThanOrEqual(CHUNK);
    expect(await cluster.exists(t.set)).toBe(0);
    const left = await Promise.all(answers.map((key) => cluster.exists(key)));
    expect(left.filter((n) => n !== 0)).toEqual([]);
  });
});

/** A hot lookup of `userId` with a session nobody holds (it answers `unknown`); every key in the viewer's slot. */
const lookupFor = (userId: string) =>
  store.hot.lookup({
    sessionKey: keys.session(`${userId}.${fresh('t')}`),
    budgetKey: keys.viewerBudget('9/60s', userId),
    responseKey: keys.response(fresh('h'), userId),
    userId,
    nowIso: new Date().toISOString(),
    budget: { limit: 9, windowMs: 60_000 },
    knownEtag: '',
  });

/**
 * Writes to the kernel (one per `_write` or `_writev`) of every connection to
 * the master serving `key`'s slot while `work` runs: the Cluster's own and
 * the hot lookup's alike.
 */
async function writesToNodeOf(key: string, work: () => Promise<void>): Promise<number> {
  const address = cluster.slots[slotOf(`${prefix}${key}`)]?.[0];
  if (!address) throw new Error(`no master for ${key}`);
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (this: Socket, ...args: unknown[]) => unknown>;
  let writes = 0;
  const original = { write: proto._write, writev: proto._writev };
  proto._write = function (this: Socket, ...args) {
    if (this.remotePort === port) writes += 1;
    return original.write.apply(this, args);
  };
  proto._writev = function (this: Socket, ...args) {
    if (this.remotePort === port) writes += 1;
    return original.writev.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto._write = original.write;
    proto._writev = original.writev;
  }
  return writes;
}

describe('the hot lookup on a cluster', () => {
  it("sends one turn's lookups for a node in one write to it", async () => {
    const userId = fresh('u');
    const lookup = () => lookupFor(userId);
    // Every key names the viewer's tag: all of them go to the node serving its slot.
    expect((await lookup()).kind).toBe('unknown');
    const writes = await writesToNodeOf(keys.session(`${userId}.x`), async () => {
      const results = await Promise.all(Array.from({ length: 20 }, lookup));
      expect(results.map((r) => r.kind)).toEqual(results.map(() => 'unknown'));
    });
    expect(writes).toBe(1);
  });
});

// The Cluster's own auto-pipelining is off (redis-client.ts): without holding
// the node's socket, each of these would be its own write, where one Redis
// sends a turn's commands in one.
describe("a turn's entity reads and budget counts on a cluster", () => {
  it('leave for their node in one write', async () => {
    const userId = fresh('u');
    const budget = keys.viewerBudget('1000/60s', userId);
    const session = keys.session(`${userId}.${fresh('t')}`);
    // Both scripts once on the node first: a node that has not seen one answers NOSCRIPT, and its text follows in a write of its own.
    await store.windows.gcraHit(budget, 1000, 60_000);
    await store.leases.readThrough([keys.session(`${userId}.${fresh('t')}`)], fresh('tok'), 30_000);
    const writes = await writesToNodeOf(session, async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          Promise.all([
            // Another of the viewer's sessions each time: all in the viewer's slot, each one's first read.
            store.leases.readThrough([keys.session(`${userId}.${fresh('t')}`)], fresh('tok'), 30_000),
            store.windows.gcraHit(budget, 1000, 60_000),
          ]),
        ),
      );
      expect(results.map(([reads]) => reads[0]?.kind)).toEqual(results.map(() => 'leased'));
      expect(results.every(([, counted]) => counted.allowed)).toBe(true);
    });
    expect(writes).toBe(1);
  });
});

describe('the hot lookup sent to its node', () => {
  it('goes to the master serving its slot without the Cluster routing it', async () => {
    const userId = fresh('u');
    await lookupFor(userId);
    let routed = 0;
    const restore = intercept('hotLookupBuffer', async (original, args) => {
      routed += 1;
      return original(...args);
    });
    try {
      expect((await lookupFor(userId)).kind).toBe('unknown');
    } finally {
      restore();
    }
    expect(routed).toBe(0);
  });

  it('is sent again through the Cluster when the node it was sent to no longer serves the slot (MOVED)', async () => {
    const userId = fresh('u');
    await lookupFor(userId);
    const slot = slotOf(`${prefix}${keys.session(`${userId}.x`)}`);
    const owner = cluster.slots[slot];
    const other = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` !== owner?.[0]);
    if (!owner || !other) throw new Error('needs two masters');
    let routed = 0;
    const restore = intercept('hotLookupBuffer', async (original, args) => {
      routed += 1;
      return original(...args);
    });
    // The client's map now names a master that does not serve the slot, as after a migration it has not seen.
    cluster.slots[slot] = [`${other.options.host}:${other.options.port}`];
    try {
      expect((await lookupFor(userId)).kind).toBe('unknown');
    } finally {
      restore();
      cluster.slots[slot] = owner;
    }
    expect(routed).toBe(1);
  });
});

describe('windows and documents on a cluster', () => {
  it('count and store single keys as on one Redis', async () => {
    const key = keys.rateLimit('budget', '2/60s', fresh('ip'));
    const hits = [];
    for (let i = 0; i < 3; i += 1) hits.push((await store.windows.slidingWindowHit(key, 2, 60_000, fresh('m'))).allowed);
    expect(hits).toEqual([true, true, false]);
    const gcra = keys.clientBudget('2/60s', fresh('ip'));
    expect((await store.windows.gcraHit(gcra, 2, 60_000)).allowed).toBe(true);
    const doc = keys.persistedQuery(fresh('hash'));
    await store.documents.set(doc, '{ viewer { id } }', 60);
    expect(await store.documents.get(doc)).toBe('{ viewer { id } }');
  });
});
