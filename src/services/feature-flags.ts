import { touched } from '../cache/touched.ts';
import { can } from '../auth/permissions.ts';
import { forbidden, mapPrismaErrors } from '../errors.ts';
import type { FeatureFlag, Prisma } from '../generated/prisma/client.ts';
import type { ServiceDeps } from './deps.ts';
import { lockOrganizationForActor } from './org-lock.ts';
import * as validate from './validate.ts';

/** Writing an organization's feature flags: OWNER and ADMIN only. */
export function createFeatureFlagService(deps: ServiceDeps) {
  const { prisma, invalidate } = deps;

  /** Runs one flag write under the org lock after the permission check, then invalidates what it wrote. */
  async function writeFlag(
    input: { organizationId: string; key: string },
    write: (tx: Prisma.TransactionClient, where: { organizationId: string; key: string }) => Promise<FeatureFlag>,
  ): Promise<FeatureFlag> {
    const viewer = deps.viewer.require();
    const key = validate.flagKey(input.key);
    const flag = await prisma.$transaction(async (tx) => {
      const { organization, role } = await lockOrganizationForActor(tx, input.organizationId, viewer.userId);
      if (!can.writeFeatureFlags(role)) throw forbidden('Only owners and admins can change feature flags');
      return write(tx, { organizationId: organization.id, key });
    });
    await invalidate([touched.featureFlag(flag)]);
    return flag;
  }

  return {
    /** Creates the flag or updates it: one upsert, so two concurrent sets never collide. */
    set: (input: { organizationId: string; key: string; enabled: boolean }) =>
      writeFlag(input, (tx, where) =>
        mapPrismaErrors(
          () =>
            tx.featureFlag.upsert({
              where: { organizationId_key: where },
              create: { ...where, enabled: input.enabled },
              update: { enabled: input.enabled },
            }),
          { conflict: 'This flag already exists', conflictField: 'key' },
        ),
      ),

    delete: (input: { organizationId: string; key: string }) =>
      writeFlag(input, (tx, where) =>
        mapPrismaErrors(() => tx.featureFlag.delete({ where: { organizationId_key: where } }), { notFound: 'Feature flag' }),
      ),
  };
}
