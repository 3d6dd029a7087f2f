import type { IncomingMessage } from 'node:http';

/**
 * Reads a body whose Content-Length is known and within bounds; null when it
 * is not (no length, chunked, too large, or the client went away), so the
 * caller leaves the request to Yoga, whose limits answer it.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> | null {
  const length = Number(req.headers['content-length']);
  if (!Number.isInteger(length) || length <= 0 || length > maxBytes || req.headers['transfer-encoding']) return null;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    req.once('end', () =>
      resolve(received === length ? (chunks.length === 1 ? (chunks[0] ?? null) : Buffer.concat(chunks)) : null),
    );
    req.once('error', () => resolve(null));
  });
}

/** A body already read, handed to Yoga's node adapter (which takes a request's `body` when one is set). */
export function handOnBody(req: IncomingMessage, body: Buffer): void {
  Object.defineProperty(req, 'body', { value: body, configurable: true, enumerable: true, writable: true });
}
