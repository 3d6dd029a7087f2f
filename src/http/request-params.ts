import type { IncomingMessage } from 'node:http';
import type { OperationParams } from '../cache/response-key.ts';
import { PersistedDocuments } from '../persisted/manifest.ts';
import { keyableDocument, type PersistedPolicy } from '../persisted/policy.ts';
import { referenceOf } from '../persisted/reference.ts';
import { MAX_NESTING, nestsDeeperThan } from './nesting.ts';

/** Documents by their text only: no ids, no APQ. */
const TEXT_ONLY: PersistedPolicy = { mode: 'off', documents: new PersistedDocuments() };

/**
 * The GraphQL parameters of a JSON object, or null when the hot path should
 * step aside: not plain query parameters, or a document it may not key under
 * `policy` (persisted/policy.ts; Yoga then answers or refuses it).
 * @param policy what the server accepts @default documents by text only
 */
export function paramsOfJson(value: unknown, policy: PersistedPolicy = TEXT_ONLY): OperationParams | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const operationName: unknown = Reflect.get(value, 'operationName');
  const variables: unknown = Reflect.get(value, 'variables');
  const extensions: unknown = Reflect.get(value, 'extensions');
  // Extensions other than APQ's change what is asked: Yoga handles them.
  if (extensions !== undefined && !onlyPersistedQuery(extensions)) return null;
  const reference = referenceOf({ query: Reflect.get(value, 'query'), documentId: Reflect.get(value, 'documentId'), extensions });
  const document = keyableDocument(reference, policy);
  if (!document) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  // Keying them would overflow the stack (canonicalJson recurses); Yoga refuses them with a code (use-nesting-limit).
  if (nestsDeeperThan(variables, MAX_NESTING)) return null;
  return { query: document.text, documentHash: document.hash, operationName: operationName ?? null, variables };
}

/** Whether extensions hold APQ's `persistedQuery` and nothing else. */
function onlyPersistedQuery(extensions: unknown): boolean {
  if (typeof extensions !== 'object' || extensions === null || Array.isArray(extensions)) return false;
  const names = Object.keys(extensions);
  return names.length === 1 && names[0] === 'persistedQuery';
}

/**
 * The parameters of a JSON body's text, or null when it is not JSON or not plain query parameters.
 * @param policy what the server accepts @default documents by text only
 */
export function paramsOfJsonText(text: string, policy: PersistedPolicy = TEXT_ONLY): OperationParams | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return paramsOfJson(value, policy);
}

/**
 * A GET's parameters per GraphQL over HTTP (`query` or `documentId`,
 * `operationName`, and `variables` and `extensions` as JSON), an empty one
 * counting as absent as Yoga reads them; null when a JSON one is not JSON.
 */
export function rawParamsOfQueryString(search: string): Record<string, unknown> | null {
  const fields = new URLSearchParams(search);
  const raw: Record<string, unknown> = {};
  for (const name of ['query', 'documentId', 'operationName']) if (fields.get(name)) raw[name] = fields.get(name);
  for (const name of ['variables', 'extensions']) {
    const text = fields.get(name);
    if (!text) continue;
    try {
      raw[name] = JSON.parse(text);
    } catch {
      return null;
    }
  }
  return raw;
}

/**
 * The parameters of a GET, or null when the hot path should step aside (see paramsOfJson).
 * @param policy what the server accepts @default documents by text only
 */
export function paramsOfQueryString(search: string, policy: PersistedPolicy = TEXT_ONLY): OperationParams | null {
  const raw = rawParamsOfQueryString(search);
  return raw ? paramsOfJson(raw, policy) : null;
}

/**
 * The media type a single JSON result is sent as, chosen from Accept as Yoga
 * chooses it: the first listed type (in UTF-8) that names one of the two
 * JSON types, a wildcard meaning application/json; null when none does (Yoga
 * answers those).
 */
export function answerType(req: IncomingMessage): string | null {
  const accept = req.headers.accept ?? '';
  let type = typeOfAccept.get(accept);
  if (type === undefined) {
    type = answerTypeOf(accept);
    // Clients send a handful of distinct Accept values; a flood of made-up ones is only not remembered.
    if (typeOfAccept.size < 256) typeOfAccept.set(accept, type);
  }
  return type;
}
const typeOfAccept = new Map<string, string | null>();

function answerTypeOf(header: string): string | null {
  const accept = (header || '*/*').replace(/\s/g, '').toLowerCase();
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    if (type === 'application/graphql-response+json') return 'application/graphql-response+json; charset=utf-8';
    if (type === 'application/json' || type === '*/*' || type === 'application/*' || type === '*/json')
      return 'application/json; charset=utf-8';
  }
  return null;
}

/** Whether a POST body is JSON, as Yoga requires for these parameters. */
export function isJsonBody(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  if (type === undefined) return false;
  // The common spellings, without splitting; anything else the general rule.
  if (type === 'application/json' || type === 'application/json; charset=utf-8') return true;
  return type.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}
