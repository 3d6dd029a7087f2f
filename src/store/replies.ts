/**
 * Checks of raw Redis replies for the cluster stores. A reply of the wrong
 * shape (a misrouted or misaligned one) must fail loudly, never be read as
 * "nothing there" or "deleted 0": the fail-soft layer turns the error into a
 * miss, while a silent default would turn it into a wrong answer.
 */

/** A reply that is not what the command promises. */
export class ReplyShapeError extends Error {
  override name = 'ReplyShapeError';
  constructor(what: string, reply: unknown) {
    super(`unexpected reply to ${what}: ${JSON.stringify(reply)?.slice(0, 200)}`);
  }
}

export function integerReply(reply: unknown, what: string): number {
  if (typeof reply !== 'number' || !Number.isInteger(reply)) throw new ReplyShapeError(what, reply);
  return reply;
}

/** A reply that is 0 or 1, as a boolean. */
export function flagReply(reply: unknown, what: string): boolean {
  const n = integerReply(reply, what);
  if (n !== 0 && n !== 1) throw new ReplyShapeError(what, reply);
  return n === 1;
}

export function stringOrNullReply(reply: unknown, what: string): string | null {
  if (reply !== null && typeof reply !== 'string') throw new ReplyShapeError(what, reply);
  return reply;
}

/** An array reply of exactly `length` entries. */
export function arrayReply(reply: unknown, length: number, what: string): unknown[] {
  if (!Array.isArray(reply) || reply.length !== length) throw new ReplyShapeError(what, reply);
  return reply;
}

/** An array reply whose entries are all strings, of any length. */
export function stringsReply(reply: unknown, what: string): string[] {
  if (!Array.isArray(reply) || !reply.every((item) => typeof item === 'string')) throw new ReplyShapeError(what, reply);
  return reply;
}
