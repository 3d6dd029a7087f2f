import type pg from 'pg';
import { Plan, Role } from '../generated/prisma/enums.ts';
import type { FeatureFlag, Membership, Organization, Session } from '../generated/prisma/client.ts';
import type { BatchReads, PublicUser } from './batch-reads.ts';
import { columnsOf } from './row-fields.ts';

/** Called with each statement's text as it is sent: tests count statements with it. */
export type StatementHook = (text: string) => void;

// Prisma stores DateTime as `timestamp(3)` holding UTC. Each is sent as
// milliseconds since the epoch (EXTRACT takes a zoneless timestamp as UTC), a
// float8 that `pg` reads with parseFloat: right in any process time zone, and
// a fraction of the cost of parsing the timestamp's text per row.
const utc = (column: string) => `(EXTRACT(EPOCH FROM "${column}") * 1000)::float8`;

const USER = `SELECT "id","email","name","avatarUrl",${utc('createdAt')},${utc('updatedAt')} FROM "public"."User"`;
const ORGANIZATION = `SELECT "id","name","slug","plan",${utc('createdAt')} FROM "public"."Organization"`;
const MEMBERSHIP = `SELECT "id","role",${utc('createdAt')},"userId","organizationId" FROM "public"."Membership"`;
const FEATURE_FLAG = `SELECT "id","key","enabled",${utc('createdAt')},${utc('updatedAt')},"organizationId" FROM "public"."FeatureFlag"`;
const SESSION = `SELECT "id","tokenHash","userId",${utc('expiresAt')},${utc('createdAt')} FROM "public"."Session"`;
const MEMBER_ORDER = 'ORDER BY "createdAt" ASC, "id" ASC';

const user = columnsOf('User');
const toUser = (r: unknown[]): PublicUser => ({
  id: user.text(r, 0),
  email: user.text(r, 1),
  name: user.text(r, 2),
  avatarUrl: user.optionalText(r, 3),
  createdAt: user.date(r, 4),
  updatedAt: user.date(r, 5),
});
const organization = columnsOf('Organization');
const toOrganization = (r: unknown[]): Organization => ({
  id: organization.text(r, 0),
  name: organization.text(r, 1),
  slug: organization.text(r, 2),
  plan: organization.oneOf(Plan, r, 3),
  createdAt: organization.date(r, 4),
});
const membership = columnsOf('Membership');
const toMembership = (r: unknown[]): Membership => ({
  id: membership.text(r, 0),
  role: membership.oneOf(Role, r, 1),
  createdAt: membership.date(r, 2),
  userId: membership.text(r, 3),
  organizationId: membership.text(r, 4),
});
const flag = columnsOf('FeatureFlag');
const toFeatureFlag = (r: unknown[]): FeatureFlag => ({
  id: flag.text(r, 0),
  key: flag.text(r, 1),
  enabled: flag.bool(r, 2),
  createdAt: flag.date(r, 3),
  updatedAt: flag.date(r, 4),
  organizationId: flag.text(r, 5),
});
const session = columnsOf('Session');
const toSession = (r: unknown[]): Session => ({
  id: session.text(r, 0),
  tokenHash: session.text(r, 1),
  userId: session.text(r, 2),
  expiresAt: session.date(r, 3),
  createdAt: session.date(r, 4),
});

/**
 * The batch reads as named prepared statements on `pg`: each is parsed and
 * planned once per connection, then only bound and run, and its rows are read
 * straight into the Prisma model types. Through Prisma's query compiler and
 * adapter the same batches cost 2-3× the CPU (`npm run bench:sql`). Writes stay
 * on Prisma; these statements must answer exactly what prismaBatchReads does
 * (test/db/batch-reads.test.ts compares the two).
 */
export function pgBatchReads(pool: pg.Pool, onStatement?: StatementHook): BatchReads {
  const statement =
    <T>(name: string, text: string, toRow: (row: unknown[]) => T) =>
    async (keys: readonly string[]): Promise<T[]> => {
      onStatement?.(text);
      const result = await pool.query<unknown[]>({ name, text, values: [keys], rowMode: 'array' });
      return result.rows.map(toRow);
    };
  return {
    usersById: statement('tg_users_by_id', `${USER} WHERE "id" = ANY($1::text[])`, toUser),
    organizationsById: statement('tg_orgs_by_id', `${ORGANIZATION} WHERE "id" = ANY($1::text[])`, toOrganization),
    organizationsBySlug: statement('tg_orgs_by_slug', `${ORGANIZATION} WHERE "slug" = ANY($1::text[])`, toOrganization),
    membershipsById: statement('tg_memberships_by_id', `${MEMBERSHIP} WHERE "id" = ANY($1::text[])`, toMembership),
    featureFlagsById: statement('tg_flags_by_id', `${FEATURE_FLAG} WHERE "id" = ANY($1::text[])`, toFeatureFlag),
    sessionsByTokenHash: statement('tg_sessions_by_hash', `${SESSION} WHERE "tokenHash" = ANY($1::text[])`, toSession),
    membershipsOfUsers: statement(
      'tg_memberships_of_users',
      `${MEMBERSHIP} WHERE "userId" = ANY($1::text[]) ${MEMBER_ORDER}`,
      toMembership,
    ),
    membershipsOfOrganizations: statement(
      'tg_memberships_of_orgs',
      `${MEMBERSHIP} WHERE "organizationId" = ANY($1::text[]) ${MEMBER_ORDER}`,
      toMembership,
    ),
    flagsOfOrganizations: statement(
      'tg_flags_of_orgs',
      `${FEATURE_FLAG} WHERE "organizationId" = ANY($1::text[]) ORDER BY "key" ASC`,
      toFeatureFlag,
    ),
  };
}
