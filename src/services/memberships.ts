import { touched } from '../cache/touched.ts';
import { can } from '../auth/permissions.ts';
import { AppError, conflict, ErrorCode, forbidden, mapPrismaErrors, notFound } from '../errors.ts';
import type { Membership, Prisma, Role } from '../generated/prisma/client.ts';
import type { ServiceDeps } from './deps.ts';
import { lockOrganizationForActor, ownerCount } from './org-lock.ts';
import * as validate from './validate.ts';

const LAST_OWNER = 'An organization needs at least one owner: make another member an owner first';

/** Adding, re-roling and removing members, with the last-OWNER rule checked under the org lock. */
export function createMembershipService(deps: ServiceDeps) {
  const { prisma, invalidate } = deps;

  const touch = (m: Membership) => invalidate([touched.membership(m)]);

  /** The membership, if the actor can see it: its organization must be one the actor belongs to. */
  async function lockMembership(tx: Prisma.TransactionClient, membershipId: string, actorId: string) {
    const target = await tx.membership.findUnique({ where: { id: membershipId } });
    if (!target) throw notFound('Membership');
    // An actor outside the organization learns nothing: its NOT_FOUND names the membership, not the organization.
    const { role } = await lockOrganizationForActor(tx, target.organizationId, actorId).catch((error: unknown) => {
      throw error instanceof AppError && error.extensions['code'] === ErrorCode.NOT_FOUND ? notFound('Membership') : error;
    });
    // Re-read under the lock: the row may have changed or gone while we waited.
    const current = await tx.membership.findUnique({ where: { id: membershipId } });
    if (!current) throw notFound('Membership');
    return { target: current, actorRole: role };
  }

  return {
    /** OWNER and ADMIN add members by email; only an OWNER adds another OWNER. */
    async add(input: { organizationId: string; email: string; role?: Role | null }): Promise<Membership> {
      const viewer = deps.viewer.require();
      const email = validate.email(input.email);
      const role = input.role ?? 'MEMBER';
      const membership = await prisma.$transaction(async (tx) => {
        const { organization, role: actorRole } = await lockOrganizationForActor(tx, input.organizationId, viewer.userId);
        if (!can.manageMembers(actorRole)) throw forbidden('Only owners and admins can add members');
        if (role === 'OWNER' && !can.grantOrRevokeOwner(actorRole)) throw forbidden('Only owners can add owners');
        const user = await tx.user.findUnique({ where: { email }, select: { id: true } });
        if (!user) throw notFound('User');
        return mapPrismaErrors(() => tx.membership.create({ data: { userId: user.id, organizationId: organization.id, role } }), {
          conflict: 'This user is already a member',
          conflictField: 'email',
        });
      });
      await touch(membership);
      return membership;
    },

    /** OWNER and ADMIN change roles; granting or revoking OWNER takes an OWNER; the last OWNER stays one. */
    async changeRole(input: { membershipId: string; role: Role }): Promise<Membership> {
      const viewer = deps.viewer.require();
      const membership = await prisma.$transaction(async (tx) => {
        const { target, actorRole } = await lockMembership(tx, input.membershipId, viewer.userId);
        if (!can.manageMembers(actorRole)) throw forbidden('Only owners and admins can change roles');
        const touchesOwner = target.role === 'OWNER' || input.role === 'OWNER';
        if (touchesOwner && !can.grantOrRevokeOwner(actorRole)) throw forbidden('Only owners can grant or revoke the owner role');
        if (target.role === 'OWNER' && input.role !== 'OWNER' && (await ownerCount(tx, target.organizationId)) === 1) {
          throw conflict(LAST_OWNER);
        }
        return tx.membership.update({ where: { id: target.id }, data: { role: input.role } });
      });
      await touch(membership);
      return membership;
    },

    /** Anyone may leave; removing someone else takes OWNER or ADMIN (OWNER to remove an OWNER); the last OWNER stays. */
    async remove(input: { membershipId: string }): Promise<Membership> {
      const viewer = deps.viewer.require();
      const membership = await prisma.$transaction(async (tx) => {
        const { target, actorRole } = await lockMembership(tx, input.membershipId, viewer.userId);
        const leaving = target.userId === viewer.userId;
        if (!leaving && !can.manageMembers(actorRole)) throw forbidden('Only owners and admins can remove members');
        if (!leaving && target.role === 'OWNER' && !can.grantOrRevokeOwner(actorRole))
          throw forbidden('Only owners can remove an owner');
        if (target.role === 'OWNER' && (await ownerCount(tx, target.organizationId)) === 1) throw conflict(LAST_OWNER);
        return tx.membership.delete({ where: { id: target.id } });
      });
      await touch(membership);
      return membership;
    },
  };
}
