// The stack's default answer, stock: graphql-yoga with its response-cache
// plugin on envelop's Redis cache (@envelop/response-cache-redis), over the
// Apollo peer's SDL and plain Prisma resolvers made executable by Yoga's
// createSchema, with Yoga's defaults everywhere else, as their READMEs show.
// Cached responses are keyed per user (the bearer token's session), and a
// mutation invalidates the cached responses showing any entity (typename
// and id) its own result shows.
//
// Env: DATABASE_URL, PORT, HOST, REDIS_URL, REDIS_KEY_PREFIX; CACHE_MAX_AGE seconds.

import { createServer } from 'node:http';
import { createRedisCache } from '@envelop/response-cache-redis';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { PrismaPg } from '@prisma/adapter-pg';
import { createSchema, createYoga } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { PrismaClient } from '../../../src/generated/prisma/client.ts';
import { createContext, type PeerContext } from '../apollo/context.ts';
import { resolvers } from '../apollo/resolvers.ts';
import { typeDefs } from '../apollo/schema.ts';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env('DATABASE_URL') }) });
// The key prefix keeps this peer's entries under the bench's own namespace, so the bench can delete them.
const redis = new Redis(env('REDIS_URL'), { keyPrefix: env('REDIS_KEY_PREFIX', 'yoga:') });

// The cache's session and the resolvers' context need the same session lookup: once per request.
const contexts = new WeakMap<Request, Promise<PeerContext>>();
function contextOf(request: Request): Promise<PeerContext> {
  let context = contexts.get(request);
  if (!context) {
    context = createContext(prisma, request.headers.get('authorization') ?? undefined);
    contexts.set(request, context);
  }
  return context;
}

const yoga = createYoga({
  // The SDL's @cacheControl hints are envelop's too: maxAge sets the TTL, PRIVATE fields are never cached without a session.
  schema: createSchema<PeerContext>({ typeDefs, resolvers }),
  context: ({ request }) => contextOf(request),
  graphiql: false,
  plugins: [
    useResponseCache({
      session: async (request) => (await contextOf(request)).viewer?.userId ?? null,
      cache: createRedisCache({ redis }),
      ttl: Number(env('CACHE_MAX_AGE', '60')) * 1000,
      // extensions.responseCache.hit in every answer: how the bench counts this peer's hits.
      includeExtensionMetadata: true,
    }),
  ],
});

const server = createServer(yoga);
server.listen(Number(env('PORT', '4000')), env('HOST', '127.0.0.1'), () =>
  console.log(`yoga stock peer on ${env('PORT', '4000')}`),
);

const stop = () => {
  server.close(() => void Promise.all([prisma.$disconnect(), redis.quit()]).finally(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
