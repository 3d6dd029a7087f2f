// The many users of the many-users workload: which seeded accounts sign in,
// and which of their tokens each request carries.

import { buildSeedData, SEED_PASSWORD } from '../prisma/seed.ts';

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
