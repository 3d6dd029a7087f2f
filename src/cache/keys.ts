/**
 * Every key this server writes to a KeyValueStore is named here. The version
 * prefix lets a deploy that changes a value's shape start from empty keys
 * instead of reading the old shape; every key also has a TTL (see ttl.ts).
 * Leases live beside their key (`<key>:lease`, see redis.ts).
 */
export const KEY_VERSION = 'v1';

const k = (...parts: string[]) => `${KEY_VERSION}:${parts.join(':')}`;

export const keys = {
  /** User row (without its password hash). */
  user: (id: string) => k('user', id),
  organization: (id: string) => k('org', id),
  /** Organization row by its slug; slugs never change, so the row is stored here too. */
  organizationBySlug: (slug: string) => k('org-slug', slug),
  membership: (id: string) => k('membership', id),
  featureFlag: (id: string) => k('flag', id),
  /** Session row by SHA-256 of its token. */
  session: (tokenHash: string) => k('session', tokenHash),
  /** A user's membership rows, oldest first. */
  userMemberships: (userId: string) => k('user-memberships', userId),
  /** An organization's membership rows in join order: member pages and the count are cut from it. */
  organizationMembers: (organizationId: string) => k('org-members', organizationId),
  /** An organization's flag rows by key. */
  organizationFlags: (organizationId: string) => k('org-flags', organizationId),
  /** A whole GraphQL response, by the hash of operation, variables and viewer. */
  response: (hash: string) => k('rc', hash),
  /** The response cache's invalidation sequence: every invalidation takes the next number. */
  responseSequence: () => k('rc-seq'),
  /** A rate limit's window of calls for one identity: scope is the schema coordinate or "budget". */
  rateLimit: (scope: string, rule: string, identity: string) => k('rl', scope, rule, identity),
  /** The responses stored under a tag, and the sequence at which the tag was last invalidated. */
  responseTag: (typename: string, id: string) => ({ set: k('rc-tag', typename, id), seq: k('rc-tag-seq', typename, id) }),
} as const;
