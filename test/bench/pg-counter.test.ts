import { connect } from 'node:net';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontendMessageParser, pgDelta, startPgCounter, type PgCounter } from '../../bench/pg-counter.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { TEST_DATABASE_URL } from '../helpers/services.ts';

/** A frontend message: type byte, Int32 length (counting itself), payload. */
const message = (type: string, payload = Buffer.alloc(0)) => {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
};
const startup = () => {
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const head = Buffer.alloc(8);
  head.writeInt32BE(params.length + 8, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, params]);
};

describe('the PostgreSQL frontend parser', () => {
  const stream = Buffer.concat([
    startup(),
    message('p', Buffer.from('secret\0')),
    message('Q', Buffer.from('SELECT 1\0')),
    message('P', Buffer.from('\0SELECT $1\0\0\0')),
    message('B', Buffer.alloc(12)),
    message('D', Buffer.from('P\0')),
    message('E', Buffer.from('\0\0\0\0\0')),
    message('S'),
    message('X'),
  ]);
  const expected = ['p', 'Q', 'P', 'B', 'D', 'E', 'S', 'X'];

  it('reads every typed message after the startup message, in one chunk', () => {
    const seen: string[] = [];
    new FrontendMessageParser((t) => seen.push(String.fromCharCode(t))).feed(stream);
    expect(seen).toEqual(expected);
  });

  it('reads the same split anywhere, down to single bytes', () => {
    for (const size of [1, 2, 3, 7, 13]) {
      const seen: string[] = [];
      const parser = new FrontendMessageParser((t) => seen.push(String.fromCharCode(t)));
      for (let i = 0; i < stream.length; i += size) parser.feed(stream.subarray(i, i + size));
      expect(seen, `chunks of ${size}`).toEqual(expected);
    }
  });

  it('does not mistake payload bytes for messages', () => {
    const seen: string[] = [];
    // A simple query whose text is full of 'E' and 'Q' bytes.
    new FrontendMessageParser((t) => seen.push(String.fromCharCode(t))).feed(
      Buffer.concat([startup(), message('Q', Buffer.from("SELECT 'EQEQEQ'\0"))]),
    );
    expect(seen).toEqual(['Q']);
  });
});

describe('the counting proxy, on a real PostgreSQL', () => {
  let counter: PgCounter;
  let url: string;
  beforeAll(async () => {
    const upstream = new URL(TEST_DATABASE_URL);
    counter = await startPgCounter({ host: upstream.hostname, port: Number(upstream.port || 5432) });
    const proxied = new URL(TEST_DATABASE_URL);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(counter.port);
    url = proxied.toString();
  });
  afterAll(() => counter.close());

  it('counts simple and extended statements, and nothing for connecting', async () => {
    const client = new pg.Client({ connectionString: url });
    const before = counter.counts();
    await client.connect();
    const connected = pgDelta(before, counter.counts());
    expect(connected).toEqual({ statements: 0, simple: 0, executes: 0, connections: 1 });

    await client.query('SELECT 1'); // simple protocol
    await client.query('SELECT $1::int AS n', [42]); // Parse/Bind/Describe/Execute/Sync
    const { rows } = await client.query<{ n: number }>('SELECT $1::int AS n', [7]);
    expect(rows[0]!.n).toBe(7);
    await client.query('BEGIN');
    await client.query('SELECT $1::text', ['in a transaction']);
    await client.query('COMMIT');
    await client.end();
    expect(pgDelta(before, counter.counts())).toEqual({ statements: 6, simple: 3, executes: 3, connections: 1 });
  });

  it('counts what Prisma sends through its pg adapter, one statement per query', async () => {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
    try {
      await prisma.$queryRaw`SELECT 1`; // connects first
      const before = counter.counts();
      await prisma.$queryRaw`SELECT ${1}::int`;
      await prisma.$queryRaw`SELECT ${2}::int`;
      await prisma.$queryRaw`SELECT ${3}::int`;
      expect(pgDelta(before, counter.counts()).statements).toBe(3);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('refuses encryption itself, as a server without TLS does', async () => {
    const socket = connect(counter.port, '127.0.0.1');
    const request = Buffer.alloc(8);
    request.writeInt32BE(8, 0);
    request.writeInt32BE(80877103, 4);
    socket.write(request);
    const answer = await new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(chunk.toString())));
    socket.destroy();
    expect(answer).toBe('N');
  });
});
