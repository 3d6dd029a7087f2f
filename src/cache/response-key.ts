import { createHash } from 'node:crypto';

/** What a GraphQL request asks, as its raw parameters carry it (JSON body or GET query string). */
export interface OperationParams {
  /** The document's text; for a request naming its document by hash, the text when known (a label for logs only). */
  query?: string | undefined;
  /**
   * The hex SHA-256 of the document's text (documentHash): given when the
   * request named its document by it (a persisted id or an APQ hash), else
   * computed from `query`.
   */
  documentHash?: string | undefined;
  operationName?: string | null | undefined;
  variables?: unknown;
}

/**
 * The hex SHA-256 of a document's text: the key's name for the document. A
 * persisted document id is `sha256:` and this, an APQ hash is this, so a
 * request naming its document by id or hash is keyed without the text, and
 * shares its key with the same text sent whole.
 */
export function documentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` name the same answer. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The hash of an operation as the response cache keys it: the document as
 * sent (by the SHA-256 of its text), the operation name, the variables canonically, and `version` (which
 * changes with the schema and the access rules, so a deploy never serves an
 * answer an older schema or older rules produced). The hot path computes it
 * from the raw request and the miss path from Yoga's parameters, with this one
 * function, so a stored answer is found by both.
 */
export function operationHash(params: OperationParams, version: string): string {
  const variables = params.variables === null || params.variables === undefined ? '{}' : canonicalJson(params.variables);
  return createHash('sha256')
    .update(version)
    .update('\0')
    .update(params.documentHash ?? documentHash(params.query ?? ''))
    .update('\0')
    .update(params.operationName ?? '')
    .update('\0')
    .update(variables)
    .digest('base64url');
}

/**
 * A stored answer: `<ETag>\n<body>`, the body being the exact bytes the miss
 * sent, so a hit writes them without parsing. An ETag never holds a newline.
 */
export function encodeStored(body: string): { value: string; etag: string } {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { value: `${etag}\n${body}`, etag };
}

/** The ETag and body of a stored answer. */
export function decodeStored(value: string): { etag: string; body: string } {
  const newline = value.indexOf('\n');
  return { etag: value.slice(0, newline), body: value.slice(newline + 1) };
}
