import type { PublicUser } from '../loaders/index.ts';
import type { AuthPayload } from '../services/auth.ts';
import { builder } from './builder.ts';
import { globalIdOf } from './global-id.ts';

// Every object type's ref, so the domain files import these and never each other: the types point at
// one another (User → Membership → Organization → FeatureFlag → Organization), the files do not.
// plugin-prisma has no ref-first form of prismaObject (the call creates the ref), so the Prisma-backed
// nodes are declared here with their ID only, and each domain file adds all of its type's fields.
//
// Each node declares its own `id` instead of using prismaNode / builder.node: their id field is an
// async resolver around the encoding, one promise per id (an org page has over a hundred ids), which
// was a tenth of the bytes an entity-cache hit on the org page allocated. The ID is the same:
// schema/global-id.ts encodes with the relay plugin's own function.

/** The Node interface, which every entity implements. */
export const NodeRef = builder.nodeInterfaceRef();

/**
 * A person, shaped as Prisma's User without the password hash (what the loaders cache), so no field
 * can ever expose the hash; that is why it is a plain node rather than a prismaNode, whose shape is
 * the whole row. Implemented in user.ts.
 */
export const UserRef = builder.objectRef<PublicUser>('User');

/** A tenant; its fields are in organization.ts. */
export const OrganizationRef = builder.prismaObject('Organization', {
  interfaces: [NodeRef],
  fields: (t) => ({ id: t.id({ resolve: (row) => globalIdOf('Organization', row) }) }),
});

/** A user's place in an organization; its fields are in membership.ts. */
export const MembershipRef = builder.prismaObject('Membership', {
  interfaces: [NodeRef],
  fields: (t) => ({ id: t.id({ resolve: (row) => globalIdOf('Membership', row) }) }),
});

/** A per-organization switch; its fields are in feature-flag.ts. */
export const FeatureFlagRef = builder.prismaObject('FeatureFlag', {
  interfaces: [NodeRef],
  fields: (t) => ({ id: t.id({ resolve: (row) => globalIdOf('FeatureFlag', row) }) }),
});

/** Members in join order, a page at a time. */
export const MembershipConnectionRef = builder.connectionObject({ type: MembershipRef, name: 'MembershipConnection' });

/** What signUp and logIn answer; implemented in auth.ts. */
export const AuthPayloadRef = builder.objectRef<AuthPayload>('AuthPayload');
