/**
 * A response key holding a store in progress (response-store.cluster.ts):
 * the bytes `\0` then the store's random token. Every stored answer starts
 * with its ETag's `"` (cache/response-key.ts), so a first byte 0 can only be
 * a marker, and a reader treats it as a miss. On one Redis no marker is ever
 * written; the check costs the readers a byte compare.
 */

/** The first byte of every pending marker. */
export const PENDING_BYTE = 0;

/** The marker a store writes before it may write the answer. */
export const pendingMarker = (token: string): string => `${String.fromCharCode(PENDING_BYTE)}${token}`;

/** Whether a stored text is a pending marker rather than an answer. */
export const isPending = (stored: string): boolean => stored.charCodeAt(0) === PENDING_BYTE;

/** Lua: true when the string `v` is a pending marker. */
export const IS_PENDING_LUA = (v: string) => `string.byte(${v}, 1) == ${PENDING_BYTE}`;
