import type { Cluster } from 'ioredis';

/**
 * Redis Cluster's key-to-slot map, computed here so a batch can be split by
 * slot before it is sent: a script may only touch keys of one slot. The slot
 * is CRC16 (XMODEM) of the key's hash tag (the text between the first `{`
 * and the next `}`, when not empty), else of the whole key, modulo 16384.
 * Compute it on the key as sent, that is with the client's key prefix.
 */

/** How many hash slots a Redis Cluster has. */
export const SLOT_COUNT = 16_384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc;
}

/** The part of a key that decides its slot: the hash tag when it has a non-empty one, else the key. */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
}

/** The slot of a key as Redis Cluster computes it (CLUSTER KEYSLOT). */
export function slotOf(key: string): number {
  return crc16(Buffer.from(hashTagOf(key), 'utf8')) % SLOT_COUNT;
}

/**
 * Items grouped by the slot of their key, each with its index in the input so
 * replies can be put back in input order. Groups come in first-seen order.
 */
export function groupBySlot<T>(items: readonly T[], keyOf: (item: T) => string): SlotGroup<T>[] {
  const groups = new Map<number, SlotGroup<T>>();
  items.forEach((item, index) => {
    const slot = slotOf(keyOf(item));
    let group = groups.get(slot);
    if (!group) {
      group = { slot, items: [], at: [] };
      groups.set(slot, group);
    }
    group.items.push(item);
    group.at.push(index);
  });
  return [...groups.values()];
}

/** A group of items whose keys share a slot (groupBySlot). */
export type SlotGroup<T> = { slot: number; items: T[]; at: number[] };

/**
 * Slot groups gathered by the node that serves them, from the client's slot
 * map (`nodeOf`; a slot it does not know yet stays on its own): one call per
 * node can then carry a batch whose keys are spread over many slots.
 */
export function groupByNode<T>(groups: readonly SlotGroup<T>[], nodeOf: (slot: number) => string | undefined): SlotGroup<T>[][] {
  const byNode = new Map<string, SlotGroup<T>[]>();
  for (const group of groups) {
    const node = nodeOf(group.slot) ?? `slot ${group.slot}`;
    const list = byNode.get(node);
    if (list) list.push(group);
    else byNode.set(node, [group]);
  }
  return [...byNode.values()];
}

/** The `host:port` of the master a Cluster's slot map names for `slot`; undefined before the map is known. */
export const masterAddress = (cluster: Cluster, slot: number): string | undefined => cluster.slots[slot]?.[0];
