/**
 * Every key this server writes to a KeyValueStore is named here. The version
 * prefix lets a deploy that changes a value's shape start from empty keys
 * instead of reading the old shape; every key also has a TTL (see ttl.ts).
 */
export const KEY_VERSION = 'v1';

export const keys = {
  /** Session by SHA-256 of its token: { userId, expiresAt }. */
  session: (tokenHash: string) => `${KEY_VERSION}:session:${tokenHash}`,
} as const;
