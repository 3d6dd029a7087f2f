import { createServer, type RequestListener, type Server } from 'node:http';

/** Options of createHttpServer. */
export interface HttpServerOptions {
  /** How long a client may take to send a request's headers. */
  headersTimeoutMs: number;
  /** How long a client may take to send a whole request, body included; at least headersTimeoutMs (Node's rule). */
  requestTimeoutMs: number;
}

/**
 * The node:http server the app listens with, its timeouts sized for an API:
 * a client that sends its headers or its body too slowly is answered 408 and
 * disconnected within seconds, instead of holding a connection for Node's
 * defaults (60 s for headers, 300 s for the request). They bound receiving
 * the request only: a slow answer is never cut, nor an idle keep-alive
 * connection, whose wait for its next request is keepAliveTimeout's (Node's
 * 5 s, left as it is: below the headers timeout, as Node advises).
 */
export function createHttpServer(listener: RequestListener, options: HttpServerOptions): Server {
  return createServer(
    {
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // Node looks for late requests every 30 s by default, which would let one outlive a 10 s limit threefold;
      // every tenth of the shorter limit answers it within 10% of it.
      connectionsCheckingInterval: Math.max(50, Math.floor(options.headersTimeoutMs / 10)),
    },
    listener,
  );
}
