import { can } from '../../../src/auth/permissions.ts';
import type { Role } from '../gql/graphql.ts';

// The server's own rules (src/auth/permissions.ts), so the controls shown are exactly the ones that succeed.

/** Whether the viewer's role lets them turn flags on and off. */
export function mayToggleFlags(viewerRole: Role | null): boolean {
  return can.writeFeatureFlags(viewerRole);
}

const ROLES: readonly Role[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'];

/**
 * The roles the viewer may give a member who holds `memberRole` now; empty when they may not change
 * it at all (then no control is shown). Granting or revoking OWNER takes an OWNER.
 */
export function assignableRoles(viewerRole: Role | null, memberRole: Role): readonly Role[] {
  if (!can.manageMembers(viewerRole)) return [];
  if (can.grantOrRevokeOwner(viewerRole)) return ROLES;
  return memberRole === 'OWNER' ? [] : ROLES.filter((role) => role !== 'OWNER');
}
