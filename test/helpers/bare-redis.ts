import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type ServerProcess, startServerProcess } from '../../bench/process.ts';

/** The bench's hit ceiling (bench/peers/bare-redis.ts) replaying `answer`, on the Redis `redisEnv` names. */
export async function startBareRedis(
  answer: Buffer,
  redisEnv: { REDIS_KEY_PREFIX: string } & ({ REDIS_URL: string } | { REDIS_CLUSTER_NODES: string }),
): Promise<{ server: ServerProcess; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'bare-redis-'));
  const file = join(dir, 'answer.json');
  await writeFile(file, answer);
  const port = await freePort();
  const server = await startServerProcess({
    entry: 'bench/peers/bare-redis.ts',
    port,
    env: { PORT: String(port), HOST: '127.0.0.1', BARE_RESPONSE_FILE: file, ...redisEnv },
  });
  return {
    server,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** POST /graphql with any body: the ceiling answers every request alike. */
export const postTo = (server: ServerProcess) =>
  fetch(`${server.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ x }"}',
  });
