import { keys } from '../cache/keys.ts';
import { unauthenticated } from '../errors.ts';
import type { SafeStore } from '../cache/safe-store.ts';
import { ttlSeconds } from '../cache/ttl.ts';
import type { Loaders } from '../loaders/index.ts';
import { bearerToken, hashToken } from './tokens.ts';

/** The signed-in user of a request and the session that proves it. */
export interface Viewer {
  userId: string;
  sessionId: string;
  tokenHash: string;
}

/**
 * anonymous: no credentials sent. invalid: a token was sent but is malformed,
 * unknown or expired; fields needing a viewer answer UNAUTHENTICATED rather
 * than pretending the client is anonymous.
 */
export type ViewerState = { kind: 'anonymous' } | { kind: 'invalid' } | { kind: 'signedIn'; viewer: Viewer };

interface CachedSession {
  id: string;
  userId: string;
  expiresAt: number;
}

/**
 * Turns an Authorization header into a viewer on every request: the session is
 * looked up by token hash in the store, then in Postgres, and its expiry is
 * checked on each use, so a cached entry never outlives the session.
 */
export async function resolveViewer(
  authorization: string | null,
  deps: { store: SafeStore; loaders: Loaders; now?: () => number },
): Promise<ViewerState> {
  const token = bearerToken(authorization);
  if (token === undefined) return { kind: 'anonymous' };
  if (token === null) return { kind: 'invalid' };
  const now = deps.now?.() ?? Date.now();
  const tokenHash = hashToken(token);
  const key = keys.session(tokenHash);
  const [cached] = await deps.store.mget([key]);
  let session: CachedSession | null = cached ? (JSON.parse(cached) as CachedSession) : null;
  if (!session) {
    const row = await deps.loaders.sessionByTokenHash.load(tokenHash);
    if (row) {
      session = { id: row.id, userId: row.userId, expiresAt: row.expiresAt.getTime() };
      const remaining = Math.floor((session.expiresAt - now) / 1000);
      if (remaining > 0) {
        await deps.store.setMany([{ key, value: JSON.stringify(session), ttlSeconds: Math.min(ttlSeconds.session, remaining) }]);
      }
    }
  }
  if (!session || session.expiresAt <= now) return { kind: 'invalid' };
  return { kind: 'signedIn', viewer: { userId: session.userId, sessionId: session.id, tokenHash } };
}

/**
 * The viewer of one request. Mutable for one reason: after signUp or logIn the
 * rest of that operation is answered for the new session (its own email, say),
 * and after logOut for nobody.
 */
export class RequestViewer {
  constructor(public state: ViewerState) {}

  /** The signed-in user's id, or null. */
  get userId(): string | null {
    return this.state.kind === 'signedIn' ? this.state.viewer.userId : null;
  }

  /** The signed-in viewer, or UNAUTHENTICATED: nothing that needs a viewer runs for anonymous or invalid tokens. */
  require(): Viewer {
    if (this.state.kind !== 'signedIn') {
      throw unauthenticated(this.state.kind === 'invalid' ? 'Your session is invalid or has expired' : undefined);
    }
    return this.state.viewer;
  }

  signIn(viewer: Viewer): void {
    this.state = { kind: 'signedIn', viewer };
  }

  signOut(): void {
    this.state = { kind: 'anonymous' };
  }
}
