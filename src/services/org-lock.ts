import { notFound } from '../errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Organization, Role } from '../generated/prisma/client.ts';

/**
 * Locks the organization row for the rest of the transaction and returns it
 * with the actor's role. Every membership and organization write takes this
 * lock first, so two owners demoting each other at once cannot both pass the
 * last-OWNER check. Not a member reads as NOT_FOUND: outsiders never learn
 * that an organization exists.
 */
export async function lockOrganizationForActor(
  tx: Prisma.TransactionClient,
  organizationId: string,
  actorId: string,
): Promise<{ organization: Organization; role: Role }> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Organization" WHERE id = ${organizationId} FOR UPDATE`;
  const membership =
    locked.length === 0
      ? null
      : await tx.membership.findUnique({
          where: { userId_organizationId: { userId: actorId, organizationId } },
          include: { organization: true },
        });
  if (!membership) throw notFound('Organization');
  return { organization: membership.organization, role: membership.role };
}

/** How many OWNERs the (locked) organization has. */
export function ownerCount(tx: Prisma.TransactionClient, organizationId: string): Promise<number> {
  return tx.membership.count({ where: { organizationId, role: 'OWNER' } });
}
