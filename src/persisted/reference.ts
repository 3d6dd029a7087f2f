/** How a request names the document it runs, read from its raw parameters. */
export type DocumentReference =
  /** The document's text, in `query`. */
  | { kind: 'text'; query: string }
  /** A persisted document id (GraphQL over HTTP, `documentId`), without a text. */
  | { kind: 'id'; id: string }
  /** Apollo's APQ: the hex SHA-256 of the text, with the text when the client registers it. */
  | { kind: 'apq'; hash: string; query: string | null }
  /** No document at all: Yoga's own "Must provide query string". */
  | { kind: 'none' }
  /** Contradictory or ill-typed parameters (a text and an id, a bad APQ hash): refused as bad input. */
  | { kind: 'malformed' };

/** The raw parameters that name a document, as a JSON body or a GET query string (JSON-decoded) carries them. */
export interface ReferenceParams {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

const APQ_HASH = /^[0-9a-f]{64}$/;

/**
 * How the parameters name their document. Other extensions than
 * `persistedQuery` are left to whoever reads them; a `persistedQuery` that is
 * not APQ version 1 with a hex SHA-256 is malformed.
 */
export function referenceOf(params: ReferenceParams): DocumentReference {
  const { query, documentId } = params;
  const hasQuery = query !== undefined && query !== null;
  if (hasQuery && typeof query !== 'string') return MALFORMED;
  const persisted: unknown =
    typeof params.extensions === 'object' && params.extensions !== null
      ? Reflect.get(params.extensions, 'persistedQuery')
      : undefined;
  const hasPersisted = persisted !== undefined && persisted !== null;
  if (documentId !== undefined && documentId !== null) {
    // One name per document: an id beside a text or an APQ hash could run one and be keyed by the other.
    if (typeof documentId !== 'string' || hasQuery || hasPersisted) return MALFORMED;
    return { kind: 'id', id: documentId };
  }
  if (hasPersisted) {
    const version: unknown = typeof persisted === 'object' ? Reflect.get(persisted, 'version') : undefined;
    const hash: unknown = typeof persisted === 'object' ? Reflect.get(persisted, 'sha256Hash') : undefined;
    if (version !== 1 || typeof hash !== 'string' || !APQ_HASH.test(hash)) return MALFORMED;
    return { kind: 'apq', hash, query: typeof query === 'string' ? query : null };
  }
  return typeof query === 'string' ? { kind: 'text', query } : NONE;
}
const NONE: DocumentReference = { kind: 'none' };
const MALFORMED: DocumentReference = { kind: 'malformed' };
