import { sessionRef } from '../auth/tokens.ts';
import { touched, type Touched } from '../cache/touched.ts';
import { conflict, mapPrismaErrors } from '../errors.ts';
import type { User } from '../generated/prisma/client.ts';
import type { ServiceDeps } from './deps.ts';
import * as validate from './validate.ts';

/** Writes to the viewer's own account. */
export function createUserService(deps: ServiceDeps) {
  const { prisma, invalidate } = deps;

  return {
    /** name: absent keeps it; avatarUrl: absent keeps it, null clears it. */
    async updateProfile(input: { name?: string | null; avatarUrl?: string | null }): Promise<User> {
      const viewer = deps.viewer.require();
      const data: { name?: string; avatarUrl?: string | null } = {};
      if (input.name !== undefined && input.name !== null) data.name = validate.displayName(input.name);
      if (input.avatarUrl !== undefined) data.avatarUrl = input.avatarUrl === null ? null : validate.avatarUrl(input.avatarUrl);
      // Only a vanished row is NOT_FOUND; a database failure stays a (masked) failure.
      const user = await mapPrismaErrors(() => prisma.user.update({ where: { id: viewer.userId }, data }), { notFound: 'User' });
      await invalidate([touched.user(user)]);
      return user;
    },

    /**
     * Deletes the account with its sessions and memberships. Organizations the
     * viewer is alone in go too; one where the viewer is the last OWNER beside
     * other members is refused, since deleting would orphan it.
     */
    async deleteAccount(): Promise<User> {
      const viewer = deps.viewer.require();
      const written: Touched[] = [];
      const user = await prisma.$transaction(async (tx) => {
        const owned = await tx.membership.findMany({
          where: { userId: viewer.userId, role: 'OWNER' },
          include: { organization: true },
        });
        for (const { organization } of owned) {
          // Lock each owned org, then count: nobody may leave or be demoted under us.
          await tx.$queryRaw`SELECT id FROM "Organization" WHERE id = ${organization.id} FOR UPDATE`;
          const [owners, members] = await Promise.all([
            tx.membership.count({ where: { organizationId: organization.id, role: 'OWNER' } }),
            tx.membership.count({ where: { organizationId: organization.id } }),
          ]);
          if (members === 1) {
            await tx.organization.delete({ where: { id: organization.id } });
            written.push(touched.organization(organization));
          } else if (owners === 1) {
            throw conflict(`You are the last owner of "${organization.slug}": make another member an owner or delete it first`);
          }
        }
        const [memberships, sessions] = await Promise.all([
          tx.membership.findMany({ where: { userId: viewer.userId } }),
          tx.session.findMany({ where: { userId: viewer.userId }, select: { tokenHash: true } }),
        ]);
        for (const m of memberships) written.push(touched.membership(m));
        // Both references a session may be cached under: with the user id in its token, and without (older tokens).
        for (const s of sessions)
          written.push(touched.session(sessionRef(viewer.userId, s.tokenHash)), touched.session(sessionRef('', s.tokenHash)));
        return tx.user.delete({ where: { id: viewer.userId } });
      });
      written.push(touched.user(user));
      await invalidate(written);
      return user;
    },
  };
}
