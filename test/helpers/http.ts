import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, type GraphQLFormattedError, print } from 'graphql';
import type { App } from '../../src/app.ts';

/** Where a raw request goes: an instance's loopback listener, and the app behind it. */
export interface RequestTarget {
  /** Absent for an app built without a listener: then only 'yoga' can reach it. */
  origin?: string;
  /** Absent for a server in another process: then only 'listener' can reach it. */
  app?: App;
}

/** One raw HTTP request, as a client would send it. */
export interface RawRequest {
  /** A GraphQL document (or its text): sent as `{ query, variables }` JSON. */
  query?: string | DocumentNode | TypedDocumentNode<unknown, unknown>;
  variables?: Record<string, unknown>;
  /** A body sent as is, instead of `query`; a stream goes without Content-Length. */
  body?: string | ReadableStream<Uint8Array>;
  /** @default 'POST' when there is a body, else 'GET' */
  method?: string;
  /** Path and query string. @default '/graphql' */
  path?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | null | undefined;
  headers?: Record<string, string>;
  /**
   * The client's socket address. The loopback listener always sees 127.0.0.1,
   * so a request with an address goes to Yoga in-process, past the hot path.
   */
  ip?: string;
  /**
   * 'listener' is production's path (the hot path, then Yoga) over a real
   * socket; 'yoga' skips the hot path. @default 'yoga' with `ip`, else 'listener'
   */
  via?: 'listener' | 'yoga';
}

/** What a raw request answered, with the body read once. */
export interface RawResponse<B = GraphQLBody> {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON (GraphiQL, an empty 304). */
  body: B;
}

/** The JSON of a GraphQL answer. */
export interface GraphQLBody<R = Record<string, unknown>> {
  data?: R | null;
  errors?: (GraphQLFormattedError & { extensions?: Record<string, unknown> })[];
  extensions?: Record<string, unknown>;
}

/** The test suite's one way to send a raw request; every other request helper is built on it. */
export async function request<B = GraphQLBody>(target: RequestTarget, options: RawRequest): Promise<RawResponse<B>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body = options.body;
  if (body === undefined && options.query !== undefined) {
    const query = typeof options.query === 'string' ? options.query : print(options.query);
    body = JSON.stringify({ query, variables: options.variables ?? {} });
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  Object.assign(headers, options.headers);
  const init: RequestInit & { duplex?: 'half' } = { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers };
  if (body !== undefined) init.body = body;
  if (body instanceof ReadableStream) init.duplex = 'half';
  const path = options.path ?? '/graphql';
  const via = options.via ?? (options.ip || !target.origin ? 'yoga' : 'listener');
  if (via === 'listener' && options.ip) throw new Error('the listener sees every test client as 127.0.0.1');
  let response: Response;
  if (via === 'listener') {
    if (!target.origin) throw new Error('this target has no listener');
    response = await fetch(`${target.origin}${path}`, init);
  } else {
    if (!target.app) throw new Error('this target runs in another process');
    response = await target.app.fetch(`http://test.local${path}`, init, {
      req: { socket: { remoteAddress: options.ip ?? '203.0.113.1' } },
    });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed as B };
}

/** The codes of a GraphQL answer's errors, one per failed field. */
export const errorCodesOf = (body: GraphQLBody<unknown> | undefined): unknown[] =>
  (body?.errors ?? []).map((e) => e.extensions?.['code']);
