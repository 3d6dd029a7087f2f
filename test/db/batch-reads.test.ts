// Timestamps are stored without a zone and hold UTC: read in a zone far from
// UTC, a reader that took them as local time would be hours off.
process.env['TZ'] = 'Pacific/Kiritimati';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaBatchReads, type BatchReads } from '../../src/db/batch-reads.ts';
import { pgBatchReads } from '../../src/db/pg-batch-reads.ts';
import { columnsOf, RowShapeError } from '../../src/db/row-fields.ts';
import { Role } from '../../src/generated/prisma/enums.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { makeOrg, makeUser, signInAs, unique } from '../helpers/fixtures.ts';

let db: TestDatabase;
let prisma: BatchReads;
let prepared: BatchReads;
let ids: { users: string[]; orgs: string[]; slugs: string[]; memberships: string[]; flags: string[]; hashes: string[] };

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = prismaBatchReads(db.prisma);
  prepared = pgBatchReads(db.pool);
  const withAvatar = await makeUser(db.prisma, { avatarUrl: 'https://example.test/a.png' });
  const plain = await makeUser(db.prisma);
  const third = await makeUser(db.prisma);
  // Members created in one statement share a createdAt: their order falls back to id.
  const first = await makeOrg(
    db.prisma,
    [
      { user: withAvatar, role: 'OWNER' },
      { user: plain, role: 'VIEWER' },
      { user: third, role: 'MEMBER' },
    ],
    { flags: { 'b-flag': true, 'a-flag': false, 'billing.v2': true } },
  );
  const second = await makeOrg(db.prisma, [{ user: plain, role: 'ADMIN' }], { flags: {} });
  await db.prisma.organization.update({ where: { id: second.id }, data: { plan: 'ENTERPRISE' } });
  const later = await makeOrg(db.prisma, [{ user: withAvatar, role: 'MEMBER' }]);
  const tokens = [await signInAs(db.prisma, plain), await signInAs(db.prisma, withAvatar, new Date('2031-05-06T07:08:09.123Z'))];
  const memberships = await db.prisma.membership.findMany({ select: { id: true } });
  const flags = await db.prisma.featureFlag.findMany({ select: { id: true } });
  const sessions = await db.prisma.session.findMany({ select: { tokenHash: true } });
  ids = {
    users: [withAvatar.id, plain.id, third.id, unique('missing')],
    orgs: [first.id, second.id, later.id, unique('missing')],
    slugs: [first.slug, later.slug, unique('missing')],
    memberships: [...memberships.map((m) => m.id), unique('missing')],
    flags: [...flags.map((f) => f.id), unique('missing')],
    hashes: [...sessions.map((s) => s.tokenHash), unique('missing')],
  };
  expect(tokens).toHaveLength(2);
});
afterAll(() => db.drop());

/** Rows by id, so two paths compare whatever order the database gave unordered batches. */
const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

describe('the prepared statements answer what Prisma answers', () => {
  it('for rows by key: every field, with its type (Dates in UTC, enums, nulls), and nothing for unknown keys', async () => {
    const pairs: [string, () => Promise<{ id: string }[]>, () => Promise<{ id: string }[]>][] = [
      ['users', () => prisma.usersById(ids.users), () => prepared.usersById(ids.users)],
      ['orgs', () => prisma.organizationsById(ids.orgs), () => prepared.organizationsById(ids.orgs)],
      ['slugs', () => prisma.organizationsBySlug(ids.slugs), () => prepared.organizationsBySlug(ids.slugs)],
      ['memberships', () => prisma.membershipsById(ids.memberships), () => prepared.membershipsById(ids.memberships)],
      ['flags', () => prisma.featureFlagsById(ids.flags), () => prepared.featureFlagsById(ids.flags)],
      ['sessions', () => prisma.sessionsByTokenHash(ids.hashes), () => prepared.sessionsByTokenHash(ids.hashes)],
    ];
    for (const [name, viaPrisma, viaPg] of pairs) {
      const [expected, actual] = [byId(await viaPrisma()), byId(await viaPg())];
      expect(expected.length, name).toBeGreaterThan(0);
      expect(actual, name).toStrictEqual(expected);
    }
    const [session] = (await prepared.sessionsByTokenHash(ids.hashes)).filter((s) => s.expiresAt.getUTCFullYear() === 2031);
    expect(session?.expiresAt.toISOString()).toBe('2031-05-06T07:08:09.123Z');
    const users = await prepared.usersById(ids.users);
    expect(users.map((u) => u.avatarUrl).sort()).toEqual([null, null, 'https://example.test/a.png'].sort());
    expect(users.every((u) => !('passwordHash' in u))).toBe(true);
  });

  it('for relation lists: the same rows in the same order (memberships by createdAt then id, flags by key)', async () => {
    expect(await prepared.membershipsOfUsers(ids.users)).toStrictEqual(await prisma.membershipsOfUsers(ids.users));
    expect(await prepared.membershipsOfOrganizations(ids.orgs)).toStrictEqual(await prisma.membershipsOfOrganizations(ids.orgs));
    const flags = await prepared.flagsOfOrganizations(ids.orgs);
    expect(flags).toStrictEqual(await prisma.flagsOfOrganizations(ids.orgs));
    expect(flags.map((f) => f.key)).toEqual(['a-flag', 'b-flag', 'billing.v2']);
  });

  it('each batch is one statement, whatever the number of keys', async () => {
    const statements: string[] = [];
    const counted = pgBatchReads(db.pool, (text) => statements.push(text));
    await counted.usersById(ids.users);
    await counted.membershipsOfOrganizations(ids.orgs);
    expect(statements).toHaveLength(2);
  });
});

describe('a row that does not fit its model', () => {
  it('fails loudly instead of reaching a resolver with the wrong shape', () => {
    const columns = columnsOf('User');
    expect(() => columns.text([42], 0)).toThrow(RowShapeError);
    expect(() => columns.optionalText([undefined], 0)).toThrow(RowShapeError);
    expect(() => columns.date(['2026-01-01'], 0)).toThrow(RowShapeError);
    expect(() => columns.date([Number.NaN], 0)).toThrow(RowShapeError);
    expect(columns.date([1_700_000_000_123], 0).toISOString()).toBe('2023-11-14T22:13:20.123Z');
    expect(() => columns.bool(['true'], 0)).toThrow(RowShapeError);
    expect(() => columns.oneOf(Role, ['GOLD'], 0)).toThrow(/OWNER\|ADMIN\|MEMBER\|VIEWER/);
    expect(() => columns.oneOf(Role, ['toString'], 0)).toThrow(RowShapeError);
    expect(columns.oneOf(Role, ['ADMIN'], 0)).toBe('ADMIN');
    expect(columns.optionalText([null], 0)).toBeNull();
  });
});
