// The many users of the many-users workload: which seeded accounts sign in,
// and which of their tokens each request carries.

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
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
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
  } finally {
    await client.end();
  }
}
