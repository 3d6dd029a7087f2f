import { useSyncExternalStore } from 'react';

/** Why the last session ended, shown on the sign-in screen; null when nothing needs saying. */
export type SignedOutReason = 'expired' | 'signed-out' | null;

/** The signed-in state: the bearer token the API issued, or null, and why the previous one ended. */
export interface SessionState {
  token: string | null;
  reason: SignedOutReason;
}

// localStorage, so a sign-in lasts across tabs and reloads as long as the server's session does.
const TOKEN_KEY = 'tenant-graph.token';

let state: SessionState = { token: readToken(), reason: null };
const listeners = new Set<() => void>();

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    // Storage refused (a privacy mode): the session lives in memory until the tab closes.
    return null;
  }
}

function update(next: SessionState): void {
  state = next;
  try {
    if (next.token) localStorage.setItem(TOKEN_KEY, next.token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // As in readToken: memory only.
  }
  for (const listener of listeners) listener();
}

/** Starts a session with the token logIn answered. */
export function signIn(token: string): void {
  update({ token, reason: null });
}

/**
 * Ends the session on this side: the token is forgotten and the sign-in screen says why. Only the
 * session that was current when the failing request left ends, so a late answer to an old session's
 * request never signs out a new one.
 */
export function endSession(reason: Exclude<SignedOutReason, null>, token: string | null = state.token): void {
  if (token === null || token !== state.token) return;
  update({ token: null, reason });
}

/** The current session, re-rendering the caller when it changes. */
export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}
