import { persistedExchange } from '@urql/exchange-persisted';
import { cacheExchange, Client, fetchExchange, mapExchange } from 'urql';
import { hasCode } from './errors/codes.ts';
import { persistedIdOf } from './persisted-id.ts';
import { endSession } from './session/session.ts';

/**
 * The one GraphQL client of the app, for one session: a new token gets a new client, so no answer
 * cached for one viewer is ever shown to the next. Every request carries the token as a bearer
 * header; an UNAUTHENTICATED answer to a request that carried one means the session expired or was
 * revoked, and ends it here too (the sign-in screen then says so).
 *
 * Documents go as their persisted hash, never as text: each generated document carries its id
 * (`sha256:<hex>`, see codegen.ts and persisted-id.ts) and the server holds the manifest
 * (web/src/gql/persisted-documents.json), so requests are small, queries are GETs a browser can
 * revalidate, and the app keeps working under PERSISTED_DOCUMENTS=require. The hash goes in
 * Apollo's APQ form (`extensions.persistedQuery.sha256Hash`), the one @urql/exchange-persisted sends.
 */
export function createClient(token: string | null): Client {
  return new Client({
    url: '/graphql',
    fetchOptions: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          if (token && hasCode(error, 'UNAUTHENTICATED')) endSession('expired', token);
        },
      }),
      persistedExchange({
        enforcePersistedQueries: true,
        enableForMutation: true,
        generateHash: async (_query, document) => persistedIdOf(document)?.replace(/^sha256:/, ''),
      }),
      fetchExchange,
    ],
  });
}
