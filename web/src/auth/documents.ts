import { graphql } from '../gql/index.ts';

/** Signs in; the answer's token goes in every later request's Authorization header. */
export const LogInMutation = graphql(`
  mutation WebLogIn($input: LogInInput!) {
    logIn(input: $input) {
      token
      user {
        id
        name
      }
    }
  }
`);

/** Ends the session on the server, on every instance, at once. */
export const LogOutMutation = graphql(`
  mutation WebLogOut {
    logOut
  }
`);
