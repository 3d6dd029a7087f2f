import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaSDL } from '../../src/schema/print.ts';

describe('schema.graphql', () => {
  it('is what the code builds (run `npm run schema:print` after changing src/schema)', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaSDL());
  });

  it('keeps the public names clients rely on', () => {
    const sdl = printSchemaSDL();
    for (const field of [
      'viewer: User',
      'user(id: ID!): User',
      'organization(slug: String!): Organization',
      'organizations: [Organization!]!',
      'node(id: ID!): Node',
    ]) {
      expect(sdl).toContain(field);
    }
    for (const type of ['User', 'Organization', 'Membership', 'FeatureFlag'])
      expect(sdl).toMatch(new RegExp(`type ${type} implements Node`));
    for (const mutation of [
      'signUp',
      'logIn',
      'logOut',
      'updateProfile',
      'deleteAccount',
      'createOrganization',
      'updateOrganization',
      'deleteOrganization',
      'addMember',
      'changeMemberRole',
      'removeMember',
      'setFeatureFlag',
      'deleteFeatureFlag',
    ]) {
      expect(sdl).toMatch(new RegExp(`\\n  ${mutation}[(:]`));
    }
  });
});
