// Organization mutations refused without a viewer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateOrganizationDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { unique } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const slugFor = () => unique('s').toLowerCase();

describe('createOrganization', () => {
  it('signed out is UNAUTHENTICATED', async () => {
    const res = await world.server.gql(CreateOrganizationDocument, { variables: { input: { name: 'X', slug: slugFor() } } });
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });
});
