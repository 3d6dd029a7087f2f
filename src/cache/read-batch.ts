import { randomBytes } from 'node:crypto';
import type { SafeStore } from '../store/fail-soft.ts';
import type { ReadResult } from '../store/lease-store.ts';

// Lease tokens only need to be unique across instances: a random prefix per process and a counter
// cost nothing per batch, where crypto-random bytes per batch showed in profiles.
const PROCESS_TOKEN = randomBytes(6).toString('base64url');
let tokenCounter = 0;
const nextToken = () => `${PROCESS_TOKEN}.${(tokenCounter++).toString(36)}`;

/** One loader batch's share of a merged read: the lease token its misses were leased under, and its results (null: store down). */
export interface BatchRead {
  token: string;
  reads: ReadResult[] | null;
}

interface Waiter {
  keys: readonly string[];
  known: readonly string[];
  resolve: (read: BatchRead) => void;
}

/**
 * Most keys one merged read sends: loaders cap their own batches at 500, so
 * a tick of several levels' loaders stays a script call of bounded length.
 */
const MAX_KEYS = 1_000;

/**
 * Merges the read-throughs of one tick into one store call. The loaders of a
 * level dispatch together (an organization's members and its flags; the
 * prefetches a resolver starts beside its own load; other requests' loaders
 * on this instance), and each separate call would cost a script run in Redis
 * and a command's encoding, promise and reply parse here. Every batch of one
 * call shares its lease token: a batch fills only its own keys, and a fill
 * lands only where the lease is still that token, so sharing it lets no
 * batch fill a key another leased.
 */
export class ReadBatch {
  private waiters: Waiter[] = [];
  private pendingKeys = 0;

  constructor(
    private readonly store: SafeStore,
    private readonly leaseMs: number,
  ) {}

  /** Reads `keys` (with the versions held, '' for none) in this tick's call. */
  read(keys: readonly string[], known: readonly string[]): Promise<BatchRead> {
    if (this.pendingKeys + keys.length > MAX_KEYS) this.flush();
    return new Promise((resolve) => {
      if (this.waiters.length === 0) process.nextTick(() => this.flush());
      this.waiters.push({ keys, known, resolve });
      this.pendingKeys += keys.length;
    });
  }

  private flush(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    this.pendingKeys = 0;
    const token = nextToken();
    const keys = waiters.length === 1 ? (waiters[0] as Waiter).keys : waiters.flatMap((w) => w.keys);
    const known = waiters.length === 1 ? (waiters[0] as Waiter).known : waiters.flatMap((w) => w.known);
    // A failed read (the fail-soft store answers null rather than throwing) is the store down for every batch.
    // Inline arrows, not a named one: tsx (esbuild's keepNames) wraps every named closure in a
    // defineProperty call each time it is created, which the profile showed on every flush.
    this.store.readThrough(keys, token, this.leaseMs, known).then(
      (reads) => answerWaiters(waiters, token, reads),
      () => answerWaiters(waiters, token, null),
    );
  }
}

/** Hands each waiter its slice of one store call's reads (null: the store was down). */
function answerWaiters(waiters: Waiter[], token: string, reads: ReadResult[] | null): void {
  let at = 0;
  for (const waiter of waiters) {
    const end = at + waiter.keys.length;
    waiter.resolve({ token, reads: reads && (waiters.length === 1 ? reads : reads.slice(at, end)) });
    at = end;
  }
}
