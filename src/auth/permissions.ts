import type { Role } from '../generated/prisma/enums.ts';

/**
 * Who may do what in an organization, by the viewer's role there (null: not a
 * member). The one place these rules live: services and resolvers ask here.
 * Rules that depend on the organization's state (the last OWNER) live in the
 * membership service, which checks them inside its transaction.
 */
export const can = {
  /** Any member reads the organization, its members and its flags. */
  readOrganization: (role: Role | null) => role !== null,
  renameOrganization: (role: Role | null) => role === 'OWNER' || role === 'ADMIN',
  changePlan: (role: Role | null) => role === 'OWNER',
  deleteOrganization: (role: Role | null) => role === 'OWNER',
  manageMembers: (role: Role | null) => role === 'OWNER' || role === 'ADMIN',
  /** Granting OWNER, demoting or removing an OWNER. */
  grantOrRevokeOwner: (role: Role | null) => role === 'OWNER',
  writeFeatureFlags: (role: Role | null) => role === 'OWNER' || role === 'ADMIN',
} as const;

/**
 * Bump when a rule here or in access.ts changes what a viewer may see: it is
 * part of every response-cache key, so no answer the old rules produced is
 * served after the deploy that changes them.
 */
export const ACCESS_RULES_VERSION = 1;
