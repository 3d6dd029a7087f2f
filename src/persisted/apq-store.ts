import { LRUCache } from 'lru-cache';
import { keys } from '../cache/keys.ts';
import { documentHash } from '../cache/response-key.ts';
import type { SafeStore } from '../store/fail-soft.ts';
import type { PersistedDocuments } from './manifest.ts';

/** Options of the APQ store. */
export interface ApqStoreOptions {
  /** The shared store (Redis, or in-process): registrations reach every instance. */
  store: SafeStore;
  /** Looked up first: an APQ hash of a manifest document needs no registration. */
  documents: PersistedDocuments;
  /** How long a registration lives, in the shared store and in this instance's copy. */
  ttlSeconds: number;
  /**
   * Registrations this instance keeps itself: a repeat costs no round trip,
   * and with the shared store down a registration made here still serves.
   * @default 1000
   */
  localEntries?: number;
}

/** APQ registrations as the plugin sees them: a document's text by the hex SHA-256 of it. */
export interface ApqStore {
  /** The text registered under the hash (or a manifest document's), or null. */
  get(hash: string): Promise<string | null>;
  /** Registers a text under its hash, which the caller has checked. */
  set(hash: string, text: string): Promise<void>;
}

/**
 * APQ registrations: a document's text by its hex
 * SHA-256. The manifest's documents first, then this instance's copies, then
 * the shared store (a failure there is a miss: the client resends the text,
 * which registers it again). Registrations never change (the hash names the
 * text), so copies are never stale; one read back is checked against its
 * hash, since responses are keyed by it (cache/response-key.ts).
 */
export function createApqStore(options: ApqStoreOptions): ApqStore {
  const ttlMs = options.ttlSeconds * 1000;
  const local = new LRUCache<string, string>({ max: options.localEntries ?? 1000, ttl: ttlMs });
  return {
    async get(hash) {
      const text = options.documents.byHashHex(hash) ?? local.get(hash);
      if (text !== undefined) return text;
      const shared = await options.store.documentGet(keys.persistedQuery(hash));
      if (shared === null || documentHash(shared) !== hash) return null;
      local.set(hash, shared);
      return shared;
    },
    async set(hash, text) {
      local.set(hash, text);
      await options.store.documentSet(keys.persistedQuery(hash), text, options.ttlSeconds);
    },
  };
}
