import type { CombinedError } from 'urql';
import type { ErrorCode as ServerErrorCode } from '../../../src/errors.ts';

/** The server's closed set of error codes (src/errors.ts), and what the app says when none came back. */
export type ErrorCode = ServerErrorCode | 'NETWORK';

/** A failure as the app shows it: its code, what the code means to the user, and the server's own words. */
export interface Problem {
  code: ErrorCode;
  meaning: string;
  detail: string;
}

// Typed by the server's codes: a code added there fails the web's type check until it has a meaning here.
const MEANINGS: Record<ErrorCode, (retryAfter: number | null) => string> = {
  UNAUTHENTICATED: () => 'You are not signed in, or your session has ended.',
  FORBIDDEN: () => 'Your role in this organization does not allow this.',
  NOT_FOUND: () => 'It does not exist, or you are not a member of its organization.',
  BAD_USER_INPUT: () => 'Something you entered is not valid.',
  CONFLICT: () => 'This conflicts with the current state of the organization.',
  RATE_LIMITED: (retryAfter) =>
    retryAfter === null ? 'Too many requests: wait a moment.' : `Too many requests: try again in ${retryAfter} s.`,
  GRAPHQL_VALIDATION_FAILED: () => 'The server refused the request this app sent.',
  GRAPHQL_PARSE_FAILED: () => 'The server could not read the request this app sent.',
  SERVICE_UNAVAILABLE: (retryAfter) =>
    retryAfter === null
      ? 'The service is briefly unavailable: try again.'
      : `The service is briefly unavailable: try again in ${retryAfter} s.`,
  INTERNAL_SERVER_ERROR: () => 'The server failed; try again.',
  // The persisted-document refusals answer what this app sent, not what the user did: a build the server does not know.
  PERSISTED_QUERY_NOT_FOUND: () => 'The server does not know this version of the app: reload the page.',
  PERSISTED_QUERY_MISMATCH: () => 'The server refused the request this app sent.',
  PERSISTED_DOCUMENT_REQUIRED: () => 'The server only runs requests of a known app version: reload the page.',
  PERSISTED_QUERY_NOT_SUPPORTED: () => 'The server refused the request this app sent.',
  NETWORK: () => 'The server cannot be reached.',
};

function isCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(MEANINGS, code);
}

/** Whether any of the answer's errors carries `code`. */
export function hasCode(error: CombinedError, code: ErrorCode): boolean {
  return error.graphQLErrors.some((e) => e.extensions['code'] === code);
}

/** The first error of an answer, explained; an error without a known code counts as the server's failure. */
export function problemOf(error: CombinedError): Problem {
  const first = error.graphQLErrors[0];
  if (!first) return { code: 'NETWORK', meaning: MEANINGS.NETWORK(null), detail: error.networkError?.message ?? error.message };
  const code = isCode(first.extensions['code']) ? first.extensions['code'] : 'INTERNAL_SERVER_ERROR';
  const retryAfter = typeof first.extensions['retryAfter'] === 'number' ? first.extensions['retryAfter'] : null;
  return { code, meaning: MEANINGS[code](retryAfter), detail: first.message };
}

/** The problem the app shows for a code it found itself, such as an organization the viewer cannot see. */
export function problemFor(code: ErrorCode, detail: string): Problem {
  return { code, meaning: MEANINGS[code](null), detail };
}
