import { unauthenticated } from '../errors.ts';
import type { Loaders } from '../loaders/index.ts';
import { bearerToken, hashToken, sessionRef, tokenUserId } from './tokens.ts';

/** The signed-in user of a request and the session that proves it. */
export interface Viewer {
  userId: string;
  sessionId: string;
  /** The session's cache reference (auth/tokens.ts), what logOut invalidates. */
  sessionRef: string;
}

/**
 * anonymous: no credentials sent. invalid: a token was sent but is malformed,
 * unknown or expired; fields needing a viewer answer UNAUTHENTICATED rather
 * than pretending the client is anonymous.
 */
export type ViewerState = { kind: 'anonymous' } | { kind: 'invalid' } | { kind: 'signedIn'; viewer: Viewer };

/**
 * Turns an Authorization header into a viewer on every request, cache hits
 * included: the session comes through the entity cache by token hash, and its
 * expiry is checked on each use, so a cached row never outlives the session.
 */
export async function resolveViewer(
  authorization: string | null | undefined,
  loaders: Loaders,
  now = Date.now(),
): Promise<ViewerState> {
  const token = bearerToken(authorization);
  if (token === undefined) return { kind: 'anonymous' };
  if (token === null) return { kind: 'invalid' };
  const named = tokenUserId(token);
  const ref = sessionRef(named, hashToken(token));
  const session = await loaders.sessionByRef.load(ref);
  if (!session || session.expiresAt.getTime() <= now) return { kind: 'invalid' };
  // A token naming another user than its session's was not issued by this server.
  if (named && named !== session.userId) return { kind: 'invalid' };
  return { kind: 'signedIn', viewer: { userId: session.userId, sessionId: session.id, sessionRef: ref } };
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
