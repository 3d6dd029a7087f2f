// The ceiling of a server that makes one Redis round trip per request: the
// bare server (bare.ts), except that each answer is first fetched with one
// GET through ioredis (its defaults, the bench's key prefix) and the bytes
// Redis returns are what it writes. A cache hit that must ask Redis anything
// at all (a session, a budget, the answer) cannot be faster on this machine,
// so `× bare` of this row is the bound of every hit row's `× bare`.
//
// The answer is stored under 500 keys, one per viewer hash tag, and each
// request reads the next: on a Redis Cluster (REDIS_CLUSTER_NODES, with
// `--redis=cluster|both`) the reads then spread over the masters as the many
// viewers' hits do, so its cluster/single ratio bounds theirs.
//
// Env: PORT, HOST, BARE_RESPONSE_FILE (the response body to replay), REDIS_URL or REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Cluster, Redis } from 'ioredis';
import { parseClusterNodes } from '../../src/env.ts';

const file = process.env['BARE_RESPONSE_FILE'];
const url = process.env['REDIS_URL'];
const seeds = parseClusterNodes(process.env['REDIS_CLUSTER_NODES'] ?? '');
if (!file || (!url && seeds.length === 0))
  throw new Error('BARE_RESPONSE_FILE and REDIS_URL or REDIS_CLUSTER_NODES are required');
const keyPrefix = process.env['REDIS_KEY_PREFIX'] ?? 'bench:bare-redis:';
const redis = seeds.length > 0 ? new Cluster([...seeds], { keyPrefix }) : new Redis(url ?? '', { keyPrefix });

/** As many keys as the many-users workload has viewers, each in its viewer's slot as tenant-graph lays them out. */
const KEYS = Array.from({ length: 500 }, (_, i) => `{v:${i}}:answer`);
const answer = readFileSync(file);
for (const key of KEYS) await redis.set(key, answer);

let next = 0;
const server = createServer((request, response) => {
  request.on('data', () => {});
  request.on('end', () => {
    const key = KEYS[next++ % KEYS.length] ?? '';
    redis.getBuffer(key).then(
      (body) => {
        if (!body) throw new Error('the stored answer is gone');
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
        response.end(body);
      },
      (error: Error) => {
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end(error.message);
      },
    );
  });
});
server.listen(Number(process.env['PORT'] ?? 4000), process.env['HOST'] ?? '127.0.0.1');

const stop = () => {
  server.close(() => {
    redis.disconnect();
    process.exit(0);
  });
  server.closeIdleConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
