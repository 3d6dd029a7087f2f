import type { RequestViewer } from '../auth/viewer.ts';
import type { Invalidate } from '../cache/invalidate.ts';
import type { Env } from '../env.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

/** What every service gets: built per request, so the viewer and the invalidation are this request's. */
export interface ServiceDeps {
  prisma: PrismaClient;
  invalidate: Invalidate;
  viewer: RequestViewer;
  env: Pick<Env, 'SESSION_TTL_DAYS'>;
}
