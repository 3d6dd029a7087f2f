import type { Plugin } from 'graphql-yoga';

/** Options of useBodyLimit. */
export interface BodyLimitOptions {
  /** Largest body accepted, in bytes. @default 100000 */
  maxBytes?: number;
}

/**
 * Refuses oversized bodies by their Content-Length header before reading them.
 * Replaces Yoga's own limit: graphql-yoga 5.24 pipes every body through a
 * stream pipeline whose abort signal builds a DOMException per request, which
 * measured 5.3k req/s against 13.2k without it (`{ hello }`, 10 connections).
 * A body without a length (chunked) is refused with 411: it could not be
 * bounded without reading it.
 */
export function useBodyLimit(options: BodyLimitOptions = {}): Plugin {
  const maxBytes = options.maxBytes ?? 100_000;
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'POST') return;
      const header = request.headers.get('content-length');
      if (header === null) {
        endResponse(new fetchAPI.Response('Content-Length required', { status: 411 }));
        return;
      }
      const length = Number(header);
      if (!Number.isSafeInteger(length) || length < 0) {
        endResponse(new fetchAPI.Response('Invalid Content-Length', { status: 400 }));
      } else if (length > maxBytes) {
        endResponse(new fetchAPI.Response(`Request body larger than ${maxBytes} bytes`, { status: 413 }));
      }
    },
  };
}
