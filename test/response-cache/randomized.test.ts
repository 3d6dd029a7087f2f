import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../prisma/seed.ts';
import type { Role } from '../../src/generated/prisma/client.ts';
import { globalId } from '../../src/schema/global-id.ts';
import {
  AddMemberDocument,
  ChangeMemberRoleDocument,
  OrganizationPageDocument,
  OrganizationsDocument,
  PageLoadDocument,
  RemoveMemberDocument,
  SetFeatureFlagDocument,
  UpdateProfileDocument,
  ViewerDocument,
} from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser } from '../helpers/fixtures.ts';

// Two cached instances against an oracle with both caches off, on one
// database: after every write, every read on a cached instance must equal the
// oracle's. A wrong viewer's answer or a stale one shows as a difference.

const SEED = Number(process.env['RANDOM_SEED'] ?? 20261123);
const STEPS = 60;

let world: TestWorld;
let cached: TestInstance[];
let oracle: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  cached = [world.server, await world.startInstance()];
  oracle = await world.startInstance({ env: { RESPONSE_CACHE: 'false', ENTITY_CACHE: 'false' } });
});
afterAll(() => world.close());

describe('randomized writes and reads across instances', () => {
  it(`no read differs from the uncached oracle (seed ${SEED})`, async () => {
    const random = mulberry32(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => makeSignedInUser(world.prisma, { name: `User ${i}` })));
    const orgs: { owner: (typeof users)[number]; org: Awaited<ReturnType<typeof makeOrg>> }[] = [];
    for (let o = 0; o < 3; o++) {
      const owner = users[o] as (typeof users)[number];
      const members = users
        .filter((_, i) => i !== o && random() < 0.5)
        .map((m) => ({ user: m.user, role: pick<Role>(['ADMIN', 'MEMBER', 'VIEWER']) }));
      orgs.push({
        owner,
        org: await makeOrg(world.prisma, [{ user: owner.user, role: 'OWNER' }, ...members], { flags: { alpha: true } }),
      });
    }

    // Each read is drawn once, then sent to a cached instance and to the oracle alike.
    const reads = [
      () => (token: string, on: TestInstance) => on.gql(PageLoadDocument, { token }),
      () => (token: string, on: TestInstance) => on.gql(ViewerDocument, { token }),
      () => (token: string, on: TestInstance) => on.gql(OrganizationsDocument, { token }),
      () => {
        const slug = pick(orgs).org.slug;
        return (token: string, on: TestInstance) => on.gql(OrganizationPageDocument, { token, variables: { slug, first: 10 } });
      },
    ];

    let compared = 0;
    let hits = 0;
    for (let step = 0; step < STEPS; step++) {
      const { owner, org } = pick(orgs);
      const orgId = globalId('Organization', org.id);
      const on = pick(cached);
      const members = await world.prisma.membership.findMany({ where: { organizationId: org.id, role: { not: 'OWNER' } } });
      const memberIds = new Set(members.map((m) => m.userId));
      const outsiders = users.filter((u) => u.user.id !== owner.user.id && !memberIds.has(u.user.id));
      const op = pick(['add', 'role', 'remove', 'flag', 'profile'] as const);
      let label: string = op;
      if (op === 'add' && outsiders.length > 0) {
        const who = pick(outsiders);
        label = `add ${who.user.name}`;
        await on.gql(AddMemberDocument, {
          token: owner.token,
          variables: { input: { organizationId: orgId, email: who.user.email, role: pick<Role>(['ADMIN', 'MEMBER', 'VIEWER']) } },
        });
      } else if (op === 'role' && members.length > 0) {
        const m = pick(members);
        await on.gql(ChangeMemberRoleDocument, {
          token: owner.token,
          variables: { input: { membershipId: globalId('Membership', m.id), role: pick<Role>(['ADMIN', 'MEMBER', 'VIEWER']) } },
        });
      } else if (op === 'remove' && members.length > 0) {
        await on.gql(RemoveMemberDocument, {
          token: owner.token,
          variables: { input: { membershipId: globalId('Membership', pick(members).id) } },
        });
      } else if (op === 'flag') {
        await on.gql(SetFeatureFlagDocument, {
          token: owner.token,
          variables: { input: { organizationId: orgId, key: pick(['alpha', 'beta']), enabled: random() < 0.5 } },
        });
      } else {
        const who = pick(users);
        await on.gql(UpdateProfileDocument, { token: who.token, variables: { input: { name: `User ${step}` } } });
      }
      for (const reader of users) {
        const read = pick(reads)();
        const instance = pick(cached);
        const [got, want] = [await read(reader.token, instance), await read(reader.token, oracle)];
        if (got.headers.get('x-cache') === 'HIT') hits += 1;
        expect(got.data, `step ${step} (${label}), reader ${reader.user.name}`).toEqual(want.data);
        expect(got.errors).toEqual(want.errors);
        compared += 1;
      }
    }
    expect(compared).toBe(STEPS * users.length);
    // The comparison means something only if the cached instances did serve from cache.
    expect(hits).toBeGreaterThan(STEPS);
  }, 120_000);
});
