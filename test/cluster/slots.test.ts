import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keys } from '../../src/cache/keys.ts';
import { leaseKey } from '../../src/store/lease-store.ts';
import { groupBySlot, hashTagOf, slotOf } from '../../src/store/slots.ts';

let cluster: Cluster;

beforeAll(async () => {
  cluster = new Cluster(
    inject('redisCluster')
      .split(',')
      .map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })),
    { lazyConnect: true },
  );
  await cluster.connect();
});
afterAll(async () => {
  await cluster.quit();
});

/** What the cluster itself says: CLUSTER KEYSLOT of the key as sent. */
const keyslot = async (key: string) => Number(await cluster.cluster('KEYSLOT', key));

describe('slots computed here', () => {
  it('match CLUSTER KEYSLOT for every kind of key, with and without hash tags', async () => {
    const prefix = 'tg:';
    const sample = [
      keys.user('cku1'),
      leaseKey(keys.user('cku1')),
      keys.session('cku1.abc'),
      keys.session('.abc'),
      keys.response('hash', 'cku1'),
      keys.response('hash', null),
      keys.viewerBudget('100/60s', 'cku1'),
      keys.responseTag('User', 'VXNlcjox').set,
      keys.responseTag('User', 'VXNlcjox').seq,
      'no-tag-at-all',
      'empty{}tag',
      'two{a}{b}',
      'open{only',
      'ünï{cødé}',
    ];
    for (let i = 0; i < 200; i += 1) sample.push(keys.user(`user-${i}-${Math.random().toString(36).slice(2)}`));
    for (const key of sample) expect(slotOf(prefix + key), key).toBe(await keyslot(prefix + key));
  });

  it('let the hash tag, not the key prefix, decide: keys of one tag share a slot whatever the prefix', () => {
    for (const prefix of ['tg:', 'test:0123abcd:', ''])
      expect(slotOf(`${prefix}${keys.session('u1.t')}`)).toBe(slotOf(`${prefix}${keys.viewerBudget('r', 'u1')}`));
    expect(hashTagOf('tg:v1:user:{abc}:lease')).toBe('abc');
    expect(hashTagOf('tg:v1:empty{}')).toBe('tg:v1:empty{}');
  });

  it('group a batch by slot, remembering each item’s place', () => {
    const batch = ['a{1}', 'b{2}', 'c{1}', 'd{3}', 'e{2}'];
    const groups = groupBySlot(batch, (key) => key);
    expect(groups.map((g) => g.items)).toEqual([['a{1}', 'c{1}'], ['b{2}', 'e{2}'], ['d{3}']]);
    expect(groups.map((g) => g.at)).toEqual([[0, 2], [1, 4], [3]]);
    for (const g of groups) expect(new Set(g.items.map(slotOf)).size).toBe(1);
  });
});
