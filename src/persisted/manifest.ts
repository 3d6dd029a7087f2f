import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentHash } from '../cache/response-key.ts';
import { REPO_ROOT } from '../db/migrations-folder.ts';

/**
 * The manifests codegen writes beside each client's typed documents
 * (codegen.ts, `persistedDocuments`): the documents this server trusts. A
 * missing one is skipped (web/src/gql/ exists once the SPA is generated).
 */
export const CLIENT_MANIFESTS: readonly string[] = [
  join(REPO_ROOT, 'test', 'generated', 'persisted-documents.json'),
  join(REPO_ROOT, 'web', 'src', 'gql', 'persisted-documents.json'),
];

/** A document id of the GraphQL over HTTP persisted-documents appendix, the only kind codegen's sha256 manifests hold. */
const SHA256_ID = /^sha256:([0-9a-f]{64})$/;

/**
 * The trusted documents by the hex SHA-256 of their text: a document id is
 * `sha256:<hex>`, and an APQ hash of the same text is `<hex>`, so both name
 * an entry the same way.
 */
export class PersistedDocuments {
  private readonly byHash = new Map<string, string>();

  /**
   * Adds documents from a manifest object; throws when an id is not the SHA-256 of its text (a hand-edited manifest).
   * @param source names the manifest in the error @default 'manifest'
   */
  add(manifest: Record<string, unknown>, source = 'manifest'): void {
    for (const [id, text] of Object.entries(manifest)) {
      const hash = hashOfDocumentId(id);
      if (!hash || typeof text !== 'string') throw new Error(`${source}: "${id}" is not a sha256:<hex> id of a document`);
      // Responses are keyed by this hash (cache/response-key.ts): an id must name exactly its text.
      if (documentHash(text) !== hash) throw new Error(`${source}: "${id}" is not the SHA-256 of its document`);
      this.byHash.set(hash, text);
    }
  }

  /** The document a `sha256:<hex>` id names, or undefined. */
  byId(id: string): string | undefined {
    const hash = hashOfDocumentId(id);
    return hash === null ? undefined : this.byHash.get(hash);
  }

  /** The document whose text has this hex SHA-256 (an APQ hash), or undefined. */
  byHashHex(hash: string): string | undefined {
    return this.byHash.get(hash);
  }

  /** How many documents are trusted (0: under `require` nothing runs). */
  get size(): number {
    return this.byHash.size;
  }
}

/** The hex hash a `sha256:<hex>` document id names, or null for any other id. */
export function hashOfDocumentId(id: string): string | null {
  return SHA256_ID.exec(id)?.[1] ?? null;
}

/**
 * Reads the manifests that exist among `paths` (once, at start); throws on a malformed one.
 * @param paths manifest files @default CLIENT_MANIFESTS
 */
export function loadPersistedDocuments(paths: readonly string[] = CLIENT_MANIFESTS): PersistedDocuments {
  const documents = new PersistedDocuments();
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const manifest: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
      throw new Error(`${path}: a persisted-document manifest is a JSON object`);
    documents.add(Object.fromEntries(Object.entries(manifest)), path);
  }
  return documents;
}
