import { getDatamodel } from '../generated/pothos-types.ts';
import { globalId } from '../schema/global-id.ts';
import type { Touched } from './invalidate.ts';
import type { EntityTag } from './response-cache.ts';

type TaggedModel = 'User' | 'Organization' | 'Membership' | 'FeatureFlag';
const TAGGED = new Set<string>(['User', 'Organization', 'Membership', 'FeatureFlag']);
const isTagged = (model: string): model is TaggedModel => TAGGED.has(model);

/**
 * For each model, the parents a row points at: (foreign key, parent model),
 * read from the Prisma datamodel. A change to a row changes every list and
 * count its parents show (an org's members, a user's memberships), so the
 * parents' tags are invalidated with the row's; a new relation in the schema
 * is covered without touching this file.
 */
const PARENTS: ReadonlyMap<string, { foreignKey: string; model: TaggedModel }[]> = new Map(
  Object.entries(getDatamodel().datamodel.models).map(([model, { fields }]) => [
    model,
    fields.flatMap((field) => {
      const foreignKey = field.relationFromFields?.[0];
      return field.kind === 'object' && foreignKey && isTagged(field.type) ? [{ foreignKey, model: field.type }] : [];
    }),
  ]),
);

/** The response-cache tags a write invalidates: the row itself and its parents. Sessions show in no response. */
export function tagsOf(touched: Touched): EntityTag[] {
  if (touched.type === 'Session') return [];
  const row: Record<string, string> = { ...touched };
  const tags: EntityTag[] = [{ typename: touched.type, id: globalId(touched.type, touched.id) }];
  for (const parent of PARENTS.get(touched.type) ?? []) {
    const parentId = row[parent.foreignKey];
    if (parentId) tags.push({ typename: parent.model, id: globalId(parent.model, parentId) });
  }
  return tags;
}
