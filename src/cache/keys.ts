/**
 * Every key this server writes to the store is named here, with its hash tag.
 * The version prefix lets a deploy that changes a value's shape start from
 * empty keys instead of reading the old shape; every key also has a TTL (see
 * ttl.ts). Leases live beside their key (`<key>:lease`, store/lease-store.ts),
 * so they share its hash tag.
 *
 * Hash tags (`{…}`): under Redis Cluster only the tag decides a key's slot,
 * and a script may only touch keys of one slot. Everything the hot path's one
 * script touches for a viewer (the session, the budget, the viewer's stored
 * answers) carries the viewer's tag `{u:<id>}`, which the bearer token itself
 * names, so the key is known before anything is read. Entity keys are tagged
 * by their own id, so batches spread over the cluster.
 */
export const KEY_VERSION = 'v1';

const k = (...parts: string[]) => `${KEY_VERSION}:${parts.join(':')}`;
/** The tag of everything kept for one viewer. */
const viewerTag = (userId: string) => `{u:${userId}}`;

export const keys = {
  /** User row (without its password hash). */
  user: (id: string) => k('user', `{${id}}`),
  organization: (id: string) => k('org', `{${id}}`),
  /** Organization row by its slug; slugs never change, so the row is stored here too. */
  organizationBySlug: (slug: string) => k('org-slug', `{${slug}}`),
  membership: (id: string) => k('membership', `{${id}}`),
  featureFlag: (id: string) => k('flag', `{${id}}`),
  /**
   * Session row by its reference (`<userId>.<SHA-256 of token>`, see
   * auth/tokens.ts), in its viewer's slot. A token from before user ids were
   * put in tokens has an empty user id and gets a slot of its own.
   */
  session: (ref: string) => {
    const dot = ref.indexOf('.');
    const userId = ref.slice(0, dot);
    const tokenHash = ref.slice(dot + 1);
    return userId ? k(viewerTag(userId), 'session', tokenHash) : k(`{s:${tokenHash}}`, 'session');
  },
  /** A user's membership rows, oldest first. */
  userMemberships: (userId: string) => k('user-memberships', `{${userId}}`),
  /** An organization's membership rows in join order: member pages and the count are cut from it. */
  organizationMembers: (organizationId: string) => k('org-members', `{${organizationId}}`),
  /** An organization's flag rows by key. */
  organizationFlags: (organizationId: string) => k('org-flags', `{${organizationId}}`),
  /** A whole answer, as the bytes a hit sends: by operation hash, in the viewer's slot (or its own when anonymous). */
  response: (hash: string, viewerId: string | null) => (viewerId ? k(viewerTag(viewerId), 'rc', hash) : k(`{rc:${hash}}`)),
  /** An APQ registration: a document's text by the hex SHA-256 of it (persisted/apq-store.ts), tagged by the hash so they spread. */
  persistedQuery: (hash: string) => k('apq', `{${hash}}`),
  /** The response cache's invalidation sequence: every invalidation takes the next number. */
  responseSequence: () => k('rc-seq'),
  /** A rate limit's window of calls for one identity: scope is the schema coordinate or "budget". */
  rateLimit: (scope: string, rule: string, identity: string) => k('rl', scope, rule, `{${identity}}`),
  /** The operation budget's GCRA state of a signed-in viewer, in the viewer's slot. */
  viewerBudget: (rule: string, userId: string) => k(viewerTag(userId), 'budget', rule),
  /** The operation budget of an anonymous client, by its hashed IP. */
  clientBudget: (rule: string, ipHash: string) => k(`{ip:${ipHash}}`, 'budget', rule),
  /** The responses stored under a tag, and the sequence at which the tag was last invalidated. */
  responseTag: (typename: string, id: string) => ({
    set: k('rc-tag', `{${typename}:${id}}`),
    seq: k('rc-tag-seq', `{${typename}:${id}}`),
  }),
} as const;
