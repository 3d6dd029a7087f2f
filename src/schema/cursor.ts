import { badInput } from '../errors.ts';

/** Position in a list ordered by (createdAt, id): stable under inserts, unlike an offset. */
export interface Position {
  createdAt: Date;
  id: string;
}

// Cursors by row: cached rows are frozen and shared by every request that
// reads them (cache/entity-cache.ts), so a member page encodes each one once
// per version instead of once per request. Weak, so rows die as they would.
const cursors = new WeakMap<Position, string>();

/** An opaque cursor for a position; clients must not parse it. */
export function encodeCursor(position: Position): string {
  let cursor = cursors.get(position);
  if (cursor === undefined) {
    cursor = Buffer.from(`${position.createdAt.getTime()}:${position.id}`).toString('base64url');
    cursors.set(position, cursor);
  }
  return cursor;
}

/** The position inside a cursor; a cursor not made by encodeCursor is BAD_USER_INPUT. */
export function decodeCursor(cursor: string, field = 'after'): Position {
  const match = /^(\d{1,15}):(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2]) throw badInput(`${field} is not a valid cursor`, field);
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}
