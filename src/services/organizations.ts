import { can } from '../auth/permissions.ts';
import { touched, type Touched } from '../cache/touched.ts';
import { forbidden, mapPrismaErrors } from '../errors.ts';
import type { Organization, Plan } from '../generated/prisma/client.ts';
import type { ServiceDeps } from './deps.ts';
import { lockOrganizationForActor } from './org-lock.ts';
import * as validate from './validate.ts';

/** Creating, renaming, re-planning and deleting organizations. */
export function createOrganizationService(deps: ServiceDeps) {
  const { prisma, invalidate } = deps;

  return {
    /** The creator becomes its OWNER in the same transaction, so no org is ever ownerless. */
    async create(input: { name: string; slug: string; plan?: Plan | null }): Promise<Organization> {
      const viewer = deps.viewer.require();
      const name = validate.displayName(input.name);
      const slug = validate.slug(input.slug);
      const organization = await mapPrismaErrors(
        () =>
          prisma.organization.create({
            data: { name, slug, plan: input.plan ?? 'FREE', memberships: { create: { userId: viewer.userId, role: 'OWNER' } } },
            include: { memberships: true },
          }),
        { conflict: 'This slug is already taken', conflictField: 'slug' },
      );
      const { memberships, ...org } = organization;
      await invalidate([touched.organization(org), ...memberships.map((m) => touched.membership(m))]);
      return org;
    },

    /** OWNER and ADMIN rename; only an OWNER changes the plan. */
    async update(input: { organizationId: string; name?: string | null; plan?: Plan | null }): Promise<Organization> {
      const viewer = deps.viewer.require();
      const name = input.name === undefined || input.name === null ? undefined : validate.displayName(input.name);
      const organization = await prisma.$transaction(async (tx) => {
        const { organization: current, role } = await lockOrganizationForActor(tx, input.organizationId, viewer.userId);
        // Members and viewers may not update at all, not even to the values it already has.
        if (!can.renameOrganization(role)) throw forbidden('Only owners and admins can update the organization');
        if (input.plan && input.plan !== current.plan && !can.changePlan(role))
          throw forbidden('Only owners can change the plan');
        return tx.organization.update({ where: { id: current.id }, data: { name, plan: input.plan ?? undefined } });
      });
      await invalidate([touched.organization(organization)]);
      return organization;
    },

    /** Only an OWNER deletes; members, memberships and flags go with it (cascade). */
    async delete(input: { organizationId: string }): Promise<Organization> {
      const viewer = deps.viewer.require();
      const written: Touched[] = [];
      const organization = await prisma.$transaction(async (tx) => {
        const { organization: current, role } = await lockOrganizationForActor(tx, input.organizationId, viewer.userId);
        if (!can.deleteOrganization(role)) throw forbidden('Only owners can delete the organization');
        const [memberships, flags] = await Promise.all([
          tx.membership.findMany({ where: { organizationId: current.id } }),
          tx.featureFlag.findMany({ where: { organizationId: current.id }, select: { id: true } }),
        ]);
        for (const m of memberships) written.push(touched.membership(m));
        for (const f of flags) written.push(touched.featureFlag({ id: f.id, organizationId: current.id }));
        return tx.organization.delete({ where: { id: current.id } });
      });
      written.push(touched.organization(organization));
      await invalidate(written);
      return organization;
    },
  };
}
