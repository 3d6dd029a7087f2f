import type { GraphiQLOptions } from 'graphql-yoga';

/** The first thing a new user sees: sign in as the seeded demo owner, then read her organization. */
export const GRAPHIQL_DEFAULT_QUERY = `# Sign in first: run LogIn, copy the token into the headers tab (below)
# in place of <token from logIn>, then run Acme.
mutation LogIn {
  logIn(input: { email: "alice@example.com", password: "demo-password-1" }) {
    token
    user { name }
  }
}

query Acme {
  organization(slug: "acme") {
    name
    plan
    viewerRole
    memberCount
    members(first: 10) { edges { node { role user { name email } } } }
    featureFlags { key enabled }
  }
}
`;

/**
 * The headers tab as a new user finds it: the shape the token goes in, to
 * fill in after LogIn. Until then the placeholder is no token at all to the
 * server (a malformed one), so LogIn and the schema's introspection still run.
 */
export const GRAPHIQL_DEFAULT_HEADERS = JSON.stringify({ Authorization: 'Bearer <token from logIn>' }, null, 2);

/** GraphiQL's options: the walkthrough above, in the editor and the headers tab. */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'tenant-graph',
  defaultQuery: GRAPHIQL_DEFAULT_QUERY,
  // Yoga's GraphiQL hands `headers` to GraphiQL as its defaultHeaders: the first tab's and every new tab's.
  headers: GRAPHIQL_DEFAULT_HEADERS,
};
