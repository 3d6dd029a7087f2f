import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { AddMemberDocument, ChangeMemberRoleDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser, makeUser } from '../helpers/fixtures.ts';

// Concurrent writes to one organization, sent at once over separate connections.
// For addMember the gate is Postgres itself: the test holds a SHARE lock on
// "Membership", so both transactions run up to their insert and queue; once both
// wait, the lock goes and they race for real. (The same gate on the demotions saw
// only one of the two transactions reach Postgres while the other was held, so
// there the race is repeated instead.)

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/**
 * Runs `writes` while the test holds `hold` (a lock statement) in a transaction
 * of its own; releases it once `waiting` backends of this database wait on a
 * lock, and answers the writes' results.
 */
async function raceHeld<T>(hold: string, writes: () => Promise<T>[], waiting: number): Promise<T[]> {
  const gate = new pg.Client({ connectionString: world.db.url });
  await gate.connect();
  try {
    await gate.query('BEGIN');
    await gate.query(hold);
    const running = Promise.all(writes());
    await vi.waitFor(
      async () => {
        const { rows } = await gate.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        expect(rows[0]?.n).toBe(waiting);
      },
      { timeout: 10_000, interval: 10 },
    );
    await gate.query('COMMIT');
    return await running;
  } finally {
    await gate.end();
  }
}

async function twoOwners() {
  const a = await makeSignedInUser(world.prisma);
  const b = await makeSignedInUser(world.prisma);
  const org = await makeOrg(world.prisma, [
    { user: a.user, role: 'OWNER' },
    { user: b.user, role: 'OWNER' },
  ]);
  const membershipOf = async (userId: string) =>
    globalId('Membership', (await world.prisma.membership.findFirstOrThrow({ where: { organizationId: org.id, userId } })).id);
  const demote = (token: string, membershipId: string) =>
    world.server.gql(ChangeMemberRoleDocument, { token, variables: { input: { membershipId, role: 'ADMIN' } } });
  const aId = await membershipOf(a.user.id);
  const bId = await membershipOf(b.user.id);
  return {
    org,
    // A demotes B while B demotes A.
    crossDemote: () => [demote(a.token, bId), demote(b.token, aId)],
  };
}

const owners = (organizationId: string) => world.prisma.membership.count({ where: { organizationId, role: 'OWNER' } });

describe('two OWNERs demoting each other at once', () => {
  it('sent truly concurrently, 10 times over, always leave exactly one OWNER (the loser, no longer an OWNER, is FORBIDDEN)', async () => {
    for (let round = 0; round < 10; round++) {
      const { org, crossDemote } = await twoOwners();
      const answers = await Promise.all(crossDemote());
      expect(answers.map(errorCodes).sort()).toEqual([[], ['FORBIDDEN']]);
      expect(await owners(org.id)).toBe(1);
    }
  });
});

describe('adding the same user twice at once', () => {
  it('answers one success and one CONFLICT, and makes one membership', async () => {
    const owner = await makeSignedInUser(world.prisma);
    const admin = await makeSignedInUser(world.prisma);
    const org = await makeOrg(world.prisma, [
      { user: owner.user, role: 'OWNER' },
      { user: admin.user, role: 'ADMIN' },
    ]);
    const newcomer = await makeUser(world.prisma);
    const add = (token: string) =>
      world.server.gql(AddMemberDocument, {
        token,
        variables: { input: { organizationId: globalId('Organization', org.id), email: newcomer.email } },
      });
    // Inserts queue behind a SHARE lock on the table (the row to collide on does not exist yet).
    const answers = await raceHeld('LOCK TABLE "Membership" IN SHARE MODE', () => [add(owner.token), add(admin.token)], 2);
    expect(answers.map(errorCodes).sort()).toEqual([[], ['CONFLICT']]);
    const conflict = answers.find((a) => a.errors)?.errors?.[0];
    expect(conflict?.message).toBe('This user is already a member');
    expect(conflict?.extensions?.['field']).toBe('email');
    expect(await world.prisma.membership.count({ where: { organizationId: org.id, userId: newcomer.id } })).toBe(1);
  });

  it('sent concurrently without a gate, 8 times over, always answer one success and one CONFLICT', async () => {
    for (let round = 0; round < 8; round++) {
      const owner = await makeSignedInUser(world.prisma);
      const org = await makeOrg(world.prisma, [{ user: owner.user, role: 'OWNER' }]);
      const newcomer = await makeUser(world.prisma);
      const add = () =>
        world.server.gql(AddMemberDocument, {
          token: owner.token,
          variables: { input: { organizationId: globalId('Organization', org.id), email: newcomer.email } },
        });
      const answers = await Promise.all([add(), add()]);
      expect(answers.map(errorCodes).sort()).toEqual([[], ['CONFLICT']]);
      expect(await world.prisma.membership.count({ where: { organizationId: org.id, userId: newcomer.id } })).toBe(1);
    }
  });
});
