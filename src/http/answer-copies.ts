import { LRUCache } from 'lru-cache';

/** A stored answer split into its ETag and the body bytes to send. */
export interface AnswerCopy {
  etag: string;
  body: Buffer;
}

/**
 * This instance's copies of stored answers, by response key. A copy is never
 * served on its own say-so: the hot path names its ETag to the store in the
 * same lookup that counts the budget, and uses it only when the store still
 * holds that very answer (an ETag is a hash of the body). What it saves is
 * the bytes: Redis does not send them again and Node allocates no buffer for
 * them, which is most of a large answer's cost.
 */
export class AnswerCopies {
  private readonly copies: LRUCache<string, AnswerCopy>;

  /** @param maxBytes the bodies' total size; the least recently used go first */
  constructor(maxBytes: number) {
    this.copies = new LRUCache({ maxSize: maxBytes, sizeCalculation: (copy, key) => copy.body.length + key.length + 64 });
  }

  get(responseKey: string): AnswerCopy | undefined {
    return this.copies.get(responseKey);
  }

  /** Splits a stored answer (`<ETag>\n<body>`) and keeps a copy that owns its bytes. */
  keep(responseKey: string, stored: Buffer): AnswerCopy {
    const newline = stored.indexOf(10);
    // The store's reply buffer may be a view of a larger one; a copy of our own lets that go.
    const copy = { etag: stored.toString('latin1', 0, newline), body: Buffer.from(stored.subarray(newline + 1)) };
    if (copy.body.length + responseKey.length + 64 <= this.copies.maxSize) this.copies.set(responseKey, copy);
    return copy;
  }
}
