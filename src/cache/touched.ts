import { encodeGlobalID } from '@pothos/plugin-relay';
import type { KindName } from '../loaders/kinds.ts';
import { keys } from './keys.ts';
import type { EntityTag } from './response-cache.ts';

/**
 * What a write touched: the row, with the parent ids its relation lists hang
 * on. Services build these with the constructors below (from the rows they
 * wrote), and invalidation derives every cache key and response-cache tag
 * from TOUCHES, the one table of what holds each type.
 */
export type Touched =
  | { type: 'User'; id: string }
  | { type: 'Organization'; id: string; slug: string }
  | { type: 'Membership'; id: string; userId: string; organizationId: string }
  | { type: 'FeatureFlag'; id: string; organizationId: string }
  | { type: 'Session'; ref: string };

type Of<T extends Touched['type']> = Extract<Touched, { type: T }>;

/** Builds a Touched from the row a service wrote. */
export const touched = {
  user: (row: { id: string }): Touched => ({ type: 'User', id: row.id }),
  organization: (row: { id: string; slug: string }): Touched => ({ type: 'Organization', id: row.id, slug: row.slug }),
  membership: (row: { id: string; userId: string; organizationId: string }): Touched => ({
    type: 'Membership',
    id: row.id,
    userId: row.userId,
    organizationId: row.organizationId,
  }),
  featureFlag: (row: { id: string; organizationId: string }): Touched => ({
    type: 'FeatureFlag',
    id: row.id,
    organizationId: row.organizationId,
  }),
  /** A session by its cache reference (auth/tokens.ts). */
  session: (ref: string): Touched => ({ type: 'Session', ref }),
};

/** A parent a row points at: its foreign key, the parent's type, and the parent's list the row appears in. */
interface Parent<T extends Touched['type']> {
  foreignKey: keyof Of<T> & string;
  model: 'User' | 'Organization';
  list: KindName;
}

/**
 * For each type: the cached kinds that hold the row itself (keyed by which of
 * its fields), and its parents. A write invalidates the row's own keys, each
 * parent's list, and the response-cache tags of the row and its parents (a
 * parent's answers show the lists and counts the row is in). Sessions show in
 * no answer, so they have no tag. test/cache/touched.test.ts checks the
 * parents against the Prisma relations, so a new relation cannot be missed.
 */
export const TOUCHES: {
  [T in Touched['type']]: { own: [KindName, keyof Of<T> & string][]; parents: Parent<T>[]; tagged: boolean };
} = {
  User: {
    own: [
      ['user', 'id'],
      ['userMemberships', 'id'],
    ],
    parents: [],
    tagged: true,
  },
  Organization: {
    own: [
      ['organization', 'id'],
      ['organizationBySlug', 'slug'],
      ['organizationMembers', 'id'],
      ['organizationFlags', 'id'],
    ],
    parents: [],
    tagged: true,
  },
  Membership: {
    own: [['membership', 'id']],
    parents: [
      { foreignKey: 'userId', model: 'User', list: 'userMemberships' },
      { foreignKey: 'organizationId', model: 'Organization', list: 'organizationMembers' },
    ],
    tagged: true,
  },
  FeatureFlag: {
    own: [['featureFlag', 'id']],
    parents: [{ foreignKey: 'organizationId', model: 'Organization', list: 'organizationFlags' }],
    tagged: true,
  },
  Session: { own: [['session', 'ref']], parents: [], tagged: false },
};

const field = (t: Touched, name: string): string => String(Reflect.get(t, name));

/** The (kind, loader key) pairs that hold a touched thing: the row and every relation list it appears in. */
export function entriesOf(t: Touched): [KindName, string][] {
  const entry: { own: [KindName, string][]; parents: { foreignKey: string; list: KindName }[] } = TOUCHES[t.type];
  return [
    ...entry.own.map(([kind, name]): [KindName, string] => [kind, field(t, name)]),
    ...entry.parents.map((p): [KindName, string] => [p.list, field(t, p.foreignKey)]),
  ];
}

/** The store keys that hold a touched thing. */
export function storeKeysOf(t: Touched): string[] {
  return entriesOf(t).map(([kind, key]) => keys[kind](key));
}

/** The response-cache tags a write invalidates: the row itself and its parents, as answers name them (global IDs). */
export function tagsOf(t: Touched): EntityTag[] {
  const entry: { parents: { foreignKey: string; model: string }[]; tagged: boolean } = TOUCHES[t.type];
  if (!entry.tagged) return [];
  return [
    { typename: t.type, id: encodeGlobalID(t.type, field(t, 'id')) },
    ...entry.parents.map((p) => ({ typename: p.model, id: encodeGlobalID(p.model, field(t, p.foreignKey)) })),
  ];
}

/** The tag of a viewer: every answer keyed for a viewer carries it, so a change to their memberships reaches it. */
export const viewerTag = (userId: string): EntityTag => ({ typename: 'User', id: encodeGlobalID('User', userId) });
