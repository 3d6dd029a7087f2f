// Deciding whether a response is right. Every response gets the cheap checks
// (2xx, no `errors` key); a sample is parsed and compared with the reference
// response, so a fast wrong answer can never pass as a fast answer.

import { isDeepStrictEqual } from 'node:util';

/** What a sampled response must be. */
export type Expectation =
  /** Exactly these bytes (the reference server itself, and the bare server that replays it). */
  | { mode: 'bytes'; body: string }
  /** The same `data` as the reference, however serialised (peers). */
  | { mode: 'data'; data: unknown }
  /** The same shape as the reference: keys, list lengths and value types; values may differ (reads among writes). */
  | { mode: 'shape'; data: unknown }
  /** Data shaped like a template, values unknown (reads as many different users). */
  | { mode: 'template'; template: ShapeTemplate }
  /** Any data without errors, every root field non-null (writes). */
  | { mode: 'ok' };

/**
 * The shape an answer must have when its values cannot be known: an object's
 * keys exactly, a scalar's type by name ('string', 'boolean', 'number'),
 * and a list as a one-item array whose item every element must match (any
 * length, empty included).
 */
export type ShapeTemplate =
  | 'string'
  | 'boolean'
  | 'number'
  | readonly [ShapeTemplate]
  | { readonly [key: string]: ShapeTemplate };

// Inside a JSON string a quote is escaped, so `"errors":` can only be a key;
// no type of the schema has a field named `errors`.
const ERRORS_KEY = /"errors"\s*:/;

/** The check every response gets: cheap enough to run on all of them. */
export function looksOk(status: number, body: string): boolean {
  return status >= 200 && status < 300 && !ERRORS_KEY.test(body);
}

/** Why a response is wrong, or null when it is right. */
export function checkResponse(status: number, body: string, expected: Expectation): string | null {
  if (status < 200 || status >= 300) return `HTTP ${status}: ${clip(body)}`;
  if (ERRORS_KEY.test(body)) return `GraphQL errors: ${clip(body)}`;
  if (expected.mode === 'bytes') {
    return body === expected.body
      ? null
      : `body differs from the reference at byte ${firstDifferentIndex(body, expected.body)}: ${clip(body)}`;
  }
  let parsed: { data?: unknown };
  try {
    parsed = JSON.parse(body) as { data?: unknown };
  } catch {
    return `not JSON: ${clip(body)}`;
  }
  const data = parsed.data;
  if (data === null || typeof data !== 'object') return `no data: ${clip(body)}`;
  switch (expected.mode) {
    case 'ok': {
      const nullField = Object.entries(data).find(([, value]) => value === null);
      return nullField ? `${nullField[0]} is null` : null;
    }
    case 'data':
      return isDeepStrictEqual(data, expected.data)
        ? null
        : `data differs from the reference at ${firstDifference(data, expected.data)}`;
    case 'shape':
      return isDeepStrictEqual(shapeOf(data), shapeOf(expected.data))
        ? null
        : `shape differs from the reference at ${firstDifference(shapeOf(data), shapeOf(expected.data))}`;
    case 'template':
      return templateProblem(data, expected.template, 'data');
  }
}

/** Where a value departs from a template, or null when it matches. */
export function templateProblem(value: unknown, template: ShapeTemplate, path: string): string | null {
  if (typeof template === 'string')
    return typeof value === template ? null : `${path} is ${JSON.stringify(value)}, expected a ${template}`;
  if (isList(template)) {
    if (!Array.isArray(value)) return `${path} is ${JSON.stringify(value)}, expected a list`;
    for (const [i, item] of value.entries()) {
      const problem = templateProblem(item, template[0], `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `${path} is ${JSON.stringify(value)}, expected an object`;
  const extra = Object.keys(value).find((key) => !(key in template));
  if (extra !== undefined) return `${path}.${extra} is not expected`;
  for (const [key, inner] of Object.entries(template)) {
    const problem = templateProblem((value as Record<string, unknown>)[key], inner, `${path}.${key}`);
    if (problem) return problem;
  }
  return null;
}

const isList = (template: ShapeTemplate): template is readonly [ShapeTemplate] => Array.isArray(template);

/** A value with every scalar replaced by its type: what stays the same when writes change values. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value === null) return 'null';
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shapeOf(v)]));
  }
  return typeof value;
}

/** The path of the first difference between two JSON values, e.g. `organization.members.edges[3].node.role`. */
export function firstDifference(actual: unknown, expected: unknown, path = 'data'): string {
  if (isDeepStrictEqual(actual, expected)) return '(none)';
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return `${path} (length ${actual.length}, expected ${expected.length})`;
    const i = actual.findIndex((item, k) => !isDeepStrictEqual(item, expected[k]));
    return firstDifference(actual[i], expected[i], `${path}[${i}]`);
  }
  if (
    actual &&
    expected &&
    typeof actual === 'object' &&
    typeof expected === 'object' &&
    !Array.isArray(actual) &&
    !Array.isArray(expected)
  ) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(e)])];
    const key = keys.find((k) => !isDeepStrictEqual(a[k], e[k]))!;
    return firstDifference(a[key], e[key], `${path}.${key}`);
  }
  return `${path} (${JSON.stringify(actual)}, expected ${JSON.stringify(expected)})`;
}

function firstDifferentIndex(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
