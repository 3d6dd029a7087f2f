// Paging through an organization's members: join order, cursors, and the arguments refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { OrganizationPageDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeUser, makeOwnedOrg } from '../helpers/fixtures.ts';

let world: TestWorld;
let other: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  other = await world.startInstance();
});
afterAll(() => world.close());

/** A signed-in OWNER alone in a fresh org (the shared fixture, on this file's database). */
const ownedOrg = (flags?: Record<string, boolean>) => makeOwnedOrg(world.prisma, flags);

describe('members paging', () => {
  /** An org whose members joined one after another, two of them in the same millisecond; answers user ids in join order. */
  async function orgWithSevenMembers() {
    const o = await ownedOrg();
    const base = Date.now() + 60_000;
    const joined = [globalId('User', o.owner.user.id)];
    const times = [base, base + 1_000, base + 2_000, base + 2_000, base + 3_000, base + 4_000];
    const rows = [];
    for (const [i, t] of times.entries()) {
      const user = await makeUser(world.prisma, { name: `Joiner ${i}` });
      rows.push(
        await world.prisma.membership.create({
          data: { userId: user.id, organizationId: o.org.id, role: 'VIEWER', createdAt: new Date(t) },
        }),
      );
    }
    // The pair that joined in the same millisecond is ordered by id.
    const [a, b] = [rows[2]!, rows[3]!];
    if (a.id > b.id) [rows[2], rows[3]] = [b, a];
    joined.push(...rows.map((r) => globalId('User', r.userId)));
    return { ...o, joined };
  }

  it('first: 2, then after: endCursor, walks every member once, in join order', async () => {
    const o = await orgWithSevenMembers();
    const seen: string[] = [];
    const pages: { hasNextPage: boolean; hasPreviousPage: boolean; size: number }[] = [];
    let after: string | null | undefined;
    for (let i = 0; i < 10; i++) {
      const instance = i % 2 === 0 ? world.server : other;
      const res = await instance.gql(OrganizationPageDocument, {
        variables: { slug: o.org.slug, first: 2, after },
        token: o.token,
      });
      expect(res.errors).toBeUndefined();
      const members = res.data?.organization?.members;
      if (!members) throw new Error('no members');
      seen.push(...members.edges.map((e) => e.node.user.id));
      pages.push({
        hasNextPage: members.pageInfo.hasNextPage,
        hasPreviousPage: members.pageInfo.hasPreviousPage,
        size: members.edges.length,
      });
      expect(members.pageInfo.startCursor).toBe(members.edges[0]?.cursor ?? null);
      expect(members.pageInfo.endCursor).toBe(members.edges.at(-1)?.cursor ?? null);
      if (!members.pageInfo.hasNextPage) break;
      after = members.pageInfo.endCursor;
    }
    expect(seen).toEqual(o.joined);
    expect(pages).toEqual([
      { hasNextPage: true, hasPreviousPage: false, size: 2 },
      { hasNextPage: true, hasPreviousPage: true, size: 2 },
      { hasNextPage: true, hasPreviousPage: true, size: 2 },
      { hasNextPage: false, hasPreviousPage: true, size: 1 },
    ]);
    const all = await world.server.gql(OrganizationPageDocument, { variables: { slug: o.org.slug, first: 100 }, token: o.token });
    expect(all.data?.organization?.members.edges.map((e) => e.node.user.id)).toEqual(o.joined);
    expect(all.data?.organization?.members.pageInfo.hasNextPage).toBe(false);
    expect(all.data?.organization?.memberCount).toBe(7);
  });

  it.each([0, -1, 101])('first: %d is BAD_USER_INPUT', async (first) => {
    const o = await ownedOrg();
    const res = await world.server.gql(OrganizationPageDocument, { variables: { slug: o.org.slug, first }, token: o.token });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe('first');
  });

  it.each(['garbage', '!!!', Buffer.from('not-a-time:x').toString('base64url')])('after: %j is BAD_USER_INPUT', async (after) => {
    const o = await ownedOrg();
    const res = await world.server.gql(OrganizationPageDocument, {
      variables: { slug: o.org.slug, first: 2, after },
      token: o.token,
    });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe('after');
  });
});
