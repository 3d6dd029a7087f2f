import { type DocumentNode, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput } from '../errors.ts';

const NUL = '\u0000';

/** Where a string holding NUL sits in the variables, as a dotted path ("input.email"), or null. */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${path}.${i}`);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = nulPath(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}

/** Documents come from the parse cache, so each is searched for NUL literals once. */
const literalsWithNul = new WeakMap<DocumentNode, boolean>();

function hasNulLiteral(document: DocumentNode): boolean {
  let found = literalsWithNul.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      [Kind.STRING](node) {
        if (node.value.includes(NUL)) found = true;
      },
    });
    literalsWithNul.set(document, found);
  }
  return found;
}

/**
 * Refuses every operation whose string inputs (variables or literals) hold a
 * NUL character, as BAD_USER_INPUT. PostgreSQL's text cannot store NUL and
 * refuses it in any query parameter (error 22021), so without one rule here
 * each field's own validation would have to remember it, and a forgotten one
 * answered INTERNAL_SERVER_ERROR. No field of the schema has a use for NUL.
 */
export function useTextInputs(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const field = nulPath(args.variableValues ?? {}, '');
      if (field === null && !hasNulLiteral(args.document)) return;
      setResultAndStopExecution({
        errors: [badInput('Text may not contain NUL characters (\\u0000)', field ?? undefined)],
      });
    },
  };
}
