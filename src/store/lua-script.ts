import { createHash } from 'node:crypto';
import { encodeCommand, type RespConnection, RespError, type RespReply } from './resp-connection.ts';

/** A Lua script and its SHA1, by which Redis knows it once it has run it. */
export class LuaScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /**
   * Runs it on `connection` by its SHA1, by its text when that Redis has not
   * seen it (new, restarted or flushed: the text then stays cached there).
   * `keys` carry the key prefix already.
   */
  async run(connection: RespConnection, keys: readonly string[], args: readonly (string | number)[]): Promise<RespReply> {
    try {
      return await connection.send(encodeCommand(['EVALSHA', this.sha, keys.length, ...keys, ...args]));
    } catch (error) {
      if (!(error instanceof RespError && error.message.startsWith('NOSCRIPT'))) throw error;
      return connection.send(encodeCommand(['EVAL', this.lua, keys.length, ...keys, ...args]));
    }
  }
}

/** A reply with every bulk string decoded as UTF-8, as ioredis gives them. */
export function textReply(reply: RespReply): unknown {
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  if (Array.isArray(reply)) return reply.map(textReply);
  return reply;
}
