import { createHash, randomBytes } from 'node:crypto';

/**
 * A fresh bearer token: `tg_<userId>.<32 random bytes, URL-safe>`. Only its
 * hash is ever stored. The user id in it is not a secret (global IDs show it)
 * and grants nothing: it only says which viewer's keys (and Redis Cluster
 * slot) the session lives with, so the hot path knows every key it needs
 * before reading any. A token whose id disagrees with its session is invalid.
 */
export function newSessionToken(userId: string): string {
  return `tg_${userId}.${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 is enough for tokens: they carry 256 bits of entropy, so no slow hash is needed to resist guessing. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const WITH_USER = /^tg_([A-Za-z0-9_-]{1,64})\.[A-Za-z0-9_-]+$/;

/** The user id a token names; '' for a token without one (issued before ids were put in tokens). */
export function tokenUserId(token: string): string {
  return WITH_USER.exec(token)?.[1] ?? '';
}

/** A session's cache reference: `<userId>.<token hash>`, what its loader and its key are keyed by. */
export const sessionRef = (userId: string, tokenHash: string) => `${userId}.${tokenHash}`;

/** The token hash inside a session reference. */
export const refTokenHash = (ref: string) => ref.slice(ref.indexOf('.') + 1);

/** The token of an `Authorization: Bearer <token>` header; undefined when absent, null when malformed. */
export function bearerToken(header: string | null | undefined): string | null | undefined {
  if (header === null || header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
