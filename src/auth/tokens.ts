import { createHash, randomBytes } from 'node:crypto';

/** A fresh bearer token: 32 random bytes, URL-safe. Only its hash is ever stored. */
export function newSessionToken(): string {
  return `tg_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 is enough for tokens: they carry 256 bits of entropy, so no slow hash is needed to resist guessing. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent, null when malformed. */
export function bearerToken(header: string | null): string | null | undefined {
  if (header === null || header === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
