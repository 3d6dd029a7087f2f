import type { SafeStore } from '../store/fail-soft.ts';
import type { ReadResult } from '../store/lease-store.ts';
import { ReadBatch } from './read-batch.ts';
import { RequestWait } from './request-wait.ts';
import type { CacheTtls } from './ttl.ts';
import { LRUCache } from 'lru-cache';
import { splitVersion } from '../store/stored-text.ts';

/** Lease timings; tests shorten them so a lease's expiry or a poll's end needs no long wait. */
export interface StoreTimings {
  /** How long a miss's lease lasts: longer than any sane Postgres load, short enough that a crashed loader blocks nobody for long. @default 3000 */
  leaseMs: number;
  /** How long a loader waits between polls of a key another loader holds the lease of. @default 15 */
  pollMs: number;
  /** How many polls before it reads Postgres itself (without filling). @default 4 */
  polls: number;
  /**
   * How long one request may wait on the store in all (request-wait.ts): the
   * command timeout, so a slow store costs a request about what a dead one does.
   * @default 500
   */
  requestWaitMs: number;
}

const DEFAULT_TIMINGS: StoreTimings = { leaseMs: 3_000, pollMs: 15, polls: 4, requestWaitMs: 500 };

/** What the server saw the cache do since start, for tests and metrics. */
export interface EntityCacheStats {
  hits: number;
  misses: number;
  /** Keys read from Postgres. */
  loads: number;
  /** Keys written back under a lease still held. */
  fills: number;
  /** Keys served by another request's in-flight load on this instance. */
  joins: number;
  /** Keys found leased to another instance's load, waited for by polling. */
  leaseWaits: number;
  /** Hits whose value this instance had decoded already (the store confirmed its version and sent no bytes). */
  sameVersion: number;
  /** Keys read from Postgres without asking the store, because their request had waited on it its share (request-wait.ts). */
  waitBypasses: number;
}

/** How one kind of cached thing is loaded and stored. */
export interface CachedKind<K, V> {
  /** The store key of a loader key. */
  key(k: K): string;
  /** TTL of a present value, from the configured TTLs. */
  ttl(ttls: CacheTtls): number;
  /** Loads the keys from Postgres in one query, answering in key order; null for a key with no row. */
  load(keys: readonly K[]): Promise<(V | null)[]>;
}

interface InFlight {
  /** The lease this load holds in the store; null when the store was down. */
  token: string | null;
  value: Promise<unknown>;
}

const DATE_FIELDS = ['createdAt', 'updatedAt', 'expiresAt'] as const;

/** Turns a cached row's date strings back into Dates, in place. */
function reviveDates(row: unknown): void {
  if (typeof row !== 'object' || row === null) return;
  for (const field of DATE_FIELDS) {
    const value: unknown = Reflect.get(row, field);
    if (typeof value === 'string') Reflect.set(row, field, new Date(value));
  }
}

/**
 * Rows are flat and lists are arrays of rows, so dates are revived field by
 * field after a plain parse: a reviver function called for every value cost
 * three times as much on a 150-member list.
 */
function decodeJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (Array.isArray(value)) for (const row of value) reviveDates(row);
  else reviveDates(value);
  return value;
}
/** Rows are never JSON null, so "null" stored under a key means "no such row". */
const MISSING = 'null';

/** A decoded value as this instance keeps it: read-only, since every request that reads its version shares it. */
interface Decoded {
  version: string;
  value: unknown;
  /** The stored text's length, what the memo is bounded by. */
  size: number;
}

/**
 * Makes a row's fields read-only (and a list frozen): a shared value that one
 * request changed would change for every request. Rows are not frozen whole:
 * Pothos brands a node's object with its type name, a property of its own,
 * the same for every request that sees the row.
 */
function freeze(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (const row of value) lockFields(row);
    return Object.freeze(value);
  }
  lockFields(value);
  return value;
}
function lockFields(row: unknown): void {
  if (typeof row !== 'object' || row === null) return;
  for (const key of Object.keys(row)) Object.defineProperty(row, key, { writable: false, configurable: false });
}

/** A stored value (`<fill token>\n<JSON>`, or older bare JSON) decoded; null for MISSING. */
function decode(stored: string): Decoded {
  const { version, body } = splitVersion(stored);
  return { version, value: body === MISSING ? null : freeze(decodeJson(body)), size: stored.length };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The shared entity cache of one server instance: rows and relation lists in
 * the store (Redis, shared by every instance), read and filled a batch at a
 * time under leases, with in-process single-flight so concurrent requests on
 * one instance load a cold key once.
 */
export class EntityCache {
  readonly stats: EntityCacheStats = {
    hits: 0,
    misses: 0,
    loads: 0,
    fills: 0,
    joins: 0,
    leaseWaits: 0,
    sameVersion: 0,
    waitBypasses: 0,
  };
  private readonly inflight = new Map<string, InFlight>();
  private readonly timings: StoreTimings;
  /**
   * Values this instance decoded, by store key, with the version (fill token)
   * they were stored under. One is used only when the store, in the same read
   * that would have sent the value, says the key still holds that version: it
   * saves the bytes, the parse and the garbage, never a check.
   */
  private readonly decoded: LRUCache<string, Decoded>;
  /** This tick's read-throughs, sent as one store call. */
  private readonly reads: ReadBatch;

  constructor(
    readonly store: SafeStore,
    readonly ttls: CacheTtls,
    /** Off: every batch reads Postgres (the benchmark's baseline). */
    readonly enabled = true,
    timings: Partial<StoreTimings> = {},
    /** Bytes of stored text whose decoded values are kept; the objects take a few times that in heap. @default 16 MiB */
    decodedBytes = 16 * 2 ** 20,
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
    this.decoded = new LRUCache({ maxSize: decodedBytes, sizeCalculation: (entry, key) => entry.size + key.length + 64 });
    this.reads = new ReadBatch(store, this.timings.leaseMs);
  }

  /** A new request's allowance of waiting on the store; its loaders share it. */
  requestWait(): RequestWait {
    return new RequestWait(this.timings.requestWaitMs);
  }

  /** Decodes a stored value, or takes this instance's copy of that version; keeps what it decoded. */
  private decodeStored(key: string, stored: string): unknown {
    const entry = decode(stored);
    if (entry.version !== '') this.decoded.set(key, entry);
    return entry.value;
  }

  /**
   * Loads a batch: one store round trip for all keys; the misses this batch
   * leased are loaded with one query and filled in one more round trip; keys
   * another loader is filling are joined (same instance, same lease) or
   * briefly waited for, then read from Postgres without filling.
   */
  async loadMany<K, V>(kind: CachedKind<K, V>, keys: readonly K[], wait?: RequestWait): Promise<(V | null)[]> {
    if (!this.enabled) return kind.load(keys);
    const storeKeys = keys.map((k) => kind.key(k));
    const held = storeKeys.map((key) => this.decoded.get(key));
    // Without a read, nothing is leased: the token only tells this batch's own in-flight loads apart.
    let token = '';
    let reads: ReadResult[] | null = null;
    if (wait?.exhausted) {
      this.stats.waitBypasses += keys.length;
    } else {
      const startedAt = performance.now();
      ({ token, reads } = await this.reads.read(
        storeKeys,
        held.map((entry) => entry?.version ?? ''),
      ));
      wait?.spend(startedAt);
    }
    const out = new Array<V | null>(keys.length);
    const leased: number[] = [];
    const unleased: number[] = [];
    const waiting: number[] = [];
    const joins: Promise<void>[] = [];
    const join = (i: number, flight: InFlight) => {
      this.stats.joins += 1;
      joins.push(
        flight.value.then((v) => {
          out[i] = v as V | null;
        }),
      );
    };

    storeKeys.forEach((storeKey, i) => {
      const read = reads?.[i];
      const flight = this.inflight.get(storeKey);
      if (!read) {
        // Store down: nobody can fill, but this instance still loads each key once.
        if (flight) join(i, flight);
        else unleased.push(i);
      } else if (read.kind === 'hit') {
        this.stats.hits += 1;
        out[i] = this.decodeStored(storeKey, read.value) as V | null;
      } else if (read.kind === 'same') {
        this.stats.hits += 1;
        this.stats.sameVersion += 1;
        out[i] = (held[i]?.value ?? null) as V | null;
      } else if (read.kind === 'leased') {
        leased.push(i);
      } else if (flight && flight.token === read.token) {
        // Same lease as our in-flight load: nothing was invalidated since it began.
        join(i, flight);
      } else {
        waiting.push(i);
      }
    });
    this.stats.misses += leased.length + unleased.length + waiting.length;

    this.stats.leaseWaits += waiting.length;
    if (waiting.length > 0) unleased.push(...(await this.waitForOthers(storeKeys, waiting, out, wait)));

    const toLoad = [...leased, ...unleased];
    if (toLoad.length > 0) {
      const loading = kind.load(toLoad.map((i) => keys[i] as K));
      toLoad.forEach((i, j) => {
        const owner = j < leased.length ? token : reads ? undefined : null;
        // A key leased to another loader is ours to read, not to share: its lease may have been invalidated.
        if (owner === undefined) return;
        const value = loading.then((rows) => rows[j] ?? null);
        // A failed load is thrown to this batch below; joiners get it through their own await.
        value.catch(() => {});
        this.inflight.set(storeKeys[i] as string, { token: owner, value });
      });
      try {
        const rows = await loading;
        this.stats.loads += rows.length;
        toLoad.forEach((i, j) => {
          out[i] = rows[j] ?? null;
        });
        const fills = leased.map((i) => {
          const value = out[i] ?? null;
          return {
            key: storeKeys[i] as string,
            value: `${token}\n${value === null ? MISSING : JSON.stringify(value)}`,
            ttlSeconds: value === null ? this.ttls.missing : kind.ttl(this.ttls),
          };
        });
        const filling = this.store.fill(fills, token).then((written) => {
          this.stats.fills += written;
        });
        // Past its share of waiting, the request answers now; the fill lands when the store takes it.
        if (!wait?.exhausted) {
          const startedAt = performance.now();
          await filling;
          wait?.spend(startedAt);
        }
      } finally {
        for (const i of toLoad) {
          const storeKey = storeKeys[i] as string;
          const flight = this.inflight.get(storeKey);
          if (flight && (flight.token === token || flight.token === null)) this.inflight.delete(storeKey);
        }
      }
    }
    await Promise.all(joins);
    return out;
  }

  /**
   * Invalidates after a write: the keys and their leases in the store (so a
   * load that read Postgres before the write cannot fill), and this instance's
   * in-flight loads of them (so no later request joins a pre-write read).
   */
  async invalidate(storeKeys: readonly string[]): Promise<void> {
    for (const key of storeKeys) {
      this.inflight.delete(key);
      this.decoded.delete(key);
    }
    await this.store.invalidate(storeKeys);
  }

  /** Polls keys another loader is filling; answers the indexes still missing after a few polls. */
  private async waitForOthers(
    storeKeys: string[],
    waiting: number[],
    out: unknown[],
    wait: RequestWait | undefined,
  ): Promise<number[]> {
    let pending = waiting;
    for (let poll = 0; poll < this.timings.polls && pending.length > 0 && !wait?.exhausted; poll++) {
      const startedAt = performance.now();
      await sleep(this.timings.pollMs);
      const values = await this.store.mget(pending.map((i) => storeKeys[i] as string));
      wait?.spend(startedAt);
      const still: number[] = [];
      pending.forEach((i, j) => {
        const value = values[j];
        if (value === null || value === undefined) still.push(i);
        else out[i] = this.decodeStored(storeKeys[i] as string, value);
      });
      pending = still;
    }
    return pending;
  }
}
