// Account mutations refused without a viewer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteAccountDocument, UpdateProfileDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

describe('updateProfile', () => {
  it('signed out is UNAUTHENTICATED', async () => {
    expect(errorCodes(await world.server.gql(UpdateProfileDocument, { variables: { input: { name: 'X' } } }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});

describe('deleteAccount', () => {
  it('signed out is UNAUTHENTICATED', async () => {
    expect(errorCodes(await world.server.gql(DeleteAccountDocument))).toEqual(['UNAUTHENTICATED']);
  });
});
