import type { GraphQLResolveInfo } from 'graphql';
import type { Loaders } from '../loaders/index.ts';
import { selects } from './selection.ts';

/**
 * Starts a load the query will make one level down, beside the load of this
 * level: loaders dispatched in one tick leave in one store call
 * (cache/read-batch.ts), so the child level costs no round trip of its own.
 * DataLoader keeps the promise, so the field that needs it gets the same one,
 * and a failed load is thrown there; here it is only kept from being an
 * unhandled rejection when no field asks after all.
 */
export function prefetch(load: Promise<unknown>): void {
  load.catch(() => {});
}

/** An organization's fields that read its flags, and those that read its members. */
const FLAG_FIELDS = ['featureFlags', 'featureFlag', 'isFeatureEnabled'];
const MEMBER_FIELDS = ['members', 'memberCount'];

/** Prefetches the flag and member lists of organizations whose fields, as selected under `info`'s field, will read them. */
export function prefetchOrganizationLists(loaders: Loaders, organizationIds: readonly string[], info: GraphQLResolveInfo): void {
  if (organizationIds.length === 0) return;
  if (FLAG_FIELDS.some((field) => selects(info, [field]))) prefetch(loaders.flagsByOrganizationId.loadMany(organizationIds));
  if (MEMBER_FIELDS.some((field) => selects(info, [field]))) prefetch(loaders.membersByOrganizationId.loadMany(organizationIds));
}
