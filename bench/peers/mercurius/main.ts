// The Mercurius peer: Fastify 5 with Mercurius (graphql-jit compiles each
// query after its first run), the Apollo peer's SDL, Prisma behind
// Mercurius loaders, and (with CACHE=true) mercurius-cache on Redis with
// reference invalidation, set up as their READMEs show.
//
// Env: DATABASE_URL, PORT, HOST; CACHE (true|false), REDIS_URL and
// REDIS_KEY_PREFIX for the cache; CACHE_MAX_AGE seconds.

import { PrismaPg } from '@prisma/adapter-pg';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import mercurius from 'mercurius';
import mercuriusCache, { type MercuriusCacheOptions } from 'mercurius-cache';
import { PrismaClient } from '../../../src/generated/prisma/client.ts';
import { createContext, type PeerContext } from '../apollo/context.ts';
import { typeDefs } from '../apollo/schema.ts';
import { policy } from './cache.ts';
import { loaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';

declare module 'mercurius' {
  interface MercuriusContext extends PeerContext {}
}

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env('DATABASE_URL') }) });
const cache = env('CACHE', 'false') === 'true';
// The key prefix keeps this peer's entries under the bench's own namespace, so the bench can delete them.
const redis = cache ? new Redis(env('REDIS_URL'), { keyPrefix: env('REDIS_KEY_PREFIX', 'mercurius:') }) : undefined;

const app = Fastify();
await app.register(mercurius, {
  // The Apollo peer's SDL: its @cacheControl hints are inert here.
  schema: typeDefs,
  resolvers,
  loaders,
  jit: 1,
  context: (request) => createContext(prisma, request.headers.authorization),
});
if (redis) {
  const options: MercuriusCacheOptions = {
    ttl: Number(env('CACHE_MAX_AGE', '60')),
    storage: { type: 'redis', options: { client: redis, invalidation: true } },
    policy,
  };
  // A CommonJS package's default import is its module.exports under NodeNext; fastify-plugin sets `.default` on it to itself.
  await app.register(mercuriusCache.default, options);
}

await app.listen({ port: Number(env('PORT', '4000')), host: env('HOST', '127.0.0.1') });
console.log(`mercurius peer on ${env('PORT', '4000')} (cache ${cache ? 'on' : 'off'})`);

const stop = async () => {
  await app.close();
  await prisma.$disconnect();
  redis?.disconnect();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
