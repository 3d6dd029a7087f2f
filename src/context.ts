import { createAccess, type Access } from './auth/access.ts';
import { RequestViewer, resolveViewer } from './auth/viewer.ts';
import type { EntityCache } from './cache/entity-cache.ts';
import { createInvalidator } from './cache/invalidate.ts';
import type { Env } from './env.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { createLoaders, type Loaders } from './loaders/index.ts';
import type { Kinds } from './loaders/kinds.ts';
import type { Logger } from './logger.ts';
import { createServices, type Services } from './services/index.ts';

/** Long-lived dependencies of the app, built once per process (or per test instance). */
export interface AppDeps {
  env: Env;
  logger: Logger;
  prisma: PrismaClient;
  /** The shared entity cache over the instance's store (Redis, or in-process). */
  cache: EntityCache;
}

/** What every resolver sees: this request's viewer, loaders, read access and services. */
export interface Context {
  viewer: RequestViewer;
  loaders: Loaders;
  access: Access;
  services: Services;
  logger: Logger;
}

/** Builds the per-request context; nothing in it outlives the request. */
export async function createContext(deps: AppDeps, kinds: Kinds, request: Request): Promise<Context> {
  const loaders = createLoaders(deps.cache, kinds);
  const viewer = new RequestViewer(await resolveViewer(request.headers.get('authorization'), loaders));
  const invalidate = createInvalidator({ cache: deps.cache, loaders });
  return {
    viewer,
    loaders,
    access: createAccess(loaders, viewer),
    services: createServices({ prisma: deps.prisma, loaders, invalidate, viewer, env: deps.env }),
    logger: deps.logger,
  };
}
