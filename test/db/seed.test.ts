// Seeds a fresh PostgreSQL database (and a second one for determinism) and
// checks the data set's invariants, the demo accounts, idempotence and
// determinism. Needs a local PostgreSQL (trust auth); TEST_DATABASE_URL points elsewhere.

import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { DEMO_ACCOUNTS, SEED_PASSWORD, SEED_SIZES, seed, type SeedSummary } from '../../prisma/seed.ts';
import { runTsx } from '../helpers/child-process.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.ts';

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/;
const FLAG_KEY_RE = /^[a-z][a-z0-9-]{1,62}$/;
const EMAIL_RE = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/;

/** Runs `tsx prisma/seed.ts` (what `npm run db:seed` does) in its own process. */
const runSeedCli = (databaseUrl: string | undefined) =>
  runTsx('prisma/seed.ts', [], databaseUrl ? { env: { DATABASE_URL: databaseUrl } } : { unset: ['DATABASE_URL'] });

interface ScratchDb {
  scratch: ScratchDatabase;
  prisma: PrismaClient;
  /** SQL statements sent since the last reset: what the seed costs, counted instead of timed. */
  statements: { count: number };
}

async function createScratchDb(): Promise<ScratchDb> {
  const scratch = await createScratchDatabase({ migrate: true });
  const prisma = new PrismaClient({
    adapter: new PrismaPg({ connectionString: scratch.url }),
    log: [{ emit: 'event', level: 'query' }],
  });
  const statements = { count: 0 };
  prisma.$on('query', () => {
    statements.count += 1;
  });
  return { scratch, prisma, statements };
}

async function dropScratchDb(db: ScratchDb | undefined): Promise<void> {
  if (!db) return;
  await db.prisma.$disconnect().catch(() => {});
  await db.scratch.drop();
}

async function dbCounts(prisma: PrismaClient) {
  const [users, organizations, memberships, flags] = await Promise.all([
    prisma.user.count(),
    prisma.organization.count(),
    prisma.membership.count(),
    prisma.featureFlag.count(),
  ]);
  return { users, organizations, memberships, flags };
}

/**
 * SHA-256 over every seeded row, ordered by id. Password hashes have random
 * salts, so they are included only when comparing a database with itself.
 */
async function digest(prisma: PrismaClient, withPasswordHashes: boolean): Promise<string> {
  const [users, orgs, memberships, flags] = await Promise.all([
    prisma.user.findMany({ orderBy: { id: 'asc' } }),
    prisma.organization.findMany({ orderBy: { id: 'asc' } }),
    prisma.membership.findMany({ orderBy: { id: 'asc' } }),
    prisma.featureFlag.findMany({ orderBy: { id: 'asc' } }),
  ]);
  const hash = createHash('sha256');
  for (const u of users) {
    hash.update(
      JSON.stringify([u.id, u.email, u.name, u.avatarUrl, u.createdAt, u.updatedAt, withPasswordHashes ? u.passwordHash : null]),
    );
  }
  for (const o of orgs) hash.update(JSON.stringify([o.id, o.name, o.slug, o.plan, o.createdAt]));
  for (const m of memberships) hash.update(JSON.stringify([m.id, m.role, m.userId, m.organizationId, m.createdAt]));
  for (const f of flags) hash.update(JSON.stringify([f.id, f.key, f.enabled, f.organizationId, f.createdAt, f.updatedAt]));
  return hash.digest('hex');
}

describe('prisma/seed.ts', () => {
  let db: ScratchDb | undefined;
  let other: ScratchDb | undefined;
  let first: SeedSummary;
  let firstLog: string[];
  let firstStatements: number;
  let firstDigest: string;

  beforeAll(async () => {
    db = await createScratchDb();
    firstLog = [];
    db.statements.count = 0;
    first = await seed(db.prisma, { log: (line) => firstLog.push(line) });
    firstStatements = db.statements.count;
    firstDigest = await digest(db.prisma, true);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([dropScratchDb(db), dropScratchDb(other)]);
  }, 60_000);

  it('reports the rows it wrote, which are exactly the rows in the database', async () => {
    const prisma = db!.prisma;
    expect(first.alreadySeeded).toBe(false);
    expect(first.users).toBeGreaterThanOrEqual(2000);
    expect(first.organizations).toBeGreaterThanOrEqual(200);
    // The sizes are the seed's own, exactly: a generator that skipped or doubled rows would show here.
    expect(first.users).toBe(SEED_SIZES.users);
    expect(first.organizations).toBe(SEED_SIZES.organizations);
    expect(first.memberships).toBeGreaterThanOrEqual(first.organizations);
    expect(first.flags).toBeGreaterThanOrEqual(5 * first.organizations);
    const counts = await dbCounts(prisma);
    expect(counts).toEqual({
      users: first.users,
      organizations: first.organizations,
      memberships: first.memberships,
      flags: first.flags,
    });
    expect(first.inserted).toEqual(counts);
    // One progress line per phase, through options.log.
    for (const phase of ['users', 'organizations', 'memberships', 'flags']) {
      expect(
        firstLog.some((line) => new RegExp(`\\b${phase}\\b`).test(line)),
        `log line for ${phase}`,
      ).toBe(true);
    }
    // Rows go in batches: far fewer statements than rows, where row-by-row inserts would send one per row.
    expect(firstStatements).toBeGreaterThan(0);
    expect(firstStatements).toBeLessThan((first.users + first.organizations + first.memberships + first.flags) / 100);
  });

  it('sizes organizations from 1 to 500 members, with some large ones, and 5..30 flags each', async () => {
    const prisma = db!.prisma;
    const orgCount = await prisma.organization.count();
    const members = await prisma.membership.groupBy({ by: ['organizationId'], _count: { _all: true } });
    expect(members).toHaveLength(orgCount); // every org has at least one member
    const sizes = members.map((m) => m._count._all);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(sizes.filter((s) => s > 200).length).toBeGreaterThanOrEqual(1);
    expect(sizes.filter((s) => s <= 30).length).toBeGreaterThan(orgCount / 2); // most are small

    const flags = await prisma.featureFlag.groupBy({ by: ['organizationId'], _count: { _all: true } });
    expect(flags).toHaveLength(orgCount);
    for (const f of flags) {
      expect(f._count._all).toBeGreaterThanOrEqual(5);
      expect(f._count._all).toBeLessThanOrEqual(30);
    }
  });

  it('uses every role and gives every organization an OWNER', async () => {
    const prisma = db!.prisma;
    const roles = await prisma.membership.groupBy({ by: ['role'], _count: { _all: true } });
    expect(roles.map((r) => r.role).sort()).toEqual(['ADMIN', 'MEMBER', 'OWNER', 'VIEWER']);
    const ownedOrgs = await prisma.membership.groupBy({ by: ['organizationId'], where: { role: 'OWNER' } });
    expect(ownedOrgs).toHaveLength(await prisma.organization.count());
  });

  it('produces valid slugs, flag keys and emails', async () => {
    const prisma = db!.prisma;
    const orgs = await prisma.organization.findMany({ select: { slug: true } });
    expect(orgs.filter((o) => !SLUG_RE.test(o.slug))).toEqual([]);
    const keys = await prisma.featureFlag.findMany({ distinct: ['key'], select: { key: true } });
    expect(keys.filter((k) => !FLAG_KEY_RE.test(k.key))).toEqual([]);
    const users = await prisma.user.findMany({ select: { email: true } });
    expect(users.filter((u) => !EMAIL_RE.test(u.email) || u.email !== u.email.toLowerCase())).toEqual([]);
  });

  it('contains alice and bob with exactly their demo memberships', async () => {
    const prisma = db!.prisma;
    const membershipsOf = async (email: string) => {
      const user = await prisma.user.findUniqueOrThrow({
        where: { email },
        include: { memberships: { include: { organization: { select: { slug: true } } } } },
      });
      return {
        name: user.name,
        roles: user.memberships.map((m) => `${m.organization.slug}:${m.role}`).sort(),
      };
    };
    expect(await membershipsOf(DEMO_ACCOUNTS.alice.email)).toEqual({ name: 'Alice Example', roles: ['acme:OWNER'] });
    expect(await membershipsOf(DEMO_ACCOUNTS.bob.email)).toEqual({ name: 'Bob Example', roles: ['acme:VIEWER', 'globex:OWNER'] });

    const acme = await prisma.organization.findUniqueOrThrow({
      where: { slug: 'acme' },
      include: { _count: { select: { memberships: true, featureFlags: true } } },
    });
    expect(acme.name).toBe('Acme Inc');
    expect(acme.plan).toBe('PRO');
    expect(acme._count.memberships).toBeGreaterThanOrEqual(50);
    expect(acme._count.featureFlags).toBeGreaterThanOrEqual(10);
    const globex = await prisma.organization.findUniqueOrThrow({ where: { slug: 'globex' } });
    expect(globex.name).toBe('Globex Corporation');
  });

  it('stores real password hashes: demo passwords verify, wrong ones do not, other users share one hash', async () => {
    const prisma = db!.prisma;
    const alice = await prisma.user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.alice.email } });
    const bob = await prisma.user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.bob.email } });
    expect(DEMO_ACCOUNTS.alice.password).toBe('demo-password-1');
    expect(DEMO_ACCOUNTS.bob.password).toBe('demo-password-2');
    expect(await verifyPassword('demo-password-1', alice.passwordHash)).toBe(true);
    expect(await verifyPassword('demo-password-2', alice.passwordHash)).toBe(false);
    expect(await verifyPassword('demo-password-2', bob.passwordHash)).toBe(true);
    expect(await verifyPassword(SEED_PASSWORD, bob.passwordHash)).toBe(false);

    const others = await prisma.user.groupBy({
      by: ['passwordHash'],
      where: { email: { notIn: [DEMO_ACCOUNTS.alice.email, DEMO_ACCOUNTS.bob.email] } },
      _count: { _all: true },
    });
    expect(others).toHaveLength(1);
    expect(await verifyPassword(SEED_PASSWORD, others[0]!.passwordHash)).toBe(true);
    expect(await verifyPassword('demo-password-1', others[0]!.passwordHash)).toBe(false);
  });

  it('is idempotent: a second run is cheap and changes nothing', async () => {
    const prisma = db!.prisma;
    const log: string[] = [];
    db!.statements.count = 0;
    const second = await seed(prisma, { log: (line) => log.push(line) });
    const statements = db!.statements.count;
    expect(second.alreadySeeded).toBe(true);
    expect(second.inserted).toEqual({ users: 0, organizations: 0, memberships: 0, flags: 0 });
    expect({ ...second, alreadySeeded: false, inserted: null, durationMs: 0 }).toEqual({
      ...first,
      inserted: null,
      durationMs: 0,
    });
    // It finds the marker and stops: a handful of statements, not a pass over the data.
    expect(statements).toBe(1);
    expect(await dbCounts(prisma)).toEqual(first.inserted);
    expect(await digest(prisma, true)).toBe(firstDigest);
  });

  it('is idempotent even when forced past the marker: every phase runs, nothing is added or changed', async () => {
    const prisma = db!.prisma;
    const forced = await seed(prisma, { log: () => {}, force: true });
    expect(forced.alreadySeeded).toBe(false);
    expect(forced.inserted).toEqual({ users: 0, organizations: 0, memberships: 0, flags: 0 });
    expect(await dbCounts(prisma)).toEqual(first.inserted);
    expect(await digest(prisma, true)).toBe(firstDigest);
  }, 30_000);

  it('is deterministic: the CLI, in another process, fills a second fresh database with identical rows', async () => {
    other = await createScratchDb();
    // A separate process, so per-process randomness (Math.random, Date.now at load) would show up.
    const run = await runSeedCli(other.scratch.url);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const phase of ['users', 'organizations', 'memberships', 'flags'])
      expect(run.stdout).toMatch(new RegExp(`\\b${phase}\\b`));
    // Demo credentials printed at the end.
    expect(run.stdout).toContain(`${DEMO_ACCOUNTS.alice.email} / ${DEMO_ACCOUNTS.alice.password}`);
    expect(run.stdout).toContain(`${DEMO_ACCOUNTS.bob.email} / ${DEMO_ACCOUNTS.bob.password}`);
    expect(await dbCounts(other.prisma)).toEqual(first.inserted);
    expect(await digest(other.prisma, false)).toBe(await digest(db!.prisma, false));
  }, 120_000);

  it('refuses to run without DATABASE_URL, with a clear message', async () => {
    const run = await runSeedCli(undefined);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL is not set');
  }, 60_000);
});
