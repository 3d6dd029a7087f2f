import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What an id from a proxy may look like: enough for UUIDs and trace ids, nothing that could forge a log line. */
const FORWARDED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: the proxy's X-Request-Id when proxies are trusted
 * (TRUST_PROXY > 0), so one id follows the request across hops; otherwise a
 * fresh one, since a client could otherwise pick ids that collide with others'.
 */
export function requestIdOf(req: IncomingMessage, trustedHops: number): string {
  if (trustedHops > 0) {
    const sent = req.headers['x-request-id'];
    if (typeof sent === 'string' && FORWARDED_ID.test(sent)) return sent;
  }
  return randomUUID();
}
