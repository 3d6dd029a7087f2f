import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

// Answers by the field's first node: parsed documents are cached and reused,
// so one walk serves every request of the same document.
const answers = new WeakMap<object, Map<string, boolean>>();

/**
 * Whether the field's selection reaches `path` (field names, fragments
 * looked through): a list resolver asks it before loading what its items'
 * fields would load anyway, so a query that does not ask costs nothing.
 */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  const first = info.fieldNodes[0];
  if (!first) return false;
  const key = path.join('.');
  let known = answers.get(first);
  let answer = known?.get(key);
  if (answer === undefined) {
    answer = info.fieldNodes.some((node) => node.selectionSet !== undefined && within(node.selectionSet, path, 0, info));
    if (!known) {
      known = new Map();
      answers.set(first, known);
    }
    known.set(key, answer);
  }
  return answer;
}

function within(set: SelectionSetNode, path: readonly string[], depth: number, info: GraphQLResolveInfo): boolean {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== path[depth]) continue;
      if (depth === path.length - 1) return true;
      if (selection.selectionSet && within(selection.selectionSet, path, depth + 1, info)) return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (within(selection.selectionSet, path, depth, info)) return true;
    } else {
      const fragment = info.fragments[selection.name.value];
      if (fragment && within(fragment.selectionSet, path, depth, info)) return true;
    }
  }
  return false;
}
