import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions as TlsOptions } from 'node:tls';

/** A reply as RESP2 sends it: a bulk string's bytes (a view of the read buffer), an integer, a simple string, nil, an error, or an array of these. */
export type RespReply = Buffer | number | string | null | RespError | RespReply[];

/** An error reply (`-ERR ...`); the command's promise is rejected with it. */
export class RespError extends Error {}

/** Where and as whom to connect: what ioredis parsed from REDIS_URL (its `options`). */
export interface RespConnectionOptions {
  host: string;
  port: number;
  username?: string | null | undefined;
  password?: string | null | undefined;
  db?: number | undefined;
  tls?: TlsOptions | undefined;
  /** A command with no reply for about this long fails, with every other one in flight, and the connection is made anew. */
  timeoutMs: number;
  /** The longest wait between reconnection attempts. */
  backoffCapMs: number;
}

/** A command on its way: its reply settles it. */
type Waiter = { resolve: (reply: RespReply) => void; reject: (error: Error) => void };

/** Parsing ran out of bytes: the rest of the reply has not arrived. */
const PARTIAL = Symbol('partial');

/**
 * One Redis connection that sends commands already encoded (`encodeCommand`)
 * and parses their replies, for the request path: the hot lookup (the only
 * command most hits send), the entity cache's reads and fills, the limiter's
 * counts. Through ioredis each command built a Command (arguments flattened,
 * keys prefixed, a promise and a timeout timer of its own) and went through
 * its queue and parser: about a seventh of a hit's CPU, more than everything
 * here costs. The commands of
 * one event-loop turn leave in one write (under load a turn reads many
 * requests); a stalled connection fails everything in flight, checked by one
 * timer rather than one per command. As with the app's ioredis client, a
 * command sent while disconnected fails at once and reconnection goes on in
 * the background. Replies arrive in order, so a FIFO of waiters matches them.
 */
export class RespConnection {
  /** Null while disconnected (between a loss and the next attempt). */
  private socket: Socket | null = null;
  private closed = false;
  /** The next connection attempt, while one is waited for. */
  private retry: NodeJS.Timeout | null = null;
  private attempts = 0;
  private readonly waiters: Waiter[] = [];
  private out = '';
  private flushing = false;
  /** Until AUTH and SELECT are answered, nothing else is written: a command must never run as the wrong user or in the wrong database. */
  private greeting = false;
  /** Unparsed bytes, and how many at least the next reply needs before parsing is tried again. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private needed = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private position = 0;
  /** Replies so far, and their count when the stall timer last looked. */
  private replies = 0;
  private repliesSeen = 0;
  private stalledTicks = 0;
  private readonly stallTimer: NodeJS.Timeout;

  constructor(private readonly options: RespConnectionOptions) {
    this.stallTimer = setInterval(() => this.checkStall(), Math.max(5, options.timeoutMs / 4));
    this.stallTimer.unref();
    this.open();
  }

  /** Whether a connection is open or being made (else commands fail at once until the next attempt). */
  get connected(): boolean {
    return this.socket !== null;
  }

  /**
   * Sends an encoded command (encodeCommand) with this turn's others. While
   * a connection is being made it waits for it (bounded by the stall check);
   * while there is none it rejects at once.
   */
  send(command: string): Promise<RespReply> {
    if (this.socket === null) return Promise.reject(new Error('redis connection lost'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.write(command);
    });
  }

  /** Connects at once when it is waiting to reconnect (its server is known to answer again). */
  reconnectNow(): void {
    if (this.socket !== null || this.closed || this.retry === null) return;
    clearTimeout(this.retry);
    this.retry = null;
    this.open();
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    clearInterval(this.stallTimer);
    this.socket?.destroy();
  }

  private write(command: string): void {
    this.out += command;
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushing = false;
    if (this.greeting || this.out === '' || !this.socket) return;
    const out = this.out;
    this.out = '';
    this.socket.write(out);
  };

  private open(): void {
    const { host, port, tls } = this.options;
    const socket = tls ? connectTls({ ...tls, host, port }) : connectTcp({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on(tls ? 'secureConnect' : 'connect', () => {
      this.attempts = 0;
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.lost(socket));
    // AUTH and SELECT go first (the socket holds writes until it is connected); the rest waits for their answers.
    const { username, password, db } = this.options;
    const hello: string[] = [];
    if (password) hello.push(encodeCommand(username ? ['AUTH', username, password] : ['AUTH', password]));
    if (db) hello.push(encodeCommand(['SELECT', db]));
    if (hello.length === 0) return;
    this.greeting = true;
    let answered = 0;
    for (const command of hello) {
      this.waiters.push({
        resolve: () => {
          answered += 1;
          if (answered < hello.length || this.socket !== socket) return;
          this.greeting = false;
          this.flush();
        },
        reject: (error) => {
          if (this.socket === socket) socket.destroy(error);
        },
      });
      socket.write(command);
    }
  }

  private lost(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.greeting = false;
    this.out = '';
    this.chunks = [];
    this.buffered = 0;
    this.needed = 0;
    const error = new Error('redis connection lost');
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    if (this.closed) return;
    this.attempts += 1;
    this.retry = setTimeout(
      () => {
        this.retry = null;
        this.open();
      },
      Math.min(this.attempts * 200, this.options.backoffCapMs),
    );
    this.retry.unref();
  }

  private checkStall(): void {
    if (this.waiters.length === 0 || this.replies !== this.repliesSeen) {
      this.repliesSeen = this.replies;
      this.stalledTicks = 0;
      return;
    }
    this.stalledTicks += 1;
    if (this.stalledTicks >= 4) {
      this.stalledTicks = 0;
      this.socket?.destroy();
    }
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.needed) return;
    this.needed = 0;
    this.buffer = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.buffered);
    this.position = 0;
    for (;;) {
      const start = this.position;
      if (start >= this.buffer.length) {
        this.chunks = [];
        this.buffered = 0;
        this.needed = 0;
        return;
      }
      const reply = this.parse();
      if (reply === PARTIAL) {
        const rest = this.buffer.subarray(start);
        this.chunks = [rest];
        this.buffered = rest.length;
        this.needed = Math.max(this.needed - start, rest.length + 1);
        return;
      }
      this.needed = 0;
      this.replies += 1;
      const waiter = this.waiters.shift();
      if (!waiter) continue;
      if (reply instanceof RespError) waiter.reject(reply);
      else waiter.resolve(reply);
    }
  }

  /** The reply at `position`, moving past it; PARTIAL (and `needed` set) when its bytes have not all arrived. */
  private parse(): RespReply | typeof PARTIAL {
    const buffer = this.buffer;
    const type = buffer[this.position];
    const lineEnd = buffer.indexOf(13, this.position + 1);
    if (lineEnd < 0 || lineEnd + 1 >= buffer.length) return PARTIAL;
    const line = buffer.toString('latin1', this.position + 1, lineEnd);
    this.position = lineEnd + 2;
    switch (type) {
      case 0x24: {
        // $: a bulk string, -1 for nil.
        const length = Number(line);
        if (length < 0) return null;
        const end = this.position + length;
        if (end + 2 > buffer.length) {
          this.needed = end + 2;
          return PARTIAL;
        }
        const bytes = buffer.subarray(this.position, end);
        this.position = end + 2;
        return bytes;
      }
      case 0x3a:
        return Number(line);
      case 0x2a: {
        const count = Number(line);
        if (count < 0) return null;
        const items: RespReply[] = [];
        for (let i = 0; i < count; i += 1) {
          const item = this.parse();
          if (item === PARTIAL) return PARTIAL;
          items.push(item);
        }
        return items;
      }
      case 0x2b:
        return line;
      case 0x2d:
        return new RespError(line);
      default:
        // Not RESP2: the stream cannot be trusted any more.
        this.socket?.destroy();
        return PARTIAL;
    }
  }
}

/** A command in RESP, ready for `send`: each argument a bulk string of its UTF-8 bytes. */
export function encodeCommand(args: readonly (string | number)[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const text = typeof arg === 'number' ? String(arg) : arg;
    out += `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
  }
  return out;
}
