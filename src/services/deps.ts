import type { RequestViewer } from '../auth/viewer.ts';
import type { Invalidate } from '../cache/invalidate.ts';
import type { Env } from '../env.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Loaders } from '../loaders/index.ts';

/** What every service gets: built per request, so the viewer and loaders are this request's. */
export interface ServiceDeps {
  prisma: PrismaClient;
  loaders: Loaders;
  invalidate: Invalidate;
  viewer: RequestViewer;
  env: Pick<Env, 'SESSION_TTL_DAYS'>;
}
