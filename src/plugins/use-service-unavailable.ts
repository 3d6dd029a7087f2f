import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';

const codeOf = (error: { extensions?: Record<string, unknown> }) => error.extensions?.['code'];

/**
 * Whether nothing of the operation was answered: no data at all, or every
 * root field null. A partial answer stays 200, as GraphQL over HTTP wants.
 */
function nothingAnswered(result: ExecutionResult): boolean {
  const data = result.data;
  return data === null || data === undefined || Object.values(data).every((value) => value === null);
}

/**
 * While the database is unreachable, an operation that got nothing answered
 * (its errors include SERVICE_UNAVAILABLE) becomes HTTP 503 with
 * Retry-After, so load balancers and clients retry instead of reporting a bug.
 * A partial answer keeps its 200 and its coded errors: only the whole
 * operation's failure can be a status.
 */
export function useServiceUnavailable(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      const executed: ExecutionResult = result;
      const errors = executed.errors;
      if (!errors?.length || !nothingAnswered(executed)) return;
      const unavailable = errors.find((e) => codeOf(e) === ErrorCode.SERVICE_UNAVAILABLE);
      if (!unavailable) return;
      const retryAfter = String(unavailable.extensions?.['retryAfter'] ?? 5);
      const http = { status: 503, headers: { 'Retry-After': retryAfter } };
      setResult({
        ...executed,
        errors: errors.map((e) =>
          codeOf(e) === ErrorCode.SERVICE_UNAVAILABLE
            ? new GraphQLError(e.message, { nodes: e.nodes, path: e.path, extensions: { ...e.extensions, http } })
            : e,
        ),
      });
    },
  };
}
