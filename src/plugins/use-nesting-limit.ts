import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput, ErrorCode } from '../errors.ts';
import { MAX_NESTING, nestsDeeperThan } from '../http/nesting.ts';

/** Options of useNestingLimit. */
export interface NestingLimitOptions {
  /** Most brackets, braces and parentheses a document may hold open at once, and deepest nesting of variables. @default 64 */
  maxNesting?: number;
}

const OPENING = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * Throws a coded error, located at the first bracket too many, when the
 * document nests deeper than `max`. It runs the lexer alone, which is a loop:
 * graphql-js's parser recurses once per level (lists, objects, selection sets,
 * type references), and the token limit cannot stand in for a depth limit,
 * since 2,000 nested `[` are only 4,000 tokens.
 */
function assertNesting(source: string | Source, max: number): void {
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
  let depth = 0;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    if (CLOSING.has(token.kind)) depth -= 1;
    else if (OPENING.has(token.kind) && ++depth > max) {
      throw new GraphQLError(`Nesting limit of ${max} exceeded.`, {
        source: lexer.source,
        positions: [token.start],
        extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
      });
    }
  }
}

/**
 * Refuses requests nested deeper than the limit before anything recursive
 * walks them: a document, before the parser (as GRAPHQL_VALIDATION_FAILED,
 * the code of graphql-armor's limits); variables, before they are keyed,
 * searched or coerced (as BAD_USER_INPUT). Must come after graphql-armor,
 * whose token-counting parser it wraps.
 */
export function useNestingLimit(options: NestingLimitOptions = {}): Plugin {
  const max = options.maxNesting ?? MAX_NESTING;
  return {
    onParams({ params, setResult }) {
      if (nestsDeeperThan(params.variables, max)) {
        setResult({ errors: [badInput(`Variables nesting limit of ${max} exceeded.`)] });
      }
    },
    onParse({ parseFn, setParseFn }) {
      // Only on a parse-cache miss: a cached document never reaches the parse function.
      setParseFn((source, parseOptions) => {
        assertNesting(source, max);
        return parseFn(source, parseOptions);
      });
    },
  };
}
