import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { operationNameOf } from '../http/operation-name.ts';
import type { Logger } from '../logger.ts';
import { bindScope, logUnexpected, scopeOf } from '../request-scope.ts';

/**
 * Tells the request scope what Yoga learned: the operation's name (for the
 * duration histogram and the slow-operation log) and whether it is a query
 * at all (a mutation is never a cache hit or miss, it bypasses the cache).
 * It also logs each unexpected error of an execution with its request id,
 * before the error mask (registered after every plugin) hides it.
 */
export function useRequestScope(logger: Logger): Plugin {
  return {
    onRequest({ request, serverContext }) {
      // So code that holds only Yoga's Request (the viewer's resolution) finds the scope too.
      const scope = scopeOf(serverContext);
      if (scope) bindScope(request, scope);
    },
    onParams({ params, context }) {
      const scope = scopeOf(context);
      if (scope && scope.operation === null) scope.operation = operationNameOf(params);
    },
    onExecute({ args }) {
      const scope = scopeOf(args.contextValue);
      if (scope) {
        const operation = getOperationAST(args.document, args.operationName);
        if (operation?.name) scope.operation = operation.name.value;
        if (operation?.operation !== 'query') scope.cacheable = false;
      }
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result) || !result.errors) return;
          for (const error of result.errors) if (error.originalError) logUnexpected(logger, error.originalError, scope);
        },
      };
    },
  };
}
