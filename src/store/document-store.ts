/**
 * APQ registrations: a document's text by the hex SHA-256 of it, shared by
 * the instances. Entries never change (the hash names the text), so a
 * registration is only ever added or expired. Throws on store failure (the
 * caller treats it as a miss: the client then sends the text again).
 */
export interface DocumentStore {
  /** The text registered under the hash, or null. */
  get(key: string): Promise<string | null>;
  /** Registers the text, for `ttlSeconds`. */
  set(key: string, text: string, ttlSeconds: number): Promise<void>;
}
