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

/** The global ID of a row, as the `id` field of its type shows it. */
export function globalId(typename: 'User' | 'Organization' | 'Membership' | 'FeatureFlag', id: string): string {
  return encodeGlobalID(typename, id);
}
