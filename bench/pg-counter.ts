// Counts the SQL statements a server sends to PostgreSQL, on the wire.
//
// Why a proxy rather than pg_stat_statements: the extension needs
// shared_preload_libraries (a Postgres restart, often superuser) that a user's
// machine may not allow, and it counts every client of the cluster, so a test
// suite running beside the bench would inflate the figures. A loopback TCP
// proxy in front of each server under test sees exactly that server's
// connections, needs nothing installed, and counts Yoga, Apollo and anything
// else the same way: one statement per frontend 'Q' (simple query) or 'E'
// (Execute) message. A simple query holding several statements counts once;
// the drivers used here never send one on a request path.

import { startProxy } from './proxy.ts';

/** Statement counts since the proxy started; take deltas around a run. */
export interface PgCounts {
  /** 'Q' + 'E': statements executed. */
  statements: number;
  /** 'Q' messages (simple protocol: BEGIN/COMMIT, unparameterised queries). */
  simple: number;
  /** 'E' messages (extended protocol: parameterised queries). */
  executes: number;
  /** Client connections accepted. */
  connections: number;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * Parses the frontend (client → server) half of the PostgreSQL protocol from
 * its first StartupMessage on, in chunks of any size, and reports each typed
 * message's type byte. Payloads are skipped, never copied.
 */
export class FrontendMessageParser {
  private startup = true;
  private readonly header = Buffer.alloc(8);
  private headerLength = 0;
  private skip = 0;

  constructor(private readonly onMessage: (type: number) => void) {}

  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      // The startup message has no type byte: Int32 length, Int32 protocol code.
      const want = this.startup ? 8 : 5;
      const n = Math.min(want - this.headerLength, chunk.length - at);
      chunk.copy(this.header, this.headerLength, at, at + n);
      this.headerLength += n;
      at += n;
      if (this.headerLength < want) return;
      this.headerLength = 0;
      if (this.startup) {
        this.skip = this.header.readInt32BE(0) - 8;
        this.startup = false;
      } else {
        this.skip = this.header.readInt32BE(1) - 4;
        this.onMessage(this.header[0]!);
      }
      if (this.skip < 0) throw new Error('malformed PostgreSQL frontend message');
    }
  }
}

/** A running counting proxy: point DATABASE_URL at `port` instead of Postgres's. */
export interface PgCounter {
  readonly port: number;
  /** A copy of the counts so far. */
  counts(): PgCounts;
  close(): Promise<void>;
}

const Q = 'Q'.charCodeAt(0);
const E = 'E'.charCodeAt(0);

/**
 * Starts a proxy on 127.0.0.1 (a free port) forwarding to `upstream` and
 * counting statements. SSL and GSS encryption requests are refused with 'N'
 * by the proxy itself, as a server without TLS would, so the stream it
 * parses is always plaintext.
 */
export async function startPgCounter(upstream: { host: string; port: number }): Promise<PgCounter> {
  const counts = { statements: 0, simple: 0, executes: 0 };
  const onMessage = (type: number) => {
    if (type === Q) counts.simple += 1;
    else if (type === E) counts.executes += 1;
    else return;
    counts.statements += 1;
  };
  const proxy = await startProxy(upstream, () => {
    const parser = new FrontendMessageParser(onMessage);
    let pending: Buffer | null = Buffer.alloc(0);
    return (chunk, reply) => {
      if (pending === null) {
        parser.feed(chunk);
        return chunk;
      }
      // Before the StartupMessage a client may ask for encryption; answer it here.
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const code = pending.readInt32BE(4);
        if (pending.readInt32BE(0) === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
          reply('N');
          pending = pending.subarray(8);
          continue;
        }
        const first = pending;
        pending = null;
        parser.feed(first);
        return first;
      }
      return Buffer.alloc(0);
    };
  });
  return {
    port: proxy.port,
    counts: () => ({ ...counts, connections: proxy.connections() }),
    close: () => proxy.close(),
  };
}

/** b − a, field by field. */
export function pgDelta(before: PgCounts, after: PgCounts): PgCounts {
  return {
    statements: after.statements - before.statements,
    simple: after.simple - before.simple,
    executes: after.executes - before.executes,
    connections: after.connections - before.connections,
  };
}
