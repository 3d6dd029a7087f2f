// Who the chaos load acts as: a few signed-in viewers, all members of one
// organization of their own (the first its OWNER, who flips its flag), and
// spare sessions never used before, for reads that cannot be cached yet.
// Written straight into the database, so the same cast works on the bench's
// seeded clone and on a test's empty one.

import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { hashPassword } from '../../src/auth/password.ts';
import { hashToken, newSessionToken } from '../../src/auth/tokens.ts';
import { PrismaClient, type User } from '../../src/generated/prisma/client.ts';
import { globalId } from '../../src/schema/global-id.ts';

/** One signed-in viewer. */
export interface Viewer {
  /** Global id, as answers show it. */
  id: string;
  token: string;
  /** The name it was created with. */
  name: string;
}

export interface Cast {
  viewers: Viewer[];
  /** The organization every viewer belongs to: global id and slug. */
  orgId: string;
  orgSlug: string;
  /** The flag the writes flip, created disabled. */
  flagKey: string;
  /** Sessions no request has used yet, one per uncached read: their lookup must reach Postgres. */
  coldTokens: string[];
}

/** The flag the chaos writes flip. */
export const CHAOS_FLAG = 'chaos-switch';

/** Creates the cast in the database at `databaseUrl`: `viewers` users (two at least), their organization, `coldSessions` spare sessions. */
export async function createCast(databaseUrl: string, options: { viewers: number; coldSessions: number }): Promise<Cast> {
  if (options.viewers < 2) throw new Error('the cast needs two viewers at least');
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  try {
    const run = randomBytes(4).toString('hex');
    // One scrypt for all: the cast never signs in with its password.
    const passwordHash = await hashPassword(randomBytes(12).toString('hex'));
    const users: User[] = [];
    for (let i = 0; i < options.viewers; i++) {
      users.push(
        await prisma.user.create({
          data: { email: `chaos-${run}-${i}@chaos.example`, name: `Chaos ${i} v0`, passwordHash },
        }),
      );
    }
    const slug = `chaos-${run}`;
    const org = await prisma.organization.create({
      data: {
        name: `Chaos ${run}`,
        slug,
        memberships: { create: users.map((u, i) => ({ userId: u.id, role: i === 0 ? 'OWNER' : 'MEMBER' })) },
        featureFlags: {
          create: [
            { key: CHAOS_FLAG, enabled: false },
            { key: 'steady', enabled: true },
          ],
        },
      },
    });
    const expiresAt = new Date(Date.now() + 86_400_000);
    const session = async (userId: string) => {
      const token = newSessionToken(userId);
      await prisma.session.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
      return token;
    };
    const viewers: Viewer[] = [];
    for (const user of users) viewers.push({ id: globalId('User', user.id), token: await session(user.id), name: user.name });
    const cold = Array.from({ length: options.coldSessions }, (_, i) => {
      const userId = users[i % users.length]!.id;
      return { userId, token: newSessionToken(userId) };
    });
    await prisma.session.createMany({ data: cold.map((c) => ({ tokenHash: hashToken(c.token), userId: c.userId, expiresAt })) });
    const coldTokens = cold.map((c) => c.token);
    return { viewers, orgId: globalId('Organization', org.id), orgSlug: slug, flagKey: CHAOS_FLAG, coldTokens };
  } finally {
    await prisma.$disconnect();
  }
}
