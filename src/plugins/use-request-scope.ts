import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { operationNameOf } from '../http/operation-name.ts';
import { requestScope } from '../request-scope.ts';

/**
 * Tells the request scope what Yoga learned: the operation's name (for the
 * duration histogram and the slow-operation log) and whether it is a query
 * at all (a mutation is never a cache hit or miss, it bypasses the cache).
 */
export function useRequestScope(): Plugin {
  return {
    onParams({ params }) {
      const scope = requestScope.getStore();
      if (scope && scope.operation === null) scope.operation = operationNameOf(params);
    },
    onExecute({ args }) {
      const scope = requestScope.getStore();
      if (!scope) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.name) scope.operation = operation.name.value;
      if (operation?.operation !== 'query') scope.cacheable = false;
    },
  };
}
