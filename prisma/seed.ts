// Demo and load-test data: `npm run db:seed` (DATABASE_URL required).
//
// Deterministic: one mulberry32 stream with a fixed seed decides every name,
// size, role and flag; ids (`seed-user-0001`, `seed-org-0001`, ...) and
// timestamps are derived from indexes, so two fresh databases get identical
// rows (except password hashes, whose salts are random).
//
// Idempotent: everything is written in one transaction whose last act is the
// final user row being present together with the rest, so a marker row
// (`MARKER_USER_ID`) means "fully seeded" and a rerun returns at once. With
// `force` (or after someone deleted the marker) every phase runs again with
// `skipDuplicates`, so existing rows are kept and nothing is duplicated. Rows
// that collide with pre-existing data (an `acme` org or `alice@example.com`
// created by hand) are reused by their unique key rather than failing.
//
// Fast: only the two demo passwords and one shared password are hashed
// (scrypt is ~50 ms a call); rows go in with createMany in batches of 1,000.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma, type Plan, type Role } from '../src/generated/prisma/client.ts';
import { hashPassword, verifyPassword } from '../src/auth/password.ts';

// ---------------------------------------------------------------------------
// Public API

/**
 * The demo logins, shared by the seed, its tests and the README. alice is the
 * OWNER of `acme` and nothing else; bob is a VIEWER of `acme` and the OWNER of
 * `globex`.
 */
export const DEMO_ACCOUNTS = {
  alice: { email: 'alice@example.com', password: 'demo-password-1', name: 'Alice Example' },
  bob: { email: 'bob@example.com', password: 'demo-password-2', name: 'Bob Example' },
} as const;

/** The demo organizations and who holds which role in them. */
export const DEMO_ORGANIZATIONS = {
  acme: { slug: 'acme', name: 'Acme Inc', plan: 'PRO' as Plan, members: 150, flags: 16 },
  globex: { slug: 'globex', name: 'Globex Corporation', plan: 'ENTERPRISE' as Plan, members: 40, flags: 12 },
} as const;

/** Password of every non-demo seeded user (they all share one hash). */
export const SEED_PASSWORD = 'seed-password';

/** Fixed sizes of the generated data set. */
export const SEED_SIZES = { users: 2400, organizations: 240 } as const;

/** Id of the row whose presence means the seed has completed (written in the same transaction as the rest). */
export const MARKER_USER_ID = `seed-user-${String(SEED_SIZES.users).padStart(4, '0')}`;

export interface SeedCounts {
  users: number;
  organizations: number;
  memberships: number;
  flags: number;
}

export interface SeedSummary extends SeedCounts {
  /** True when the marker showed a completed seed and nothing was written. */
  alreadySeeded: boolean;
  /** Rows actually inserted by this run (all zero on a rerun). */
  inserted: SeedCounts;
  durationMs: number;
}

export interface SeedOptions {
  /** Progress output, one line per phase; default console.log. */
  log?: (line: string) => void;
  /** Run every phase even if the marker says the database is seeded (still no duplicates). */
  force?: boolean;
}

// ---------------------------------------------------------------------------
// Deterministic generation

const PRNG_SEED = 0x5eed_2024;
const BATCH = 1000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const USER_EPOCH = Date.UTC(2023, 0, 1);
const ORG_EPOCH = Date.UTC(2024, 0, 1);

/** mulberry32: tiny, fast, good enough for test data; same seed, same stream. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const userId = (index: number) => `seed-user-${pad(index + 1, 4)}`;
const orgId = (index: number) => `seed-org-${pad(index + 1, 4)}`;
const membershipId = (index: number) => `seed-mbr-${pad(index + 1, 6)}`;
const flagId = (index: number) => `seed-flag-${pad(index + 1, 6)}`;

const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Carla',
  'Dmitri',
  'Elena',
  'Farah',
  'Gustavo',
  'Hana',
  'Ivan',
  'Jia',
  'Kofi',
  'Lena',
  'Mateo',
  'Nadia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Victor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Amara',
  'Bruno',
  'Chloe',
  'Diego',
  'Emil',
  'Fatima',
  'Giulia',
  'Hugo',
  'Ines',
  'Jonas',
  'Keiko',
  'Liam',
  'Maya',
  'Noah',
] as const;
const LAST_NAMES = [
  'Anderson',
  'Becker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quispe',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Usman',
  'Varga',
  'Wagner',
  'Xu',
  'Yilmaz',
  'Zhang',
  'Almeida',
  'Brennan',
  'Castillo',
  'Novak',
] as const;
const ORG_ADJECTIVES = [
  'blue',
  'bright',
  'silver',
  'north',
  'rapid',
  'quiet',
  'solid',
  'clear',
  'red',
  'green',
  'golden',
  'iron',
  'swift',
  'bold',
  'prime',
  'open',
  'true',
  'deep',
  'high',
  'urban',
] as const;
const ORG_NOUNS = [
  'harbor',
  'peak',
  'river',
  'forge',
  'pixel',
  'orbit',
  'field',
  'stone',
  'cloud',
  'signal',
  'bridge',
  'grove',
  'spark',
  'ledger',
  'atlas',
  'beacon',
  'canyon',
  'delta',
  'ember',
  'summit',
] as const;
const ORG_SUFFIXES = [
  'Labs',
  'Systems',
  'Studio',
  'Works',
  'Group',
  'Analytics',
  'Health',
  'Logistics',
  'Software',
  'Co',
] as const;

/** Flag keys: lowercase kebab-case, /^[a-z][a-z0-9-]{1,62}$/; at least 30 so any org can get 30 distinct ones. */
export const FLAG_KEYS = [
  'new-dashboard',
  'dark-mode',
  'audit-log',
  'sso-saml',
  'scim-provisioning',
  'ai-assistant',
  'bulk-export',
  'csv-import',
  'advanced-search',
  'realtime-collab',
  'custom-domains',
  'usage-analytics',
  'webhooks-v2',
  'rate-limit-v2',
  'granular-permissions',
  'enforce-2fa',
  'ip-allowlist',
  'data-residency-eu',
  'session-replay',
  'onboarding-checklist',
  'inline-comments',
  'slack-integration',
  'github-integration',
  'jira-sync',
  'mobile-push',
  'email-digest',
  'new-pricing-page',
  'usage-based-billing',
  'team-spaces',
  'guest-access',
  'file-previews',
  'offline-mode',
  'keyboard-shortcuts',
  'command-palette',
  'markdown-editor-v3',
  'scheduled-reports',
  'api-keys-v2',
  'beta-graph-explorer',
  'sandbox-environments',
  'custom-roles',
] as const;

interface SeedUser {
  id: string;
  email: string;
  name: string;
  avatarUrl: string | null;
  createdAt: Date;
  demoPassword?: string;
}
interface SeedOrg {
  id: string;
  name: string;
  slug: string;
  plan: Plan;
  createdAt: Date;
  /** Indexes into users, in join order; the first is the founding OWNER. */
  members: { user: number; role: Role }[];
  flags: { key: string; enabled: boolean }[];
}
export interface SeedData {
  users: SeedUser[];
  organizations: SeedOrg[];
}

function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

/** Builds the whole data set in memory; pure and deterministic. */
export function buildSeedData(): SeedData {
  const rand = mulberry32(PRNG_SEED);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

  // Users: 0 = alice, 1 = bob, the rest generated.
  const users: SeedUser[] = [];
  for (let i = 0; i < SEED_SIZES.users; i++) {
    const createdAt = new Date(USER_EPOCH + i * 2 * HOUR);
    if (i === 0 || i === 1) {
      const demo = i === 0 ? DEMO_ACCOUNTS.alice : DEMO_ACCOUNTS.bob;
      users.push({ id: userId(i), email: demo.email, name: demo.name, avatarUrl: null, createdAt, demoPassword: demo.password });
      continue;
    }
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const hasAvatar = rand() < 0.6;
    users.push({
      id: userId(i),
      // The index keeps emails unique; all lowercase ASCII.
      email: `${first}.${last}${i}@example.com`.toLowerCase(),
      name: `${first} ${last}`,
      avatarUrl: hasAvatar ? `https://avatars.example.com/${userId(i)}.png` : null,
      createdAt,
    });
  }

  // Organization sizes: acme and globex fixed, a few near 500, some medium, most small.
  const generated = SEED_SIZES.organizations - 2;
  const sizes: number[] = [500, int(470, 499), int(470, 499), int(450, 499), 1];
  for (let i = 0; i < 15; i++) sizes.push(int(50, 250));
  while (sizes.length < generated) sizes.push(1 + Math.floor(rand() ** 2 * 30)); // skewed towards 1..10
  // Shuffle so the large ones are spread through the list.
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j]!, sizes[i]!];
  }

  // Generic users (never alice or bob, whose memberships are exactly the demo ones).
  const pool = Array.from({ length: SEED_SIZES.users - 2 }, (_, k) => k + 2);
  const sample = (k: number): number[] => {
    // Partial Fisher-Yates over the persistent pool: deterministic, no repeats.
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rand() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, k);
  };
  const randomRole = (): Role => {
    const r = rand();
    if (r < 0.02) return 'OWNER';
    if (r < 0.14) return 'ADMIN';
    if (r < 0.75) return 'MEMBER';
    return 'VIEWER';
  };
  const flagsFor = (count: number) => {
    const keys = [...FLAG_KEYS];
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rand() * (keys.length - i));
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    return keys.slice(0, count).map((key) => ({ key, enabled: rand() < 0.4 }));
  };

  const organizations: SeedOrg[] = [];
  const slugs = new Set<string>([DEMO_ORGANIZATIONS.acme.slug, DEMO_ORGANIZATIONS.globex.slug]);
  for (let j = 0; j < SEED_SIZES.organizations; j++) {
    const createdAt = new Date(ORG_EPOCH + j * 11 * HOUR);
    if (j === 0) {
      const acme = DEMO_ORGANIZATIONS.acme;
      const members = [
        { user: 0, role: 'OWNER' as Role },
        { user: 1, role: 'VIEWER' as Role },
        ...sample(acme.members - 2).map((user) => ({ user, role: randomRole() })),
      ];
      // Acme's flags are the first ones of the catalogue, so `new-dashboard` is always there.
      const flags = FLAG_KEYS.slice(0, acme.flags).map((key, k) => ({ key, enabled: k % 3 !== 2 }));
      organizations.push({ id: orgId(j), name: acme.name, slug: acme.slug, plan: acme.plan, createdAt, members, flags });
      continue;
    }
    if (j === 1) {
      const globex = DEMO_ORGANIZATIONS.globex;
      const members = [
        { user: 1, role: 'OWNER' as Role },
        ...sample(globex.members - 1).map((user) => ({ user, role: randomRole() })),
      ];
      organizations.push({
        id: orgId(j),
        name: globex.name,
        slug: globex.slug,
        plan: globex.plan,
        createdAt,
        members,
        flags: flagsFor(globex.flags),
      });
      continue;
    }
    const size = sizes[j - 2]!;
    let name = `${pick(ORG_ADJECTIVES)} ${pick(ORG_NOUNS)} ${pick(ORG_SUFFIXES)}`.replace(/\b[a-z]/g, (c) => c.toUpperCase());
    let slug = slugify(name);
    if (slugs.has(slug)) {
      name = `${name} ${j}`;
      slug = slugify(name);
    }
    slugs.add(slug);
    const plan: Plan = size >= 200 ? 'ENTERPRISE' : size >= 40 || rand() < 0.2 ? 'PRO' : 'FREE';
    const memberUsers = sample(size);
    const members = memberUsers.map((user, pos) => ({ user, role: pos === 0 ? ('OWNER' as Role) : randomRole() }));
    organizations.push({ id: orgId(j), name, slug, plan, createdAt, members, flags: flagsFor(int(5, 30)) });
  }
  return { users, organizations };
}

// ---------------------------------------------------------------------------
// Writing

function countsOf(data: SeedData): SeedCounts {
  let memberships = 0;
  let flags = 0;
  for (const org of data.organizations) {
    memberships += org.members.length;
    flags += org.flags.length;
  }
  return { users: data.users.length, organizations: data.organizations.length, memberships, flags };
}

async function insertBatches<T>(rows: T[], insert: (batch: T[]) => Promise<{ count: number }>): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += BATCH) inserted += (await insert(rows.slice(i, i + BATCH))).count;
  return inserted;
}

/** Arbitrary constant for pg_advisory_xact_lock so concurrent seeds queue instead of racing. */
const SEED_LOCK_KEY = 0x7e5eed;

/**
 * Seeds the database behind `prisma` with the demo accounts and a realistic
 * multi-tenant data set. Safe to run repeatedly: a completed seed is detected
 * and skipped; a forced rerun inserts nothing new.
 */
export async function seed(prisma: PrismaClient, options: SeedOptions = {}): Promise<SeedSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = performance.now();
  const data = buildSeedData();
  const counts = countsOf(data);
  const none: SeedCounts = { users: 0, organizations: 0, memberships: 0, flags: 0 };
  const skipped = (): SeedSummary => {
    log(`seed: already seeded (found ${MARKER_USER_ID}); nothing to do`);
    return { ...counts, alreadySeeded: true, inserted: none, durationMs: Math.round(performance.now() - started) };
  };

  const isSeeded = async (client: Prisma.TransactionClient | PrismaClient) =>
    !options.force && (await client.user.findUnique({ where: { id: MARKER_USER_ID }, select: { id: true } })) !== null;
  if (await isSeeded(prisma)) return skipped();

  // Three scrypt calls in parallel (libuv pool): the demo passwords and the one shared hash.
  const [aliceHash, bobHash, sharedHash] = await Promise.all([
    hashPassword(DEMO_ACCOUNTS.alice.password),
    hashPassword(DEMO_ACCOUNTS.bob.password),
    hashPassword(SEED_PASSWORD),
  ]);
  const demoHashes = new Map<string, string>([
    [DEMO_ACCOUNTS.alice.email, aliceHash],
    [DEMO_ACCOUNTS.bob.email, bobHash],
  ]);

  const result = await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK_KEY}::bigint)`;
      if (await isSeeded(tx)) return null;
      const inserted = { ...none };
      let t = performance.now();
      const phase = (label: string, total: number, added: number) => {
        const now = performance.now();
        log(`seed: ${label.padEnd(12)} ${String(total).padStart(6)} rows (${added} new) in ${Math.round(now - t)} ms`);
        t = now;
      };

      // Users. Demo accounts that already exist (possibly with other ids) keep
      // their row but get the demo name and password back if they drifted.
      const existingDemo = await tx.user.findMany({
        where: { email: { in: [...demoHashes.keys()] } },
        select: { id: true, email: true, name: true, passwordHash: true },
      });
      for (const existing of existingDemo) {
        const demo = data.users.find((u) => u.email === existing.email)!;
        if (existing.name !== demo.name || !(await verifyPassword(demo.demoPassword!, existing.passwordHash))) {
          await tx.user.update({
            where: { id: existing.id },
            data: { name: demo.name, passwordHash: demoHashes.get(existing.email)! },
          });
        }
      }
      inserted.users = await insertBatches(data.users, (batch) =>
        tx.user.createMany({
          skipDuplicates: true,
          data: batch.map((u) => ({
            id: u.id,
            email: u.email,
            name: u.name,
            avatarUrl: u.avatarUrl,
            passwordHash: demoHashes.get(u.email) ?? sharedHash,
            createdAt: u.createdAt,
            updatedAt: u.createdAt,
          })),
        }),
      );
      // Resolve ids by email: a pre-existing row with the same email wins.
      const userIds = new Map<string, string>();
      for (const row of await tx.user.findMany({
        where: { email: { in: data.users.map((u) => u.email) } },
        select: { id: true, email: true },
      })) {
        userIds.set(row.email, row.id);
      }
      phase('users', counts.users, inserted.users);

      // Organizations, resolved by slug the same way.
      inserted.organizations = await insertBatches(data.organizations, (batch) =>
        tx.organization.createMany({
          skipDuplicates: true,
          data: batch.map((o) => ({ id: o.id, name: o.name, slug: o.slug, plan: o.plan, createdAt: o.createdAt })),
        }),
      );
      const orgIds = new Map<string, string>();
      for (const row of await tx.organization.findMany({
        where: { slug: { in: data.organizations.map((o) => o.slug) } },
        select: { id: true, slug: true },
      })) {
        orgIds.set(row.slug, row.id);
      }
      phase('organizations', counts.organizations, inserted.organizations);

      // Memberships: join times follow the member order, the founding OWNER first.
      const memberships: Prisma.MembershipCreateManyInput[] = [];
      const flags: Prisma.FeatureFlagCreateManyInput[] = [];
      for (const org of data.organizations) {
        const organizationId = orgIds.get(org.slug)!;
        org.members.forEach((m, pos) => {
          memberships.push({
            id: membershipId(memberships.length),
            role: m.role,
            createdAt: new Date(org.createdAt.getTime() + pos * 5 * MINUTE),
            userId: userIds.get(data.users[m.user]!.email)!,
            organizationId,
          });
        });
        org.flags.forEach((f, k) => {
          const createdAt = new Date(org.createdAt.getTime() + (k + 1) * 37 * MINUTE);
          flags.push({
            id: flagId(flags.length),
            key: f.key,
            enabled: f.enabled,
            createdAt,
            updatedAt: createdAt,
            organizationId,
          });
        });
      }
      inserted.memberships = await insertBatches(memberships, (batch) =>
        tx.membership.createMany({ skipDuplicates: true, data: batch }),
      );
      phase('memberships', counts.memberships, inserted.memberships);

      inserted.flags = await insertBatches(flags, (batch) => tx.featureFlag.createMany({ skipDuplicates: true, data: batch }));
      phase('flags', counts.flags, inserted.flags);
      return inserted;
    },
    { maxWait: 30_000, timeout: 120_000 },
  );
  if (result === null) return skipped();

  const durationMs = Math.round(performance.now() - started);
  log(
    `seed: done in ${durationMs} ms: ${counts.users} users, ${counts.organizations} organizations, ` +
      `${counts.memberships} memberships, ${counts.flags} flags`,
  );
  return { ...counts, alreadySeeded: false, inserted: result, durationMs };
}

// ---------------------------------------------------------------------------
// CLI: tsx prisma/seed.ts

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    console.error(
      'DATABASE_URL is not set. Point it at the database to seed, e.g.\n' +
        '  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tenant_graph npm run db:seed\n' +
        '(apply migrations first with `npm run db:migrate`).',
    );
    process.exitCode = 1;
    return;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
  try {
    await seed(prisma);
  } finally {
    await prisma.$disconnect();
  }
  const { alice, bob } = DEMO_ACCOUNTS;
  console.log('\nDemo credentials:');
  console.log(`  ${alice.email} / ${alice.password}   (${alice.name}: OWNER of "acme")`);
  console.log(`  ${bob.email} / ${bob.password}   (${bob.name}: VIEWER of "acme", OWNER of "globex")`);
  console.log(`  any other seeded user / ${SEED_PASSWORD}`);
}

if (isMain()) {
  main().catch((error: unknown) => {
    console.error('seed failed:', error);
    process.exitCode = 1;
  });
}
