import { cacheExchange, Client, fetchExchange, mapExchange } from 'urql';
import { hasCode } from './errors/codes.ts';
import { endSession } from './session/session.ts';

/**
 * The one GraphQL client of the app, for one session: a new token gets a new client, so no answer
 * cached for one viewer is ever shown to the next. Every request carries the token as a bearer
 * header; an UNAUTHENTICATED answer to a request that carried one means the session expired or was
 * revoked, and ends it here too (the sign-in screen then says so).
 *
 * Documents go as full text for now. Each generated document also carries its persisted id (see
 * codegen.ts and persisted-id.ts), so sending ids instead is one more exchange before fetchExchange,
 * once the server holds web/src/gql/persisted-documents.json: from @urql/exchange-persisted,
 * `persistedExchange({ enforcePersistedQueries: true, enableForMutation: true, generateHash: async (_, doc) => persistedIdOf(doc) ?? '' })`.
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
      fetchExchange,
    ],
  });
}
