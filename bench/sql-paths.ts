// `npm run bench:sql`: what one batch load costs the server's CPU through
// Prisma (prismaBatchReads, what the embedded database uses) and through the
// prepared statements on `pg` the server uses on PostgreSQL (pgBatchReads),
// each wrapped by the loaders' kinds as a request runs them, on a fresh clone
// of the bench database. Each path runs the same batches in turn,
// sequentially, and the table gives CPU µs per batch (process.cpuUsage) and
// wall µs. Both answer the same rows: the script checks that before it times
// anything.

import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { prismaBatchReads } from '../src/db/batch-reads.ts';
import { pgBatchReads } from '../src/db/pg-batch-reads.ts';
import { createKinds } from '../src/loaders/kinds.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { benchServices } from './args.ts';
import { cloneDatabase, ensureTemplate } from './database.ts';

const ADMIN_URL = benchServices(process.env).databaseUrl;
const ROUNDS = Number(process.env['SQL_ROUNDS'] ?? 1500);

type Load = (keys: readonly string[]) => Promise<unknown[]>;

interface Loader {
  kind: string;
  /** One batch of keys, as a request's DataLoader sends it. */
  keys: string[];
  prisma: Load;
  pg: Load;
}

async function time(load: Load, keys: string[], rounds: number): Promise<{ cpu: number; wall: number }> {
  for (let i = 0; i < 50; i++) await load(keys);
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < rounds; i++) await load(keys);
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / rounds, wall: ((performance.now() - wall) * 1000) / rounds };
}

async function main(): Promise<void> {
  await ensureTemplate(ADMIN_URL, (line) => console.log(line));
  const db = await cloneDatabase(ADMIN_URL, 'sql_paths');
  // Each path on a pool of one connection of its own, so neither waits for the other's.
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 1 }) });
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    const viaPrisma = createKinds(prismaBatchReads(prisma));
    const viaPg = createKinds(pgBatchReads(pool));
    const acme = await prisma.organization.findUniqueOrThrow({ where: { slug: 'acme' } });
    const alice = await prisma.user.findUniqueOrThrow({ where: { email: 'alice@example.com' } });
    const members = await prisma.membership.findMany({
      where: { organizationId: acme.id },
      take: 50,
      orderBy: { createdAt: 'asc' },
    });
    const userIds = members.map((m) => m.userId);
    const orgIds = (await prisma.organization.findMany({ take: 10, orderBy: { createdAt: 'asc' } })).map((o) => o.id);

    const loaders: Loader[] = [
      { kind: 'user × 50', keys: userIds, prisma: viaPrisma.user.load, pg: viaPg.user.load },
      {
        kind: 'userMemberships × 1',
        keys: [alice.id],
        prisma: viaPrisma.userMemberships.load,
        pg: viaPg.userMemberships.load,
      },
      {
        kind: 'organizationMembers × 1',
        keys: [acme.id],
        prisma: viaPrisma.organizationMembers.load,
        pg: viaPg.organizationMembers.load,
      },
      {
        kind: 'organizationFlags × 10',
        keys: orgIds,
        prisma: viaPrisma.organizationFlags.load,
        pg: viaPg.organizationFlags.load,
      },
      { kind: 'organization × 10', keys: orgIds, prisma: viaPrisma.organization.load, pg: viaPg.organization.load },
    ];

    console.log(`${ROUNDS} batches per path, one after another, on ${db.name}`);
    console.log('| loader | Prisma CPU µs | pg CPU µs | Prisma / pg | Prisma wall µs | pg wall µs |');
    console.log('|---|--:|--:|--:|--:|--:|');
    for (const loader of loaders) {
      const [a, b] = [await loader.prisma(loader.keys), await loader.pg(loader.keys)];
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${loader.kind}: the two paths answer different rows`);
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
