import type { IncomingMessage } from 'node:http';
import type { OperationParams } from '../cache/response-key.ts';
import { MAX_NESTING, nestsDeeperThan } from './nesting.ts';

/** The GraphQL parameters of a JSON object, or null when they are not plain query parameters (the hot path then steps aside). */
export function paramsOfJson(value: unknown): OperationParams | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const query: unknown = Reflect.get(value, 'query');
  const operationName: unknown = Reflect.get(value, 'operationName');
  const variables: unknown = Reflect.get(value, 'variables');
  // Extensions (persisted queries, say) change what is asked: Yoga handles them.
  if (typeof query !== 'string' || Reflect.get(value, 'extensions') !== undefined) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  // Keying them would overflow the stack (canonicalJson recurses); Yoga refuses them with a code (use-nesting-limit).
  if (nestsDeeperThan(variables, MAX_NESTING)) return null;
  return { query, operationName: operationName ?? null, variables };
}

/** The parameters of a JSON body's text, or null when it is not JSON or not plain query parameters. */
export function paramsOfJsonText(text: string): OperationParams | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return paramsOfJson(value);
}

/** The parameters of a GET per GraphQL over HTTP: `query`, `operationName`, `variables` (JSON) in the query string. */
export function paramsOfQueryString(search: string): OperationParams | null {
  const fields = new URLSearchParams(search);
  if (fields.has('extensions')) return null;
  const query = fields.get('query');
  if (query === null) return null;
  const variablesText = fields.get('variables');
  let variables: unknown;
  if (variablesText !== null && variablesText !== '') {
    try {
      variables = JSON.parse(variablesText);
    } catch {
      return null;
    }
  }
  return paramsOfJson({ query, operationName: fields.get('operationName'), variables });
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
