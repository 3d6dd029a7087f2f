import { badInput } from '../errors.ts';

/** Position in a list ordered by (createdAt, id): stable under inserts, unlike an offset. */
export interface Position {
  createdAt: Date;
  id: string;
}

/** An opaque cursor for a position; clients must not parse it. */
export function encodeCursor(position: Position): string {
  return Buffer.from(`${position.createdAt.getTime()}:${position.id}`).toString('base64url');
}

/** The position inside a cursor; a cursor not made by encodeCursor is BAD_USER_INPUT. */
export function decodeCursor(cursor: string, field = 'after'): Position {
  const match = /^(\d{1,15}):(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2]) throw badInput(`${field} is not a valid cursor`, field);
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}
