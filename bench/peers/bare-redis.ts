// The ceiling of a server that makes one Redis round trip per request: the
// bare server (bare.ts), except that each answer is first fetched with one
// GET through ioredis (its defaults, the bench's key prefix) and the bytes
// Redis returns are what it writes. A cache hit that must ask Redis anything
// at all (a session, a budget, the answer) cannot be faster on this machine,
// so `× bare` of this row is the bound of every hit row's `× bare`.
//
// Env: PORT, HOST, BARE_RESPONSE_FILE (the response body to replay), REDIS_URL, REDIS_KEY_PREFIX.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';

const file = process.env['BARE_RESPONSE_FILE'];
const url = process.env['REDIS_URL'];
if (!file || !url) throw new Error('BARE_RESPONSE_FILE and REDIS_URL are required');
const redis = new Redis(url, { keyPrefix: process.env['REDIS_KEY_PREFIX'] ?? 'bench:bare-redis:' });
const KEY = 'answer';
await redis.set(KEY, readFileSync(file));

const server = createServer((request, response) => {
  request.on('data', () => {});
  request.on('end', () => {
    redis.getBuffer(KEY).then(
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
