import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';

// Errors graphql-js raises for values that don't fit their types: the client sent bad input.
const BAD_VALUE =
  /got invalid value|Expected value of type|Expected type|does not exist in ".*" enum|cannot represent|of required type .* was not provided/i;

function withCode(error: GraphQLError, code: ErrorCode): GraphQLError {
  if (error.extensions?.['code']) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/**
 * Gives every error raised before execution a code, so clients can branch on
 * extensions.code for all errors: a bad value (unknown enum, wrong type,
 * missing variable) is BAD_USER_INPUT; any other document problem is
 * GRAPHQL_VALIDATION_FAILED or GRAPHQL_PARSE_FAILED.
 */
export function useErrorCodes(): Plugin {
  return {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result instanceof GraphQLError) replaceParseResult(withCode(result, ErrorCode.GRAPHQL_PARSE_FAILED));
      };
    },
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(
          result.map((e) =>
            withCode(e, BAD_VALUE.test(e.message) ? ErrorCode.BAD_USER_INPUT : ErrorCode.GRAPHQL_VALIDATION_FAILED),
          ),
        );
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          // Variable coercion fails inside execute, before any resolver: that is bad input too.
          if (!('errors' in result) || !result.errors || result.data !== undefined) return;
          setResult({
            ...result,
            errors: result.errors.map((e) => (BAD_VALUE.test(e.message) ? withCode(e, ErrorCode.BAD_USER_INPUT) : e)),
          });
        },
      };
    },
  };
}
