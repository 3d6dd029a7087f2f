// The peer's schema, written SDL-first as an Apollo team would: the subset of
// tenant-graph's schema the bench's documents use, with the same names and
// types, so the same operations run against both and answer the same data.
// Cache hints follow Apollo's caching docs: a maxAge on each type, PRIVATE on
// everything that depends on who asks, and inheritMaxAge on connection
// wrappers so they do not reset the policy to "uncacheable".

/** Seconds a cached response lives; Apollo's cache has no invalidation, so a write shows after at most this long. */
export const CACHE_MAX_AGE = Number(process.env['CACHE_MAX_AGE'] ?? 60);

export const typeDefs = /* GraphQL */ `
  enum CacheControlScope {
    PUBLIC
    PRIVATE
  }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

  scalar DateTime

  enum Plan {
    FREE
    PRO
    ENTERPRISE
  }

  enum Role {
    OWNER
    ADMIN
    MEMBER
    VIEWER
  }

  type User @cacheControl(maxAge: ${CACHE_MAX_AGE}) {
    id: ID!
    name: String!
    avatarUrl: String
    createdAt: DateTime!
    email: String @cacheControl(scope: PRIVATE)
    memberships: [Membership!] @cacheControl(scope: PRIVATE)
  }

  type Organization @cacheControl(maxAge: ${CACHE_MAX_AGE}) {
    id: ID!
    name: String!
    slug: String!
    plan: Plan!
    createdAt: DateTime!
    viewerRole: Role @cacheControl(scope: PRIVATE)
    memberCount: Int!
    members(first: Int, after: String): MembershipConnection!
    featureFlags: [FeatureFlag!]!
  }

  type MembershipConnection @cacheControl(inheritMaxAge: true) {
    edges: [MembershipEdge!]!
    pageInfo: PageInfo!
  }

  type MembershipEdge @cacheControl(inheritMaxAge: true) {
    cursor: String!
    node: Membership!
  }

  type PageInfo @cacheControl(inheritMaxAge: true) {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type Membership @cacheControl(maxAge: ${CACHE_MAX_AGE}) {
    id: ID!
    role: Role!
    createdAt: DateTime!
    user: User!
    organization: Organization!
  }

  type FeatureFlag @cacheControl(maxAge: ${CACHE_MAX_AGE}) {
    id: ID!
    key: String!
    enabled: Boolean!
    organization: Organization!
  }

  type AuthPayload {
    token: String!
    user: User!
  }

  input LogInInput {
    email: String!
    password: String!
  }

  input SetFeatureFlagInput {
    organizationId: ID!
    key: String!
    enabled: Boolean!
  }

  input UpdateProfileInput {
    name: String
    avatarUrl: String
  }

  type Query {
    viewer: User @cacheControl(maxAge: ${CACHE_MAX_AGE}, scope: PRIVATE)
    organization(slug: String!): Organization @cacheControl(maxAge: ${CACHE_MAX_AGE}, scope: PRIVATE)
    organizations: [Organization!]! @cacheControl(maxAge: ${CACHE_MAX_AGE}, scope: PRIVATE)
  }

  type Mutation {
    logIn(input: LogInInput!): AuthPayload!
    setFeatureFlag(input: SetFeatureFlagInput!): FeatureFlag!
    updateProfile(input: UpdateProfileInput!): User!
  }
`;
