import { builder, perViewerLimit } from './builder.ts';
import { globalId, parseGlobalId } from './global-id.ts';
import { FeatureFlagRef, OrganizationRef } from './refs.ts';

// A per-organization switch; any member reads it, OWNER and ADMIN write it.
builder.prismaObjectFields(FeatureFlagRef, (t) => ({
  key: t.exposeString('key'),
  enabled: t.exposeBoolean('enabled'),
  organization: t.field({
    type: OrganizationRef,
    resolve: async (flag, _args, ctx) => {
      const org = await ctx.loaders.organizationById.load(flag.organizationId);
      if (!org) throw new Error(`flag ${flag.id} has no organization`);
      return org;
    },
  }),
}));

const SetFeatureFlagInput = builder.inputType('SetFeatureFlagInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    key: t.string({
      required: true,
      description: 'Lowercase letters, digits, hyphens, underscores and dots, starting with a letter',
    }),
    enabled: t.boolean({ required: true }),
  }),
});

const DeleteFeatureFlagInput = builder.inputType('DeleteFeatureFlagInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    key: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  setFeatureFlag: t.field({
    directives: perViewerLimit,
    type: FeatureFlagRef,
    description: 'Creates the flag or updates it; OWNER or ADMIN',
    args: { input: t.arg({ type: SetFeatureFlagInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.featureFlags.set({
        organizationId: parseGlobalId(String(input.organizationId), 'Organization', 'organizationId'),
        key: input.key,
        enabled: input.enabled,
      }),
  }),
  deleteFeatureFlag: t.id({
    directives: perViewerLimit,
    description: "OWNER or ADMIN; answers the deleted flag's ID",
    args: { input: t.arg({ type: DeleteFeatureFlagInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const organizationId = parseGlobalId(String(input.organizationId), 'Organization', 'organizationId');
      return globalId('FeatureFlag', (await ctx.services.featureFlags.delete({ organizationId, key: input.key })).id);
    },
  }),
}));
