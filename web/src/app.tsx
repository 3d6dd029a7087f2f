import { useMemo } from 'react';
import { Provider } from 'urql';
import { Redirect, Route, Switch } from 'wouter';
import { SignIn } from './auth/sign-in.tsx';
import { createClient } from './client.ts';
import { OrganizationPage } from './organization/organization-page.tsx';
import { useSession } from './session/session.ts';
import { Home } from './shell/home.tsx';
import { NotFound } from './shell/not-found.tsx';
import { Shell } from './shell/shell.tsx';

/** The app: the sign-in screen while signed out, the organization screens while signed in. */
export function App() {
  const { token, reason } = useSession();
  // One client per session, so the next viewer starts with an empty cache.
  const client = useMemo(() => createClient(token), [token]);
  return (
    <Provider value={client}>
      {token ? (
        <Shell token={token}>
          <Switch>
            <Route path="/" component={Home} />
            <Route path="/orgs/:slug">{({ slug }) => <OrganizationPage key={slug} slug={slug} />}</Route>
            <Route path="/sign-in">
              <Redirect to="/" replace />
            </Route>
            <Route component={NotFound} />
          </Switch>
        </Shell>
      ) : (
        <Switch>
          <Route path="/sign-in">
            <SignIn reason={reason} />
          </Route>
          {/* Any other address waits behind the sign-in screen. */}
          <Route>
            <Redirect to="/sign-in" replace />
          </Route>
        </Switch>
      )}
    </Provider>
  );
}
