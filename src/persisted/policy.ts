import { documentHash } from '../cache/response-key.ts';
import { hashOfDocumentId, type PersistedDocuments } from './manifest.ts';
import type { DocumentReference } from './reference.ts';

/** PERSISTED_DOCUMENTS: ids and APQ refused (`off`), accepted beside whole documents (`allow`), or the only way (`require`). */
export type PersistedMode = 'off' | 'allow' | 'require';

/** What a server accepts as a document, and the documents it trusts. */
export interface PersistedPolicy {
  mode: PersistedMode;
  documents: PersistedDocuments;
}

/** A document as a response key names it (cache/response-key.ts), with its text when known (a label only). */
export interface KeyedDocument {
  hash: string;
  text: string | undefined;
}

/**
 * The document the hot path may key a request by, or null to leave the
 * request to Yoga, which answers it or refuses it with a code. The key names
 * a document by the SHA-256 of its text, so a stored answer found by id or
 * APQ hash is the answer of exactly that text (the manifest's ids are checked
 * against their texts when loaded; an APQ hash is checked when registered).
 * Never keyable: an id or hash under `off`, a text (or an APQ registration)
 * under `require`, an id the manifest lacks, an APQ registration (Yoga must
 * store it).
 */
export function keyableDocument(reference: DocumentReference, policy: PersistedPolicy): KeyedDocument | null {
  switch (reference.kind) {
    case 'text':
      return policy.mode === 'require' ? null : { hash: documentHash(reference.query), text: reference.query };
    case 'id': {
      if (policy.mode === 'off') return null;
      const hash = hashOfDocumentId(reference.id);
      const text = hash === null ? undefined : policy.documents.byHashHex(hash);
      return hash !== null && text !== undefined ? { hash, text } : null;
    }
    case 'apq': {
      if (policy.mode === 'off' || reference.query !== null) return null;
      const text = policy.documents.byHashHex(reference.hash);
      // Under `require` only the manifest's documents run: a hash it lacks may still name an answer stored earlier.
      if (policy.mode === 'require' && text === undefined) return null;
      return { hash: reference.hash, text };
    }
    default:
      return null;
  }
}
