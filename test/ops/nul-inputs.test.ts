import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser, unique } from '../helpers/fixtures.ts';
import {
  AddMemberDocument,
  CreateOrganizationDocument,
  LogInDocument,
  OrganizationPageDocument,
  SignUpDocument,
  UpdateOrganizationDocument,
  UpdateProfileDocument,
} from '../generated/graphql.ts';

// PostgreSQL refuses NUL in text (error 22021): every string input must be
// refused as the client's mistake, not answered as a server failure.

let world: TestWorld;
let token: string;
let orgId: string;
let orgSlug: string;

beforeAll(async () => {
  world = await createTestWorld();
  const owner = await makeSignedInUser(world.prisma);
  const org = await makeOrg(world.prisma, [{ user: owner.user, role: 'OWNER' }]);
  token = owner.token;
  orgId = globalId('Organization', org.id);
  orgSlug = org.slug;
});
afterAll(() => world.close());

interface Case {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: one table over documents of different types
  document: TypedDocumentNode<any, any>;
  variables: () => object;
  signedIn: boolean;
}

const email = () => `${unique('nul')}\u0000@test.example`;

const cases: Case[] = [
  { name: 'organization(slug)', document: OrganizationPageDocument, variables: () => ({ slug: 'ac\u0000me' }), signedIn: true },
  {
    name: 'logIn email',
    document: LogInDocument,
    variables: () => ({ input: { email: email(), password: 'whatever-password' } }),
    signedIn: false,
  },
  {
    name: 'signUp email',
    document: SignUpDocument,
    variables: () => ({ input: { email: email(), name: 'Nul', password: 'long-enough-password' } }),
    signedIn: false,
  },
  {
    name: 'signUp name',
    document: SignUpDocument,
    variables: () => ({ input: { email: `${unique('nul')}@test.example`, name: 'N\u0000ul', password: 'long-enough-password' } }),
    signedIn: false,
  },
  {
    name: 'updateProfile name',
    document: UpdateProfileDocument,
    variables: () => ({ input: { name: 'N\u0000ul' } }),
    signedIn: true,
  },
  {
    name: 'addMember email',
    document: AddMemberDocument,
    variables: () => ({ input: { organizationId: orgId, email: email() } }),
    signedIn: true,
  },
  {
    name: 'createOrganization slug',
    document: CreateOrganizationDocument,
    variables: () => ({ input: { name: 'Nul', slug: 'nul\u0000slug' } }),
    signedIn: true,
  },
  {
    name: 'updateOrganization name',
    document: UpdateOrganizationDocument,
    variables: () => ({ input: { organizationId: orgId, name: 'N\u0000ul' } }),
    signedIn: true,
  },
  {
    name: 'a string literal in the document',
    document: parse('query { organization(slug: "ac\\u0000me") { id } }'),
    variables: () => ({}),
    signedIn: true,
  },
];

describe('a NUL character in a string input', () => {
  it.each(cases)('$name answers BAD_USER_INPUT', async ({ document, variables, signedIn }) => {
    const response = await world.server.gql(document, { variables: variables(), token: signedIn ? token : null });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toBe('Text may not contain NUL characters (\\u0000)');
  });

  it('names the variable it found, and leaves text without NUL alone', async () => {
    const refused = await world.server.gql(UpdateProfileDocument, { variables: { input: { name: 'N\u0000ul' } }, token });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });

    const page = await world.server.gql(OrganizationPageDocument, { variables: { slug: orgSlug }, token });
    expect(page.errors).toBeUndefined();
    expect(page.data?.organization?.slug).toBe(orgSlug);
  });
});
