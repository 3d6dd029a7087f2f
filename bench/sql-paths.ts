// `npm run bench:sql`: what one batch load costs the server's CPU through
// Prisma (the loaders of src/loaders/kinds.ts, as they run today) and through
// a prepared statement on `pg` for the same rows, on a fresh clone of the
// bench database. Each path runs the same batches in turn, sequentially, and
// the table gives CPU µs per batch (process.cpuUsage) and wall µs. Both
// answer the same rows: the script checks that before it times anything.

import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { createKinds } from '../src/loaders/kinds.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { cloneDatabase, ensureTemplate } from './database.ts';

const ADMIN_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROUNDS = Number(process.env['SQL_ROUNDS'] ?? 1500);

interface Path {
  name: string;
  load: (keys: readonly string[]) => Promise<unknown[]>;
}

interface Loader {
  kind: string;
  /** One batch of keys, as a request's DataLoader sends it. */
  keys: string[];
  prisma: Path['load'];
  pg: Path['load'];
}

async function time(load: Path['load'], keys: string[], rounds: number): Promise<{ cpu: number; wall: number }> {
  for (let i = 0; i < 50; i++) await load(keys);
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < rounds; i++) await load(keys);
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / rounds, wall: ((performance.now() - wall) * 1000) / rounds };
}

/** Rows in key order, null for none: what the Prisma loaders answer. */
function byKey<R extends Record<string, unknown>>(keys: readonly string[], rows: R[], field: keyof R): (R | null)[] {
  const found = new Map<unknown, R>(rows.map((row) => [row[field], row]));
  return keys.map((key) => found.get(key) ?? null);
}

function grouped<R extends Record<string, unknown>>(keys: readonly string[], rows: R[], field: keyof R): R[][] {
  const groups = new Map<unknown, R[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(row[field])?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

async function main(): Promise<void> {
  await ensureTemplate(ADMIN_URL, (line) => console.log(line));
  const db = await cloneDatabase(ADMIN_URL, 'sql_paths');
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) });
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    const kinds = createKinds(prisma);
    const acme = await prisma.organization.findUniqueOrThrow({ where: { slug: 'acme' } });
    const alice = await prisma.user.findUniqueOrThrow({ where: { email: 'alice@example.com' } });
    const members = await prisma.membership.findMany({
      where: { organizationId: acme.id },
      take: 50,
      orderBy: { createdAt: 'asc' },
    });
    const userIds = members.map((m) => m.userId);
    const orgIds = (await prisma.organization.findMany({ take: 10, orderBy: { createdAt: 'asc' } })).map((o) => o.id);

    // A named query is prepared once per connection and then only bound and executed.
    const prepared = (name: string, text: string) => async (keys: readonly string[]) =>
      (await pool.query({ name, text, values: [keys] })).rows as Record<string, unknown>[];
    const users = prepared(
      'users',
      'SELECT "id","email","name","avatarUrl","createdAt","updatedAt" FROM "User" WHERE "id" = ANY($1::text[])',
    );
    const memberships = prepared(
      'memberships',
      'SELECT * FROM "Membership" WHERE "userId" = ANY($1::text[]) ORDER BY "createdAt" ASC, "id" ASC',
    );
    const flags = prepared('flags', 'SELECT * FROM "FeatureFlag" WHERE "organizationId" = ANY($1::text[]) ORDER BY "key" ASC');
    const orgs = prepared('orgs', 'SELECT * FROM "Organization" WHERE "id" = ANY($1::text[])');

    const loaders: Loader[] = [
      { kind: 'user × 50', keys: userIds, prisma: kinds.user.load, pg: async (k) => byKey(k, await users(k), 'id') },
      {
        kind: 'userMemberships × 1',
        keys: [alice.id],
        prisma: kinds.userMemberships.load,
        pg: async (k) => grouped(k, await memberships(k), 'userId'),
      },
      {
        kind: 'organizationFlags × 10',
        keys: orgIds,
        prisma: kinds.organizationFlags.load,
        pg: async (k) => grouped(k, await flags(k), 'organizationId'),
      },
      {
        kind: 'organization × 10',
        keys: orgIds,
        prisma: kinds.organization.load,
        pg: async (k) => byKey(k, await orgs(k), 'id'),
      },
    ];

    console.log(`${ROUNDS} batches per path, one after another, on ${db.name}`);
    console.log('| loader | Prisma CPU µs | pg CPU µs | Prisma / pg | Prisma wall µs | pg wall µs |');
    console.log('|---|--:|--:|--:|--:|--:|');
    for (const loader of loaders) {
      const [viaPrisma, viaPg] = [await loader.prisma(loader.keys), await loader.pg(loader.keys)];
      if (JSON.stringify(viaPrisma) !== JSON.stringify(viaPg))
        throw new Error(`${loader.kind}: the two paths answer different rows`);
      const p = await time(loader.prisma, loader.keys, ROUNDS);
      const q = await time(loader.pg, loader.keys, ROUNDS);
      console.log(
        `| ${loader.kind} | ${p.cpu.toFixed(0)} | ${q.cpu.toFixed(0)} | ${(p.cpu / q.cpu).toFixed(1)} | ${p.wall.toFixed(0)} | ${q.wall.toFixed(0)} |`,
      );
    }
  } finally {
    await prisma.$disconnect();
    await pool.end();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:sql failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
