import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/auth/password.ts';
import { hashToken, newSessionToken } from '../../src/auth/tokens.ts';
import type { Organization, PrismaClient, Role, User } from '../../src/generated/prisma/client.ts';

/** The password of every fixture user; hashed once per file, since scrypt is slow on purpose. */
export const FIXTURE_PASSWORD = 'fixture-password-1';
let fixtureHash: Promise<string> | undefined;

/** Fresh ids per test instead of truncating tables, so tests in one file never see each other's rows. */
export const unique = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;

/** A user with a unique email, straight into the database. */
export async function makeUser(
  prisma: PrismaClient,
  data: Partial<Pick<User, 'name' | 'email' | 'avatarUrl'>> = {},
): Promise<User> {
  fixtureHash ??= hashPassword(FIXTURE_PASSWORD);
  const id = unique('user');
  return prisma.user.create({
    data: {
      email: data.email ?? `${id}@test.example`,
      name: data.name ?? id,
      avatarUrl: data.avatarUrl ?? null,
      passwordHash: await fixtureHash,
    },
  });
}

/** A session for the user, as logIn would make it; returns the raw bearer token. */
export async function signInAs(
  prisma: PrismaClient,
  user: Pick<User, 'id'>,
  expiresAt = new Date(Date.now() + 86_400_000),
): Promise<string> {
  const token = newSessionToken(user.id);
  await prisma.session.create({ data: { tokenHash: hashToken(token), userId: user.id, expiresAt } });
  return token;
}

/** An organization with the given members and roles. */
export async function makeOrg(
  prisma: PrismaClient,
  members: { user: Pick<User, 'id'>; role: Role }[],
  data: { flags?: Record<string, boolean> } = {},
): Promise<Organization> {
  const slug = unique('org');
  return prisma.organization.create({
    data: {
      name: `Org ${slug}`,
      slug,
      memberships: { create: members.map((m) => ({ userId: m.user.id, role: m.role })) },
      featureFlags: { create: Object.entries(data.flags ?? {}).map(([key, enabled]) => ({ key, enabled })) },
    },
  });
}

/** A user signed in, ready to send requests. */
export async function makeSignedInUser(prisma: PrismaClient, data: Partial<Pick<User, 'name' | 'email'>> = {}) {
  const user = await makeUser(prisma, data);
  return { user, token: await signInAs(prisma, user) };
}
