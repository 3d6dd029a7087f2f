import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { problemOf } from '../errors/codes.ts';
import { ProblemNotice } from '../errors/problem-notice.tsx';
import { type SignedOutReason, signIn } from '../session/session.ts';
import { LogInMutation } from './documents.ts';

const REASONS: Record<Exclude<SignedOutReason, null>, string> = {
  expired: 'Your session has expired or was ended elsewhere. Sign in again.',
  'signed-out': 'You have signed out.',
};

/** The sign-in form; says why the previous session ended, if it did. */
export function SignIn({ reason }: { reason: SignedOutReason }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [{ fetching, error }, logIn] = useMutation(LogInMutation);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await logIn({ input: { email, password } });
    const token = result.data?.logIn?.token;
    if (token) signIn(token);
  };

  return (
    <main className="sign-in">
      <h1>tenant-graph</h1>
      {reason && (
        <p className="notice" role="status" data-reason={reason}>
          {REASONS[reason]}
        </p>
      )}
      <form onSubmit={submit}>
        <label>
          Email
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" disabled={fetching}>
          {fetching ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {error && <ProblemNotice problem={problemOf(error)} />}
      {/* The demo passwords stay in the README: this page is what a production deployment serves. */}
      <p className="hint">Demo accounts: see the README.</p>
    </main>
  );
}
