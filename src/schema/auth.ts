import type { AuthPayload } from '../services/auth.ts';
import { builder } from './builder.ts';
import { UserType } from './user.ts';

const AuthPayloadType = builder.objectRef<AuthPayload>('AuthPayload').implement({
  description: 'A new session: send `Authorization: Bearer <token>` with every request',
  fields: (t) => ({
    token: t.exposeString('token'),
    user: t.field({ type: UserType, resolve: (payload) => payload.user }),
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
  signUp: t.field({
    type: AuthPayloadType,
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.auth.signUp(input),
  }),
  logIn: t.field({
    type: AuthPayloadType,
    args: { input: t.arg({ type: LogInInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.auth.logIn(input),
  }),
  logOut: t.boolean({
    description: 'Ends the current session at once, on every instance',
    resolve: (_root, _args, ctx) => ctx.services.auth.logOut(),
  }),
}));
