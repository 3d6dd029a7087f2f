import { can } from '../auth/permissions.ts';
import { forbidden, mapPrismaErrors, notFound } from '../errors.ts';
import type { FeatureFlag } from '../generated/prisma/client.ts';
import type { ServiceDeps } from './deps.ts';
import { lockOrganizationForActor } from './org-lock.ts';
import * as validate from './validate.ts';

/** Writing an organization's feature flags: OWNER and ADMIN only. */
export function createFeatureFlagService(deps: ServiceDeps) {
  const { prisma, invalidate } = deps;

  const touch = (f: FeatureFlag) => invalidate([{ type: 'FeatureFlag', id: f.id, organizationId: f.organizationId }]);

  return {
    /** Creates the flag or updates it: one upsert, so two concurrent sets never collide. */
    async set(input: { organizationId: string; key: string; enabled: boolean }): Promise<FeatureFlag> {
      const viewer = deps.viewer.require();
      const key = validate.flagKey(input.key);
      const flag = await prisma.$transaction(async (tx) => {
        const { organization, role } = await lockOrganizationForActor(tx, input.organizationId, viewer.userId);
        if (!can.writeFeatureFlags(role)) throw forbidden('Only owners and admins can change feature flags');
        return mapPrismaErrors(
          () =>
            tx.featureFlag.upsert({
              where: { organizationId_key: { organizationId: organization.id, key } },
              create: { organizationId: organization.id, key, enabled: input.enabled },
              update: { enabled: input.enabled },
            }),
          { conflict: 'This flag already exists', conflictField: 'key' },
        );
      });
      await touch(flag);
      return flag;
    },

    async delete(input: { organizationId: string; key: string }): Promise<FeatureFlag> {
      const viewer = deps.viewer.require();
      const key = validate.flagKey(input.key);
      const flag = await prisma.$transaction(async (tx) => {
        const { organization, role } = await lockOrganizationForActor(tx, input.organizationId, viewer.userId);
        if (!can.writeFeatureFlags(role)) throw forbidden('Only owners and admins can change feature flags');
        return mapPrismaErrors(
          () => tx.featureFlag.delete({ where: { organizationId_key: { organizationId: organization.id, key } } }),
          { notFound: 'Feature flag' },
        );
      });
      await touch(flag);
      return flag;
    },
  };
}
