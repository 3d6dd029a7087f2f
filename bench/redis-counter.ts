// Counts the Redis commands a server sends, on the wire, through a loopback
// proxy in front of Redis (the PostgreSQL counter's twin). Unlike INFO
// commandstats, which is server-wide and also counts the commands Lua
// scripts run, this sees one server's connections only and counts what it
// sent: an EVALSHA is one command, a pipeline of three is three.

import { startProxy } from './proxy.ts';

const LF = 10;

/**
 * Follows the client → server half of RESP in chunks of any size and calls
 * back once per command: a RESP array of bulk strings (what every client
 * library sends), or an inline command line. Bulk payloads are skipped by
 * length, never scanned.
 */
export class RespCommandParser {
  private partial = '';
  private skip = 0;
  private bulksLeft = 0;

  constructor(private readonly onCommand: () => void) {}

  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const end = chunk.indexOf(LF, at);
      if (end < 0) {
        this.partial += chunk.toString('latin1', at);
        return;
      }
      const line = (this.partial + chunk.toString('latin1', at, end)).replace(/\r$/, '');
      this.partial = '';
      at = end + 1;
      if (this.bulksLeft > 0) {
        const length = /^\$(\d+)$/.exec(line)?.[1];
        if (length === undefined)
          throw new Error(`malformed RESP: expected a bulk string header, got ${JSON.stringify(line.slice(0, 40))}`);
        this.skip = Number(length) + 2;
        this.bulksLeft -= 1;
      } else if (line.startsWith('*')) {
        const count = Number(line.slice(1));
        if (!Number.isInteger(count)) throw new Error(`malformed RESP array header ${JSON.stringify(line.slice(0, 40))}`);
        if (count > 0) {
          this.bulksLeft = count;
          this.onCommand();
        }
      } else if (line.trim().length > 0) {
        this.onCommand();
      }
    }
  }
}

export interface RedisCounter {
  readonly port: number;
  /** Commands sent through the proxy so far. */
  commands(): number;
  close(): Promise<void>;
}

/** Starts a counting proxy on 127.0.0.1 (a free port) in front of `upstream`. */
export async function startRedisCounter(upstream: { host: string; port: number }): Promise<RedisCounter> {
  let commands = 0;
  const proxy = await startProxy(upstream, () => {
    const parser = new RespCommandParser(() => (commands += 1));
    return (chunk) => {
      parser.feed(chunk);
      return chunk;
    };
  });
  return { port: proxy.port, commands: () => commands, close: () => proxy.close() };
}
