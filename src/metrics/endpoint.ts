import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Serves a scrape to a bearer of `token` only, answering 401 to anyone else:
 * the counters show traffic and cache behaviour an outsider has no need to see.
 */
export function metricsEndpoint(registry: Registry, token: string) {
  const expected = digest(`Bearer ${token}`);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const sent = req.headers.authorization;
    // Compared as digests, in constant time, so the answer's timing says nothing about the token.
    if (sent === undefined || !timingSafeEqual(digest(sent), expected)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Content-Type': 'text/plain' });
      res.end('unauthorized\n');
      return;
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('metrics unavailable\n');
    }
  };
}
