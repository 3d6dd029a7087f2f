// The peer's per-request context, as Apollo's authentication docs show it:
// the bearer token is looked up on every request (tokens are stored as their
// SHA-256, in the same Session table tenant-graph uses), and the viewer's
// memberships are read at most once per request when a resolver asks.

import { createHash } from 'node:crypto';
import type { Membership, PrismaClient } from '../../../src/generated/prisma/client.ts';

export interface Viewer {
  userId: string;
  sessionId: string;
}

export interface PeerContext {
  prisma: PrismaClient;
  viewer: Viewer | null;
  /** The viewer's memberships (memoised for the request); empty when signed out. */
  viewerMemberships(): Promise<Membership[]>;
}

export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createContext(prisma: PrismaClient, authorization: string | undefined): Promise<PeerContext> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  let viewer: Viewer | null = null;
  if (token) {
    const session = await prisma.session.findUnique({ where: { tokenHash: sha256(token) } });
    if (session && session.expiresAt > new Date()) viewer = { userId: session.userId, sessionId: session.id };
  }
  let memberships: Promise<Membership[]> | undefined;
  return {
    prisma,
    viewer,
    viewerMemberships() {
      if (!viewer) return Promise.resolve([]);
      memberships ??= prisma.membership.findMany({ where: { userId: viewer.userId } });
      return memberships;
    },
  };
}
