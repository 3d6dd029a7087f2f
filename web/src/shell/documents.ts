import { graphql } from '../gql/index.ts';

/** Who is signed in and their organizations: the switcher's choices. Null viewer: the token is no longer valid. */
export const ViewerQuery = graphql(`
  query WebViewer {
    viewer {
      id
      name
      email
      memberships {
        id
        role
        organization {
          id
          name
          slug
        }
      }
    }
  }
`);
