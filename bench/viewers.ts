// The users the bench signs in besides alice: the many users of the
// many-users workload (which seeded accounts, which of their tokens each
// request carries), and the owner of the largest organization for the
// scaling cells. Both get sessions written straight into the database.

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { buildSeedData, SEED_PASSWORD } from '../prisma/seed.ts';
import { hashToken, newSessionToken } from '../src/auth/tokens.ts';

export interface Account {
  email: string;
  password: string;
}

/** The first `n` generated seed users (never the demo accounts, whose data the other workloads read). */
export function seededAccounts(n: number): Account[] {
  const generated = buildSeedData().users.filter((u) => u.demoPassword === undefined);
  if (n > generated.length) throw new Error(`the seed has ${generated.length} generated users, not ${n}`);
  return generated.slice(0, n).map((u) => ({ email: u.email, password: SEED_PASSWORD }));
}

/**
 * The token of each request: the next one in turn, whichever connection
 * sends it, so concurrent requests are different users' and every user
 * comes back once per round. One rotation serves a whole cell, so the
 * measured part carries on where the warm-up stopped instead of replaying
 * the users the warm-up has just cached.
 */
export function tokenRotation(tokens: readonly string[]): () => string {
  if (tokens.length === 0) throw new Error('no tokens to rotate through');
  let next = 0;
  return () => tokens[next++ % tokens.length]!;
}

/**
 * Signs the accounts in by writing their sessions straight into the server's
 * database, as logIn would (a token naming its user, its SHA-256 stored):
 * every server of the bench, peers included, looks a bearer token up by that
 * hash. Through logIn, 500 users cost each server 500 scrypt hashes, minutes
 * of a run for nothing the cells measure. Tokens in the accounts' order.
 */
export async function issueSessions(databaseUrl: string, accounts: readonly Account[], days = 1): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const emails = accounts.map((a) => a.email);
    const { rows } = await client.query<{ id: string; email: string }>('SELECT id, email FROM "User" WHERE email = ANY($1)', [
      emails,
    ]);
    const idOf = new Map(rows.map((r) => [r.email, r.id]));
    const tokens = emails.map((email) => {
      const id = idOf.get(email);
      if (!id) throw new Error(`no seeded user ${email}`);
      return { id, token: newSessionToken(id) };
    });
    await client.query(
      `INSERT INTO "Session" (id, "tokenHash", "userId", "expiresAt")
       SELECT unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), now() + make_interval(days => $4::int)`,
      [tokens.map(() => randomUUID()), tokens.map((t) => hashToken(t.token)), tokens.map((t) => t.id), days],
    );
    return tokens.map((t) => t.token);
  });
}

/** The organization the scaling cells compare acme with, and who reads it. */
export interface LargestOrg {
  slug: string;
  members: number;
  /** Its first OWNER to join (as alice is acme's); the password is the generated users' shared one. */
  owner: Account;
}

/**
 * The organization with the most members (ties: the lowest id), read from the
 * database rather than named, so the bench follows the seed if its sizes move;
 * the seed is deterministic, so every server's clone answers the same.
 */
export async function largestOrg(databaseUrl: string): Promise<LargestOrg> {
  const { rows } = await withClient(databaseUrl, (client) =>
    client.query<{ slug: string; members: number; email: string }>(
      `WITH biggest AS (
         SELECT "organizationId" AS id, count(*)::int AS members FROM "Membership"
         GROUP BY "organizationId" ORDER BY members DESC, "organizationId" LIMIT 1)
       SELECT o.slug, b.members, u.email
       FROM biggest b
       JOIN "Organization" o ON o.id = b.id
       JOIN LATERAL (
         SELECT "userId" FROM "Membership" m WHERE m."organizationId" = b.id
         ORDER BY (m.role = 'OWNER') DESC, m."createdAt", m.id LIMIT 1) first ON true
       JOIN "User" u ON u.id = first."userId"`,
    ),
  );
  const row = rows[0];
  if (!row) throw new Error('no organization has members');
  return { slug: row.slug, members: row.members, owner: { email: row.email, password: SEED_PASSWORD } };
}

async function withClient<T>(databaseUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
