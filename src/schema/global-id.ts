import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { badInput } from '../errors.ts';

/**
 * The database id inside a global ID of the expected type. A malformed ID, or
 * one of another type, is BAD_USER_INPUT naming the field, never a 500.
 */
export function parseGlobalId(globalId: string, typename: string, field: string): string {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    throw badInput(`${field} is not a valid ID`, field);
  }
  if (decoded.typename !== typename || decoded.id === '') throw badInput(`${field} is not a ${typename} ID`, field);
  return decoded.id;
}

/** Like parseGlobalId, but for lookups: an unparsable ID is simply not found. */
export function tryDecodeGlobalId(globalId: string): { typename: string; id: string } | null {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename && decoded.id ? decoded : null;
  } catch {
    return null;
  }
}

// Global IDs by row, for the reason cursors are (cursor.ts): cached rows are
// frozen and shared, so each is encoded once per version, not per request.
type NodeType = 'User' | 'Organization' | 'Membership' | 'FeatureFlag';
const rowIds: Record<NodeType, WeakMap<{ id: string }, string>> = {
  User: new WeakMap(),
  Organization: new WeakMap(),
  Membership: new WeakMap(),
  FeatureFlag: new WeakMap(),
};

/** The `id` field of a row of this type: globalId, remembered for the row. */
export function globalIdOf(typename: NodeType, row: { id: string }): string {
  const ids = rowIds[typename];
  let id = ids.get(row);
  if (id === undefined) {
    id = encodeGlobalID(typename, row.id);
    ids.set(row, id);
  }
  return id;
}

/** The global ID of a row, as the `id` field of its type shows it. */
export function globalId(typename: NodeType, id: string): string {
  return encodeGlobalID(typename, id);
}
