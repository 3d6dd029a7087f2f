import { type ReactNode, useEffect } from 'react';
import { useMutation, useQuery } from 'urql';
import { LogOutMutation } from '../auth/documents.ts';
import { problemOf } from '../errors/codes.ts';
import { ProblemNotice } from '../errors/problem-notice.tsx';
import { endSession } from '../session/session.ts';
import { ViewerQuery } from './documents.ts';
import { OrganizationSwitcher } from './organization-switcher.tsx';

/** The signed-in frame: who is signed in, the organization switcher and sign-out, above the screen. */
export function Shell({ token, children }: { token: string; children: ReactNode }) {
  const [{ data, fetching, error }] = useQuery({ query: ViewerQuery });
  const [logOut, sendLogOut] = useMutation(LogOutMutation);
  const viewer = data?.viewer;

  // The API answers a token it no longer knows (expired, signed out elsewhere) with a null viewer.
  useEffect(() => {
    if (data && !data.viewer) endSession('expired', token);
  }, [data, token]);

  const signOut = async () => {
    // Signed out here whatever the server says: at worst the session lapses there on its own.
    await sendLogOut({});
    endSession('signed-out', token);
  };

  return (
    <>
      <header className="top">
        <span className="brand">tenant-graph</span>
        {viewer && <OrganizationSwitcher memberships={viewer.memberships ?? []} />}
        <span className="spacer" />
        {viewer && <span className="who">{viewer.name}</span>}
        <button type="button" onClick={signOut} disabled={logOut.fetching}>
          Sign out
        </button>
      </header>
      <main className="content">
        {error ? <ProblemNotice problem={problemOf(error)} /> : viewer ? children : fetching && <p>Loading…</p>}
      </main>
    </>
  );
}
