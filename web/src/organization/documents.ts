import { graphql } from '../gql/index.ts';

/** One page of an organization: its members from `after` on, its member count and its flags. */
export const OrganizationQuery = graphql(`
  query WebOrganization($slug: String!, $first: Int!, $after: String) {
    organization(slug: $slug) {
      id
      name
      slug
      plan
      viewerRole
      memberCount
      members(first: $first, after: $after) {
        edges {
          node {
            id
            role
            user {
              id
              name
              email
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
      featureFlags {
        id
        key
        enabled
      }
    }
  }
`);

/** Turns a flag on or off (OWNER or ADMIN). */
export const SetFeatureFlagMutation = graphql(`
  mutation WebSetFeatureFlag($input: SetFeatureFlagInput!) {
    setFeatureFlag(input: $input) {
      id
      key
      enabled
    }
  }
`);

/** Gives a member another role (OWNER or ADMIN; OWNER alone grants or revokes OWNER). */
export const ChangeMemberRoleMutation = graphql(`
  mutation WebChangeMemberRole($input: ChangeMemberRoleInput!) {
    changeMemberRole(input: $input) {
      id
      role
    }
  }
`);
