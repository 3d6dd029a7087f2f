import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/auth/password.ts';
import { hashToken, newSessionToken } from '../../src/auth/tokens.ts';
import type { Organization, PrismaClient, Role, User } from '../../src/generated/prisma/client.ts';
import { globalId } from '../../src/schema/global-id.ts';

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

/** Every role, highest first. */
export const ROLES = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'] as const satisfies readonly Role[];

/** A signed-in user, as makeSignedInUser answers. */
export type SignedInUser = Awaited<ReturnType<typeof makeSignedInUser>>;

/**
 * The suite's one team: an organization with one signed-in member per role
 * (`owners` OWNERs in all), optional flags, and a signed-in outsider, with
 * lookups from a role to its membership. Pass `roles` for a smaller team.
 */
export async function makeTeam(
  prisma: PrismaClient,
  options: {
    roles?: readonly Role[];
    owners?: number;
    flags?: Record<string, boolean>;
    names?: Partial<Record<Role, string>>;
  } = {},
) {
  const roles = options.roles ?? ROLES;
  const users = {} as Record<Role, SignedInUser>;
  for (const role of roles) {
    const name = options.names?.[role];
    users[role] = await makeSignedInUser(prisma, name ? { name } : {});
  }
  const extraOwners: SignedInUser[] = [];
  for (let i = 1; i < (options.owners ?? 1); i++) extraOwners.push(await makeSignedInUser(prisma));
  const outsider = await makeSignedInUser(prisma);
  const org = await makeOrg(
    prisma,
    [
      ...roles.map((role) => ({ user: users[role].user, role })),
      ...extraOwners.map((o) => ({ user: o.user, role: 'OWNER' as const })),
    ],
    { flags: options.flags ?? {} },
  );
  const memberships = await prisma.membership.findMany({ where: { organizationId: org.id } });
  const flags = await prisma.featureFlag.findMany({ where: { organizationId: org.id }, orderBy: { key: 'asc' } });
  const rowOf = (userId: string) => {
    const row = memberships.find((m) => m.userId === userId);
    if (!row) throw new Error('no such membership');
    return row;
  };
  return {
    org,
    orgId: globalId('Organization', org.id),
    users,
    extraOwners,
    outsider,
    flags,
    /** The membership row of the member with this role. */
    membershipOf: (role: Role) => rowOf(users[role].user.id),
    /** The database id of the membership of the member with this role. */
    rowId: (role: Role) => rowOf(users[role].user.id).id,
    /** The global id of the membership of the member with this role. */
    membershipId: (role: Role) => globalId('Membership', rowOf(users[role].user.id).id),
    ownerTwoId: () => globalId('Membership', rowOf((extraOwners[0] as SignedInUser).user.id).id),
  };
}

/** A team, as makeTeam builds it. */
export type Team = Awaited<ReturnType<typeof makeTeam>>;

/** A signed-in OWNER alone in a fresh org, with the org's global id. */
export async function makeOwnedOrg(prisma: PrismaClient, flags?: Record<string, boolean>) {
  const owner = await makeSignedInUser(prisma);
  const org = await makeOrg(prisma, [{ user: owner.user, role: 'OWNER' }], { flags });
  return { owner, org, orgId: globalId('Organization', org.id), token: owner.token };
}

/** A fresh org with a signed-in OWNER and a signed-in MEMBER, and the flag `beta` on. */
export async function makeOwnerAndMember(prisma: PrismaClient) {
  const owner = await makeSignedInUser(prisma);
  const reader = await makeSignedInUser(prisma);
  const org = await makeOrg(
    prisma,
    [
      { user: owner.user, role: 'OWNER' },
      { user: reader.user, role: 'MEMBER' },
    ],
    { flags: { beta: true } },
  );
  return { owner, reader, org };
}
