import { POLICIES } from '../rate-limit/policies.ts';
import { builder, perViewerLimit } from './builder.ts';
import { AuthPayloadRef, UserRef } from './refs.ts';

AuthPayloadRef.implement({
  description: 'A new session: send `Authorization: Bearer <token>` with every request',
  fields: (t) => ({
    token: t.exposeString('token'),
    user: t.field({ type: UserRef, resolve: (payload) => payload.user }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true, description: 'At least 8 characters' }),
    name: t.string({ required: true }),
  }),
});

const LogInInput = builder.inputType('LogInInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  // Nullable so that, in a document with several aliased attempts, one refused (RATE_LIMITED) leaves the others answered.
  signUp: t.field({
    type: AuthPayloadRef,
    nullable: true,
    directives: [{ name: 'rateLimit', args: POLICIES.authPerIp }],
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.auth.signUp(input),
  }),
  logIn: t.field({
    type: AuthPayloadRef,
    nullable: true,
    directives: [
      { name: 'rateLimit', args: POLICIES.authPerIp },
      { name: 'rateLimit', args: POLICIES.loginPerEmail },
    ],
    args: { input: t.arg({ type: LogInInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.auth.logIn(input),
  }),
  logOut: t.boolean({
    directives: perViewerLimit,
    description: 'Ends the current session at once, on every instance',
    resolve: (_root, _args, ctx) => ctx.services.auth.logOut(),
  }),
}));
