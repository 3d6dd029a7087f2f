/**
 * A store reply of a shape its command never sends. Read through defaults it
 * could pass for a miss or for "nothing deleted"; thrown, the fail-soft layer
 * counts it and serves the request from Postgres instead.
 */
export class UnexpectedReply extends Error {
  override name = 'UnexpectedReply';

  constructor(command: string, reply: unknown) {
    super(`unexpected reply to ${command}: ${JSON.stringify(reply)?.slice(0, 200)}`);
  }
}
