import { createAccess, type Access } from './auth/access.ts';
import { RequestViewer, resolveViewer } from './auth/viewer.ts';
import type { EntityCache } from './cache/entity-cache.ts';
import { createInvalidator } from './cache/invalidate.ts';
import type { ResponseCache } from './cache/response-cache.ts';
import type { BatchReads } from './db/batch-reads.ts';
import type { Env } from './env.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { createLoaders, type Loaders } from './loaders/index.ts';
import { logUnexpected, scopeOfRequest } from './request-scope.ts';
import type { Kinds } from './loaders/kinds.ts';
import type { Logger } from './logger.ts';
import type { FieldLimits } from './rate-limit/directive.ts';
import { createFieldLimits } from './rate-limit/field-limits.ts';
import { clientIp, type ServerContext } from './rate-limit/identity.ts';
import type { RateLimiter } from './rate-limit/limiter.ts';
import type { SafeStore } from './store/fail-soft.ts';
import type { RateLimitConfig } from './rate-limit/policies.ts';
import { createServices, type Services } from './services/index.ts';

/** Long-lived dependencies of the app, built once per process (or per test instance). */
export interface AppDeps {
  env: Env;
  logger: Logger;
  prisma: PrismaClient;
  /** The loaders' batch reads (db/index.ts picks them for the database). */
  reads: BatchReads;
  /** The shared entity cache over the instance's store (Redis, or in-process). */
  cache: EntityCache;
  /** Whole responses per viewer; null when RESPONSE_CACHE is off. */
  responseCache: ResponseCache | null;
  /** Rate limits in the shared store (Redis, or in-process). */
  limiter: RateLimiter;
  /** The store under both caches: /ready pings it when it is Redis, /metrics reads its failures. */
  store?: SafeStore | undefined;
  /** The clock sessions expire against, in ms; tests move it instead of sleeping. @default Date.now */
  now?: () => number;
}

/** What every resolver sees: this request's viewer, loaders, read access and services. */
export interface Context {
  viewer: RequestViewer;
  loaders: Loaders;
  access: Access;
  services: Services;
  /** Counts calls of @rateLimit fields for this request's client. */
  rateLimits: FieldLimits;
}

/** The part of a request's context the response cache needs before execution: who is asking. */
export interface RequestState {
  loaders: Loaders;
  viewer: RequestViewer;
}

const states = new WeakMap<Request, Promise<RequestState>>();

/**
 * The request's loaders and viewer, resolved once per request: the response
 * cache validates the token with them before a lookup (so hits are checked
 * too), and the context reuses them.
 */
export function requestState(deps: AppDeps, kinds: Kinds, request: Request): Promise<RequestState> {
  let state = states.get(request);
  if (!state) {
    state = (async () => {
      const loaders = createLoaders(deps.cache, kinds);
      try {
        const viewer = new RequestViewer(
          await resolveViewer(request.headers.get('authorization'), loaders, (deps.now ?? Date.now)()),
        );
        return { loaders, viewer };
      } catch (error) {
        // Before execution, so no execution hook sees it: logged here, with its request.
        logUnexpected(deps.logger, error, scopeOfRequest(request));
        throw error;
      }
    })();
    states.set(request, state);
  }
  return state;
}

/** Builds the per-request context; nothing in it outlives the request. */
export async function createContext(
  deps: AppDeps,
  kinds: Kinds,
  limits: RateLimitConfig,
  request: Request,
  server: ServerContext,
): Promise<Context> {
  const { loaders, viewer } = await requestState(deps, kinds, request);
  const invalidate = createInvalidator({ cache: deps.cache, responseCache: deps.responseCache, loaders });
  return {
    viewer,
    loaders,
    access: createAccess(loaders, viewer),
    services: createServices({ prisma: deps.prisma, invalidate, viewer, env: deps.env }),
    rateLimits: createFieldLimits({
      limiter: deps.limiter,
      config: limits,
      viewerId: () => viewer.userId,
      ip: clientIp(request, server, limits.trustProxy),
    }),
  };
}
