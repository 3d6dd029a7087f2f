// The peer a team would pick instead: Apollo Server 5 on its standalone
// node:http server, plain Prisma resolvers on the same database, and (with
// RESPONSE_CACHE=true) Apollo's response cache plugin on a Redis-backed Keyv
// store, set up as the KeyvAdapter and caching docs show.
//
// Env: DATABASE_URL, PORT, HOST; RESPONSE_CACHE (true|false), REDIS_URL and
// REDIS_KEY_PREFIX (the Keyv namespace) for the cache; CACHE_MAX_AGE seconds.

import { ApolloServer } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { startStandaloneServer } from '@apollo/server/standalone';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import { createKeyv } from '@keyv/redis';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../../src/generated/prisma/client.ts';
import { createContext, type PeerContext } from './context.ts';
import { resolvers } from './resolvers.ts';
import { typeDefs } from './schema.ts';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env('DATABASE_URL') }) });
const responseCache = env('RESPONSE_CACHE', 'false') === 'true';

// Keyv's namespace becomes the key prefix, so the bench can clean up after itself.
const keyv = responseCache
  ? createKeyv(env('REDIS_URL'), { namespace: env('REDIS_KEY_PREFIX', 'apollo:').replace(/:$/, '') })
  : undefined;

const server = new ApolloServer<PeerContext>({
  typeDefs,
  resolvers,
  ...(keyv
    ? {
        // The cast only bridges keyv's CJS and ESM type declarations (the adapter is CJS); it is one Keyv at runtime.
        cache: new KeyvAdapter<string>(keyv as unknown as ConstructorParameters<typeof KeyvAdapter<string>>[0]),
        plugins: [
          responseCachePlugin<PeerContext>({
            // Per-viewer entries for PRIVATE responses, keyed by the credentials the client sent.
            sessionId: async ({ request }) => request.http?.headers.get('authorization') ?? null,
          }),
        ],
      }
    : {}),
});

const { url } = await startStandaloneServer(server, {
  listen: { port: Number(env('PORT', '4000')), host: env('HOST', '127.0.0.1') },
  context: ({ req }) => createContext(prisma, req.headers.authorization),
});
console.log(`apollo peer at ${url} (response cache ${responseCache ? 'on' : 'off'})`);

const stop = async () => {
  await server.stop();
  await prisma.$disconnect();
  await keyv?.disconnect();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
