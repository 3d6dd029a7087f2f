import { touched } from '../cache/touched.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { hashToken, newSessionToken, sessionRef } from '../auth/tokens.ts';
import { mapPrismaErrors, unauthenticated } from '../errors.ts';
import type { User } from '../generated/prisma/client.ts';
import type { ServiceDeps } from './deps.ts';
import * as validate from './validate.ts';

/** What signUp and logIn return: the raw token exists only here and in the client's hands. */
export interface AuthPayload {
  token: string;
  user: User;
}

// Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
const timingDecoy = hashPassword('timing-decoy-password');

/** Sign-up, sign-in and sign-out: the writes to the Session table. */
export function createAuthService(deps: ServiceDeps) {
  const { prisma, invalidate, env } = deps;

  async function startSession(user: User): Promise<AuthPayload> {
    const token = newSessionToken(user.id);
    const expiresAt = new Date(Date.now() + env.SESSION_TTL_DAYS * 24 * 60 * 60 * 1000);
    const tokenHash = hashToken(token);
    const session = await prisma.session.create({ data: { tokenHash, userId: user.id, expiresAt } });
    deps.viewer.signIn({ userId: user.id, sessionId: session.id, sessionRef: sessionRef(user.id, tokenHash) });
    return { token, user };
  }

  return {
    async signUp(input: { email: string; password: string; name: string }): Promise<AuthPayload> {
      const email = validate.email(input.email);
      const password = validate.password(input.password);
      const name = validate.displayName(input.name);
      const passwordHash = await hashPassword(password);
      const user = await mapPrismaErrors(() => prisma.user.create({ data: { email, name, passwordHash } }), {
        conflict: 'An account with this email already exists',
        conflictField: 'email',
      });
      await invalidate([touched.user(user)]);
      return startSession(user);
    },

    /** Wrong email and wrong password answer alike, so sign-in never reveals which emails have accounts. */
    async logIn(input: { email: string; password: string }): Promise<AuthPayload> {
      const email = validate.email(input.email);
      const user = await prisma.user.findUnique({ where: { email } });
      // Without a user, a decoy hash is still checked so the answer takes as long.
      const ok = await verifyPassword(input.password, user ? user.passwordHash : await timingDecoy);
      if (!user || !ok) throw unauthenticated('Invalid email or password');
      return startSession(user);
    },

    /** Ends this session now: the row goes, and so does its cached copy on every instance. */
    async logOut(): Promise<boolean> {
      const viewer = deps.viewer.require();
      await prisma.session.deleteMany({ where: { id: viewer.sessionId } });
      await invalidate([touched.session(viewer.sessionRef)]);
      deps.viewer.signOut();
      return true;
    },
  };
}
