import type { Membership, Organization, Role } from '../generated/prisma/client.ts';
import type { Loaders } from '../loaders/index.ts';
import type { RequestViewer } from './viewer.ts';
import { can } from './permissions.ts';

/**
 * Read-side authorization for one request: what this viewer may see. Every
 * answer is derived from the viewer's own memberships (one batched load), so
 * checks cost no extra query per field.
 */
export function createAccess(loaders: Loaders, viewer: RequestViewer) {
  // Users this request met through a membership the viewer may see, by viewer: they share that organization.
  const coMembersByViewer = new Map<string, Set<string>>();

  async function viewerMemberships(): Promise<Membership[]> {
    const viewerId = viewer.userId;
    return viewerId ? loaders.membershipsByUserId.load(viewerId) : [];
  }

  async function roleIn(organizationId: string): Promise<Role | null> {
    const memberships = await viewerMemberships();
    return memberships.find((m) => m.organizationId === organizationId)?.role ?? null;
  }

  return {
    roleIn,

    /**
     * Starts loading the viewer's memberships, which every check reads: an
     * entry point calls it before its own load, and both leave in one store
     * call. A failure is thrown by the check that reads them.
     */
    prefetch(): void {
      viewerMemberships().catch(() => {});
    },

    /**
     * Records that a user was reached through one of their memberships that
     * the viewer may see: every such membership is in an organization the
     * viewer belongs to (members of a readable org, shared memberships, or a
     * mutation by the org's OWNER/ADMIN), so the two share it.
     */
    metThroughMembership(userId: string): void {
      const viewerId = viewer.userId;
      if (!viewerId) return;
      const known = coMembersByViewer.get(viewerId) ?? new Set<string>();
      known.add(userId);
      coMembersByViewer.set(viewerId, known);
    },

    /** The organization if the viewer may read it, else null: outsiders cannot tell "hidden" from "absent". */
    async readableOrganization(organization: Organization | null): Promise<Organization | null> {
      if (!organization) return null;
      return can.readOrganization(await roleIn(organization.id)) ? organization : null;
    },

    /**
     * A user's email and memberships are for the user and for people who share
     * an organization with them. Answered at once (no promise) when this
     * request already knows: the viewer, or a co-member met through a
     * membership, as every member on an org page is.
     */
    canSeePrivateFieldsOf(userId: string): boolean | Promise<boolean> {
      const viewerId = viewer.userId;
      if (!viewerId) return false;
      if (userId === viewerId || coMembersByViewer.get(viewerId)?.has(userId)) return true;
      return Promise.all([viewerMemberships(), loaders.membershipsByUserId.load(userId)]).then(([mine, theirs]) => {
        const myOrgs = new Set(mine.map((m) => m.organizationId));
        return theirs.some((m) => myOrgs.has(m.organizationId));
      });
    },

    /**
     * The user's memberships this viewer may see: all of them for the user,
     * only those in shared organizations for a co-member, so nobody learns of
     * an organization they are not in.
     */
    async visibleMembershipsOf(userId: string): Promise<Membership[] | null> {
      const viewerId = viewer.userId;
      if (!viewerId) return null;
      const theirs = await loaders.membershipsByUserId.load(userId);
      if (userId === viewerId) return theirs;
      const myOrgs = new Set((await viewerMemberships()).map((m) => m.organizationId));
      const shared = theirs.filter((m) => myOrgs.has(m.organizationId));
      return shared.length > 0 ? shared : null;
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
