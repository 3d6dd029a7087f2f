import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { print, type DocumentNode } from 'graphql';
import { request, type RawResponse, type RequestTarget } from './http.ts';

/** The persisted-document id codegen gave a typed document (`__meta__.hash`, the key of the manifest). */
export function documentIdOf(document: DocumentNode): string {
  const meta: unknown = Reflect.get(document, '__meta__');
  const hash: unknown = typeof meta === 'object' && meta !== null ? Reflect.get(meta, 'hash') : undefined;
  if (typeof hash !== 'string') throw new Error('this document has no persisted id: is persistedDocuments on in codegen.ts?');
  return hash;
}

/** The manifest codegen wrote beside the typed documents. */
export const MANIFEST_PATH = new URL('../generated/persisted-documents.json', import.meta.url);

/**
 * The text an id names in the manifest: codegen's normalised print (fields
 * sorted), so its answer lists fields in that order, not the .graphql file's.
 */
export function manifestText(documentId: string): string {
  const manifest: Record<string, string> = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'));
  const text = manifest[documentId];
  if (text === undefined) throw new Error(`${documentId} is not in the manifest`);
  return text;
}

/** How a request names its document by id or hash. */
export interface PersistedRequest {
  /** @default 'POST' */
  method?: 'POST' | 'GET';
  token?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Record<string, string>;
}

/** Sends params as a JSON POST body, or as a GET query string (JSON values encoded) per GraphQL over HTTP. */
function send(target: RequestTarget, params: Record<string, unknown>, options: PersistedRequest): Promise<RawResponse> {
  const common = { via: 'listener' as const, ...(options.token ? { token: options.token } : {}), headers: options.headers ?? {} };
  if ((options.method ?? 'POST') === 'POST') return request(target, { ...common, body: JSON.stringify(params) });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) search.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  return request(target, { ...common, path: `/graphql?${search}` });
}

/** A request naming its document by a persisted id (`documentId`), as an SPA on the manifest sends it. */
export function byId(target: RequestTarget, documentId: string, options: PersistedRequest = {}): Promise<RawResponse> {
  return send(
    target,
    {
      documentId,
      variables: options.variables ?? {},
      ...(options.operationName ? { operationName: options.operationName } : {}),
    },
    options,
  );
}

/** The hash APQ names a text by: hex SHA-256. */
export const apqHash = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * An APQ request, as Apollo Client sends it: the hash alone, or with the text
 * (a registration). `hash` defaults to the text's.
 */
export function apq(
  target: RequestTarget,
  document: string | DocumentNode,
  options: PersistedRequest & { withQuery?: boolean; hash?: string } = {},
): Promise<RawResponse> {
  const text = typeof document === 'string' ? document : print(document);
  const hash = options.hash ?? apqHash(text);
  return send(
    target,
    {
      ...(options.withQuery ? { query: text } : {}),
      variables: options.variables ?? {},
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    },
    options,
  );
}
