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

    /** What the writes are meant to change, read from Postgres: it must end unlike it began. */
    const model = async () =>
      JSON.stringify(
        await Promise.all([
          world.prisma.membership.findMany({ orderBy: { id: 'asc' }, select: { id: true, role: true } }),
          world.prisma.featureFlag.findMany({ orderBy: { id: 'asc' }, select: { id: true, key: true, enabled: true } }),
          world.prisma.user.findMany({ orderBy: { id: 'asc' }, select: { id: true, name: true } }),
        ]),
      );
    const initial = await model();
    const writes = new Map<string, number>();
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
        const role = pick<Role>(['ADMIN', 'MEMBER', 'VIEWER']);
        const res = await on.gql(AddMemberDocument, {
          token: owner.token,
          variables: { input: { organizationId: orgId, email: who.user.email, role } },
        });
        expect(res.errors, label).toBeUndefined();
        expect(res.data?.addMember.role, label).toBe(role);
        expect(res.data?.addMember.user.id, label).toBe(globalId('User', who.user.id));
      } else if (op === 'role' && members.length > 0) {
        const m = pick(members);
        const role = pick<Role>(['ADMIN', 'MEMBER', 'VIEWER']);
        const res = await on.gql(ChangeMemberRoleDocument, {
          token: owner.token,
          variables: { input: { membershipId: globalId('Membership', m.id), role } },
        });
        expect(res.errors, label).toBeUndefined();
        expect(res.data?.changeMemberRole, label).toEqual({ id: globalId('Membership', m.id), role });
      } else if (op === 'remove' && members.length > 0) {
        const membershipId = globalId('Membership', pick(members).id);
        const res = await on.gql(RemoveMemberDocument, { token: owner.token, variables: { input: { membershipId } } });
        expect(res.errors, label).toBeUndefined();
        expect(res.data?.removeMember, label).toBe(membershipId);
      } else if (op === 'flag') {
        const key = pick(['alpha', 'beta']);
        const enabled = random() < 0.5;
        const res = await on.gql(SetFeatureFlagDocument, {
          token: owner.token,
          variables: { input: { organizationId: orgId, key, enabled } },
        });
        expect(res.errors, label).toBeUndefined();
        expect(res.data?.setFeatureFlag, label).toMatchObject({ key, enabled, organization: { id: orgId } });
      } else {
        const who = pick(users);
        label = 'profile';
        const res = await on.gql(UpdateProfileDocument, { token: who.token, variables: { input: { name: `User ${step}` } } });
        expect(res.errors, label).toBeUndefined();
        expect(res.data?.updateProfile, label).toMatchObject({ id: globalId('User', who.user.id), name: `User ${step}` });
      }
      const kind = label.split(' ')[0] as string;
      writes.set(kind, (writes.get(kind) ?? 0) + 1);
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
    // Every kind of write ran, and together they changed the model the reads were compared on.
    expect([...writes.keys()].sort()).toEqual(['add', 'flag', 'profile', 'remove', 'role']);
    expect([...writes.values()].reduce((a, b) => a + b, 0)).toBe(STEPS);
    expect(await model()).not.toBe(initial);
    // The comparison means something only if the cached instances did serve from cache.
    expect(hits).toBeGreaterThan(STEPS);
  }, 120_000);
});
