/**
 * How deep a request may nest: brackets, braces and parentheses open at once
 * in its document, arrays and objects within one another in its variables.
 * The parser, canonical JSON and the checks on variables walk a request
 * recursively, and a few thousand levels (a 4 KB document, say) overflow the
 * stack, answered as an internal error. No document or input of this schema
 * comes near 64; GraphiQL's introspection query opens 10.
 */
export const MAX_NESTING = 64;

/**
 * Whether a JSON value holds arrays or objects nested more than `max` deep
 * (the value itself counting as the first level). Recurses at most `max + 1`
 * levels, whatever the value's depth, so it is safe on anything JSON.parse made.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max <= 0) return true;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (nestsDeeperThan(item, max - 1)) return true;
  }
  return false;
}
