// The committed migrations applied through the WASM schema engine, on a real
// PostgreSQL (fresh scratch databases, dropped afterwards) and on PGlite,
// checked from the catalogs rather than through Prisma, plus the embedded
// database under Prisma Client. Needs the local PostgreSQL (trust auth);
// TEST_DATABASE_URL points elsewhere.
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { diffSchemaToMigrationSql, SCHEMA_PATH } from '../../scripts/lib/schema-diff.ts';
import { openEmbeddedDatabase } from '../../src/db/embedded.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { MIGRATIONS_DIR } from '../../src/db/migrations-folder.ts';
import { MigrationError } from '../../src/db/schema-engine.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { runTsx } from '../helpers/child-process.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.ts';
import { databaseUrl } from '../helpers/services.ts';

// PGlite runs initdb in WASM for every new database: seconds, not milliseconds.
const SLOW = 60_000;

const committed = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function checksum(migration: string): string {
  return createHash('sha256')
    .update(readFileSync(join(MIGRATIONS_DIR, migration, 'migration.sql')))
    .digest('hex');
}

/** Runs SQL and returns rows, whichever database is underneath. */
type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

function pgQuery(client: pg.Client): Query {
  return async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[];
}

function pgliteQuery(db: PGlite): Query {
  return async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows;
}

interface IndexRow {
  index: string;
  table: string;
  unique: boolean;
  columns: string[];
}

// Everything a migrated database must have, asked of the catalogs directly so a
// wrong migration cannot hide behind Prisma's own view of the schema.
function describeMigratedDatabase(label: string, open: () => Promise<{ query: Query; close(): Promise<void> }>) {
  describe(label, () => {
    let query: Query;
    let close: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ query, close } = await open());
    }, SLOW);
    afterAll(async () => {
      await close?.();
    });

    it('records every committed migration in _prisma_migrations as migrate deploy does', async () => {
      const rows = await query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        rolled_back_at: Date | null;
        applied_steps_count: number;
        logs: string | null;
      }>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs
           FROM _prisma_migrations ORDER BY migration_name`,
      );
      expect(rows.map((row) => row.migration_name)).toEqual(committed);
      for (const row of rows) {
        expect(row.checksum).toBe(checksum(row.migration_name));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
        expect(row.logs).toBeNull();
      }
    });

    it('has the model tables', async () => {
      const rows = await query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      expect(rows.map((row) => row.table_name).sort()).toEqual(
        ['FeatureFlag', 'Membership', 'Organization', 'Session', 'User', '_prisma_migrations'].sort(),
      );
    });

    it('has the unique and composite indexes, columns in order', async () => {
      const rows = await query<IndexRow>(
        `SELECT i.relname AS index, t.relname AS table, ix.indisunique AS unique,
                (SELECT json_agg(a.attname ORDER BY k.ord)
                   FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
           FROM pg_index ix
           JOIN pg_class i ON i.oid = ix.indexrelid
           JOIN pg_class t ON t.oid = ix.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = 'public' AND NOT ix.indisprimary`,
      );
      expect(rows).toEqual(
        expect.arrayContaining<IndexRow>([
          { index: 'User_email_key', table: 'User', unique: true, columns: ['email'] },
          { index: 'Organization_slug_key', table: 'Organization', unique: true, columns: ['slug'] },
          {
            index: 'Membership_userId_organizationId_key',
            table: 'Membership',
            unique: true,
            columns: ['userId', 'organizationId'],
          },
          {
            index: 'Membership_organizationId_createdAt_id_idx',
            table: 'Membership',
            unique: false,
            columns: ['organizationId', 'createdAt', 'id'],
          },
          {
            index: 'Membership_organizationId_role_idx',
            table: 'Membership',
            unique: false,
            columns: ['organizationId', 'role'],
          },
          {
            index: 'FeatureFlag_organizationId_key_key',
            table: 'FeatureFlag',
            unique: true,
            columns: ['organizationId', 'key'],
          },
          { index: 'Session_tokenHash_key', table: 'Session', unique: true, columns: ['tokenHash'] },
          { index: 'Session_userId_idx', table: 'Session', unique: false, columns: ['userId'] },
          { index: 'Session_expiresAt_idx', table: 'Session', unique: false, columns: ['expiresAt'] },
        ]),
      );
    });

    it('has ON DELETE CASCADE foreign keys', async () => {
      const rows = await query<{ name: string; on_delete: string }>(
        `SELECT c.conname AS name, c.confdeltype::text AS on_delete
           FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
          WHERE n.nspname = 'public' AND c.contype = 'f'`,
      );
      // 'c' is CASCADE in pg_constraint.confdeltype.
      expect(rows).toEqual(
        expect.arrayContaining([
          { name: 'Membership_userId_fkey', on_delete: 'c' },
          { name: 'Membership_organizationId_fkey', on_delete: 'c' },
          { name: 'FeatureFlag_organizationId_fkey', on_delete: 'c' },
          { name: 'Session_userId_fkey', on_delete: 'c' },
        ]),
      );
    });

    it('deleting a user deletes its memberships and sessions, not the organization', async () => {
      const suffix = randomBytes(4).toString('hex');
      const [user, org] = [`u_${suffix}`, `o_${suffix}`];
      await query(`INSERT INTO "User" (id, email, name, "passwordHash", "updatedAt") VALUES ($1, $2, 'U', 'x', now())`, [
        user,
        `${suffix}@example.test`,
      ]);
      await query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, 'O', $2)`, [org, `org-${suffix}`]);
      await query(`INSERT INTO "Membership" (id, role, "userId", "organizationId") VALUES ($1, 'OWNER', $2, $3)`, [
        `m_${suffix}`,
        user,
        org,
      ]);
      await query(`INSERT INTO "Session" (id, "tokenHash", "userId", "expiresAt") VALUES ($1, $2, $3, now())`, [
        `s_${suffix}`,
        `hash_${suffix}`,
        user,
      ]);
      const count = async (table: string, column: string, value: string) =>
        Number((await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" = $1`, [value]))[0]!.n);

      expect(await count('Membership', 'userId', user)).toBe(1);
      expect(await count('Session', 'userId', user)).toBe(1);
      await query(`DELETE FROM "User" WHERE id = $1`, [user]);
      expect(await count('Membership', 'userId', user)).toBe(0);
      expect(await count('Session', 'userId', user)).toBe(0);
      expect(await count('Organization', 'id', org)).toBe(1);
    });
  });
}

describe('applyMigrations', () => {
  it('has committed migrations to test', () => {
    expect(committed.length).toBeGreaterThan(0);
  });

  let database: ScratchDatabase | undefined;
  let existedDuringSuite = false;

  describe('on PostgreSQL', () => {
    let client: pg.Client | undefined;
    const timings: number[] = [];

    beforeAll(async () => {
      database = await createScratchDatabase();
      existedDuringSuite = await database.exists();
      const url = database.url;
      let started = performance.now();
      const first = await applyMigrations({ kind: 'postgres', url });
      timings.push(performance.now() - started);
      started = performance.now();
      const second = await applyMigrations({ kind: 'postgres', url });
      timings.push(performance.now() - started);
      expect(first).toEqual(committed);
      expect(second).toEqual([]);
      client = new pg.Client({ connectionString: url });
      await client.connect();
    }, SLOW);

    afterAll(async () => {
      await client?.end();
      await database?.drop();
      console.info(`postgres apply: first ${timings[0]?.toFixed(0)} ms, second ${timings[1]?.toFixed(0)} ms`);
    });

    describeMigratedDatabase('schema', async () => ({ query: pgQuery(client!), close: async () => {} }));
  });

  describe('on in-memory PGlite', () => {
    let db: PGlite | undefined;
    const timings: number[] = [];

    beforeAll(async () => {
      db = await PGlite.create();
      let started = performance.now();
      const first = await applyMigrations({ kind: 'pglite', db });
      timings.push(performance.now() - started);
      started = performance.now();
      const second = await applyMigrations({ kind: 'pglite', db });
      timings.push(performance.now() - started);
      expect(first).toEqual(committed);
      expect(second).toEqual([]);
    }, SLOW);

    afterAll(async () => {
      await db?.close();
      console.info(`pglite apply: first ${timings[0]?.toFixed(0)} ms, second ${timings[1]?.toFixed(0)} ms`);
    });

    describeMigratedDatabase('schema', async () => ({ query: pgliteQuery(db!), close: async () => {} }));
  });

  it("dropped the PostgreSQL suite's scratch database", async () => {
    expect(existedDuringSuite).toBe(true);
    expect(await database?.exists()).toBe(false);
  });

  describe('a failing migration', () => {
    // The committed migrations plus one that creates a table, then fails.
    let migrationsDir: string;
    const bad = '99990101000000_fails_halfway';

    beforeAll(() => {
      migrationsDir = mkdtempSync(join(tmpdir(), 'tg-migrations-'));
      cpSync(MIGRATIONS_DIR, migrationsDir, { recursive: true });
      mkdirSync(join(migrationsDir, bad));
      writeFileSync(
        join(migrationsDir, bad, 'migration.sql'),
        // The `;` inside the string literal would break a script split on `;`.
        `CREATE TABLE "Partial" ("id" TEXT NOT NULL);\nINSERT INTO "Partial" VALUES ('a;b');\nCREATE TABLE "User" ("id" TEXT);\n`,
      );
    });
    afterAll(() => rmSync(migrationsDir, { recursive: true, force: true }));

    async function expectAtomicFailure(apply: () => Promise<string[]>, query: Query): Promise<void> {
      await expect(apply()).rejects.toThrow(/relation "User" already exists/);
      // The whole script was one transaction: its first table is not left behind.
      expect(await query(`SELECT to_regclass('public."Partial"') AS t`)).toEqual([{ t: null }]);
      const rows = await query<{ migration_name: string; finished_at: Date | null; logs: string | null }>(
        `SELECT migration_name, finished_at, logs FROM _prisma_migrations ORDER BY migration_name`,
      );
      expect(rows.map((row) => row.migration_name)).toEqual([...committed, bad]);
      const failed = rows.at(-1)!;
      expect(failed.finished_at).toBeNull();
      expect(failed.logs).toContain('already exists');
      // As with the CLI, a failed migration blocks the next deploy until resolved.
      const again = await apply().catch((error: unknown) => error);
      expect(again).toBeInstanceOf(MigrationError);
      expect((again as MigrationError).code).toBe('P3009');
    }

    it('on PostgreSQL rolls back whole and is recorded as failed', async () => {
      const database = await createScratchDatabase();
      const client = new pg.Client({ connectionString: database.url });
      try {
        await client.connect();
        await expectAtomicFailure(
          () => applyMigrations({ kind: 'postgres', url: database.url }, { migrationsDir }),
          pgQuery(client),
        );
      } finally {
        await client.end();
        await database.drop();
      }
    });

    it(
      'on PGlite rolls back whole and is recorded as failed',
      async () => {
        const db = await PGlite.create();
        try {
          await expectAtomicFailure(() => applyMigrations({ kind: 'pglite', db }, { migrationsDir }), pgliteQuery(db));
        } finally {
          await db.close();
        }
      },
      SLOW,
    );
  });

  it('reports an unreachable server without a stack of internals', async () => {
    const error = await applyMigrations({ kind: 'postgres', url: 'postgresql://postgres@127.0.0.1:1/none' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/^Can't reach database server at `127\.0\.0\.1:1`/);
    expect((error as Error).message).not.toMatch(/schema_engine|\.rs:\d/);
  });
});

const runMigrateScript = (databaseUrlValue: string | undefined) =>
  runTsx(
    'scripts/migrate.ts',
    [],
    databaseUrlValue === undefined ? { unset: ['DATABASE_URL'] } : { env: { DATABASE_URL: databaseUrlValue } },
  );

describe('npm run db:migrate (scripts/migrate.ts)', () => {
  it(
    'creates the database, applies, reports each migration, then finds nothing to do, and exits promptly',
    async () => {
      // Not created here: the script must create it, as `prisma migrate deploy` does.
      const scratch = await createScratchDatabase({ create: false });
      const database = scratch.name;
      try {
        expect(await scratch.exists()).toBe(false);
        const first = await runMigrateScript(databaseUrl(database));
        expect(first.stderr).toBe('');
        expect(first.code).toBe(0);
        expect(first.stdout).toContain(`Created database ${new URL(databaseUrl(database)).host}/${database}`);
        for (const name of committed) expect(first.stdout).toContain(`applying ${name}`);
        expect(first.stdout).toMatch(new RegExp(`Applied ${committed.length} migration\\(s\\) to .*${database}`));

        const second = await runMigrateScript(databaseUrl(database));
        expect(second.code).toBe(0);
        expect(second.stdout).toContain('Already up to date');
        expect(second.stdout).not.toMatch(/^\s+applying /m);
        expect(await scratch.exists()).toBe(true);
      } finally {
        await scratch.drop();
      }
    },
    SLOW,
  );

  it('fails clearly without DATABASE_URL', async () => {
    const run = await runMigrateScript(undefined);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DATABASE_URL is not set');
  });

  it('fails with a one-line reason, not a stack trace, when the server is unreachable', async () => {
    const run = await runMigrateScript('postgresql://postgres:secret@127.0.0.1:1/none');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("failed: Can't reach database server at `127.0.0.1:1`");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout + run.stderr).not.toContain('secret');
  });
});

describe('diffSchemaToMigrationSql', () => {
  it(
    'finds nothing to add: the committed migrations match prisma/schema.prisma',
    async () => {
      expect(await diffSchemaToMigrationSql()).toBeNull();
    },
    SLOW,
  );

  it(
    'writes the SQL for an edited schema',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tg-schema-'));
      try {
        const schemaPath = join(dir, 'schema.prisma');
        const original = readFileSync(SCHEMA_PATH, 'utf8');
        // The edit below needs its anchor in the committed schema exactly once.
        expect(original.match(/model User \{\n/g)).toHaveLength(1);
        const edited = original.replace(/model User \{\n/, 'model User {\n  nickname     String?\n');
        writeFileSync(schemaPath, edited);
        const sql = await diffSchemaToMigrationSql({ schemaPath });
        expect(sql).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT;/);
        expect(sql).not.toMatch(/CREATE TABLE/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});

describe('openEmbeddedDatabase', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'tg-embedded-')), 'nested', 'pgdata');
  });
  afterAll(() => rmSync(join(dataDir, '..', '..'), { recursive: true, force: true }));

  it(
    'runs Prisma Client on a migrated on-disk PGlite, and keeps the data across reopening',
    async () => {
      const first = await openEmbeddedDatabase(dataDir);
      const prisma = new PrismaClient({ adapter: first.adapter });
      try {
        expect(await applyMigrations({ kind: 'pglite', db: first.db })).toEqual(committed);

        const created = await prisma.user.create({
          data: {
            email: 'ada@example.test',
            name: 'Ada',
            passwordHash: 'x',
            memberships: { create: { role: 'OWNER', organization: { create: { name: 'Acme', slug: 'acme' } } } },
          },
        });
        const loaded = await prisma.user.findUniqueOrThrow({
          where: { id: created.id },
          include: { memberships: { include: { organization: true } } },
        });
        expect(loaded.memberships).toHaveLength(1);
        expect(loaded.memberships[0]!.role).toBe('OWNER');
        expect(loaded.memberships[0]!.organization.slug).toBe('acme');

        // An interactive transaction commits both writes...
        await prisma.$transaction(async (tx) => {
          const org = await tx.organization.create({ data: { name: 'Beta', slug: 'beta' } });
          await tx.membership.create({ data: { role: 'MEMBER', userId: created.id, organizationId: org.id } });
        });
        // ...and one that throws leaves nothing behind.
        await expect(
          prisma.$transaction(async (tx) => {
            await tx.organization.create({ data: { name: 'Gamma', slug: 'gamma' } });
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect((await prisma.organization.findMany({ orderBy: { slug: 'asc' } })).map((o) => o.slug)).toEqual(['acme', 'beta']);
        // Prisma maps the unique index to its own error code.
        await expect(prisma.organization.create({ data: { name: 'Dup', slug: 'acme' } })).rejects.toMatchObject({
          code: 'P2002',
        });
      } finally {
        await prisma.$disconnect();
        await first.close();
      }

      const second = await openEmbeddedDatabase(dataDir);
      const reopened = new PrismaClient({ adapter: second.adapter });
      try {
        expect(await applyMigrations({ kind: 'pglite', db: second.db })).toEqual([]);
        expect(await reopened.membership.count({ where: { user: { email: 'ada@example.test' } } })).toBe(2);
      } finally {
        await reopened.$disconnect();
        await second.close();
        await second.close(); // closing twice is harmless
      }
    },
    SLOW * 2,
  );
});
