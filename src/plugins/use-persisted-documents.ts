import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { documentHash } from '../cache/response-key.ts';
import { AppError, ErrorCode, refusedRequest } from '../errors.ts';
import { rawParamsOfQueryString } from '../http/request-params.ts';
import type { ApqStore } from '../persisted/apq-store.ts';
import type { PersistedPolicy } from '../persisted/policy.ts';
import { referenceOf, type ReferenceParams } from '../persisted/reference.ts';

/** Options of usePersistedDocuments. */
export interface PersistedDocumentsOptions {
  /** PERSISTED_DOCUMENTS and the manifest's documents. */
  policy: PersistedPolicy;
  /** Where APQ registrations live (persisted/apq-store.ts); used under `allow` only. */
  apqStore: ApqStore;
}

/** The parameters naming the document: Yoga's GET parser drops `documentId`, so a GET's is read from its URL. */
function referenceParamsOf(params: GraphQLParams, request: Request): ReferenceParams {
  const question = request.url.indexOf('?');
  const documentId =
    request.method !== 'GET'
      ? Reflect.get(params, 'documentId')
      : question < 0
        ? undefined
        : rawParamsOfQueryString(request.url.slice(question + 1))?.['documentId'];
  return { query: params.query, documentId, extensions: params.extensions };
}

/**
 * Apollo's APQ protocol: a hash alone runs the text registered under it (or
 * answers PERSISTED_QUERY_NOT_FOUND, and the client resends the text with its
 * hash); a text with its hash registers it once the hash is checked.
 * Written here rather than taken from @graphql-yoga/plugin-apq 3.6: its peer
 * range (@graphql-tools/utils 10) needs an npm override that also reaches
 * Yoga's own dependencies, and it hashes with WebCrypto where node:crypto is
 * synchronous.
 */
function useApq(store: ApqStore): Plugin {
  return {
    async onParams({ params, request, setParams }) {
      const reference = referenceOf(referenceParamsOf(params, request));
      if (reference.kind !== 'apq') return;
      if (reference.query === null) {
        const text = await store.get(reference.hash);
        if (text === null) throw notFound();
        setParams({ ...params, query: text });
        return;
      }
      if (documentHash(reference.query) !== reference.hash)
        throw refusedRequest(ErrorCode.PERSISTED_QUERY_MISMATCH, 'PersistedQueryMismatch');
      await store.set(reference.hash, reference.query);
    },
  };
}

const notFound = () => refusedRequest(ErrorCode.PERSISTED_QUERY_NOT_FOUND, 'PersistedQueryNotFound');
const required = () =>
  refusedRequest(ErrorCode.PERSISTED_DOCUMENT_REQUIRED, 'Only persisted documents are accepted: send a documentId');
const malformed = () =>
  new AppError(
    ErrorCode.BAD_USER_INPUT,
    'Send a document as query, or its id as documentId, or an APQ extensions.persistedQuery {version: 1, sha256Hash}: one of them',
    { http: { status: 400 } },
  );

/**
 * Persisted documents (GraphQL over HTTP's `documentId`, from the manifests
 * codegen writes) and Apollo's APQ (`extensions.persistedQuery`), by
 * PERSISTED_DOCUMENTS:
 * - `off`: an id or APQ hash is refused with PERSISTED_QUERY_NOT_SUPPORTED
 *   (an APQ client then sends the text alone);
 * - `allow`: ids from the manifest, APQ hashes from the manifest or a
 *   registration (Redis, or in process), and whole documents;
 * - `require`: ids (or APQ hashes) of the manifest only; any other document
 *   is refused with PERSISTED_DOCUMENT_REQUIRED.
 * An unknown id or hash is PERSISTED_QUERY_NOT_FOUND (404), an APQ hash that
 * is not the text's PERSISTED_QUERY_MISMATCH (400). Yoga's own
 * @graphql-yoga/plugin-persisted-operations resolves ids, useApq hashes; the
 * guard decides what each mode accepts. Place it after
 * the operation budget, so refused requests count too.
 */
export function usePersistedDocuments(options: PersistedDocumentsOptions): Plugin[] {
  const { mode, documents } = options.policy;
  const guard: Plugin = {
    onParams({ params, request }) {
      const reference = referenceOf(referenceParamsOf(params, request));
      if (mode === 'off') {
        if (reference.kind === 'id' || reference.kind === 'apq' || reference.kind === 'malformed')
          throw refusedRequest(ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, 'PersistedQueryNotSupported');
        return;
      }
      if (reference.kind === 'malformed') throw malformed();
      if (
        mode === 'require' &&
        (reference.kind === 'text' || reference.kind === 'none' || (reference.kind === 'apq' && reference.query !== null))
      )
        throw required();
    },
  };
  if (mode === 'off') return [guard];
  const persistedOperations = usePersistedOperations({
    allowArbitraryOperations: mode === 'allow',
    // Under `require` an APQ hash names a manifest document as its id's hex does.
    extractPersistedOperationId: (params: GraphQLParams, request: Request) => {
      const reference = referenceOf(referenceParamsOf(params, request));
      if (reference.kind === 'id') return reference.id;
      return reference.kind === 'apq' ? `sha256:${reference.hash}` : null;
    },
    getPersistedOperation: (id: string) => documents.byId(id) ?? null,
    customErrors: {
      notFound,
      persistedQueryOnly: required,
      // Neither a document nor an id: what Yoga answers when nobody resolves ids.
      keyNotFound: () =>
        createGraphQLError('Must provide query string.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } }),
    },
  });
  if (mode === 'require') return [guard, persistedOperations];
  // APQ first: a hash it resolves becomes a text the persisted-operations plugin lets through.
  return [guard, useApq(options.apqStore), persistedOperations];
}
