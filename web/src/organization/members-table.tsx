import { useMutation } from 'urql';
import { problemOf } from '../errors/codes.ts';
import { ProblemNotice } from '../errors/problem-notice.tsx';
import type { WebOrganizationQuery } from '../gql/graphql.ts';
import { ChangeMemberRoleMutation } from './documents.ts';
import { PAGE_SIZE } from './paging.ts';
import { assignableRoles } from './permissions.ts';
import { RoleBadge } from './role-badge.tsx';

type Organization = NonNullable<WebOrganizationQuery['organization']>;

/** A page of members with their role badges, a role picker where the viewer may change the role, and the pager. */
export function MembersTable({
  organization,
  pageIndex,
  onNext,
  onPrevious,
  loading,
}: {
  organization: Organization;
  pageIndex: number;
  onNext: (endCursor: string) => void;
  onPrevious: () => void;
  loading: boolean;
}) {
  const [{ fetching, error }, changeRole] = useMutation(ChangeMemberRoleMutation);
  const { edges, pageInfo } = organization.members;
  const first = pageIndex * PAGE_SIZE + 1;
  const viewerRole = organization.viewerRole ?? null;
  return (
    <section className="members">
      <h2>Members</h2>
      {error && <ProblemNotice problem={problemOf(error)} />}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
          </tr>
        </thead>
        <tbody>
          {edges.map(({ node }) => {
            const roles = assignableRoles(viewerRole, node.role);
            return (
              <tr key={node.id} data-member={node.user.email ?? node.user.id}>
                <td>{node.user.name}</td>
                <td>{node.user.email}</td>
                <td>
                  {roles.length > 0 ? (
                    <select
                      aria-label={`Role of ${node.user.name}`}
                      className={`role-picker role-${node.role.toLowerCase()}`}
                      value={node.role}
                      disabled={fetching}
                      onChange={(event) => {
                        const role = roles.find((r) => r === event.target.value);
                        if (role) void changeRole({ input: { membershipId: node.id, role } });
                      }}
                    >
                      {roles.map((role) => (
                        <option key={role} value={role}>
                          {role}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <RoleBadge role={node.role} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <nav className="pager" aria-label="Members pages">
        <button type="button" onClick={onPrevious} disabled={pageIndex === 0 || loading}>
          Previous
        </button>
        <span className="position">
          {edges.length === 0 ? 'No members' : `${first}–${first + edges.length - 1} of ${organization.memberCount}`}
        </span>
        <button
          type="button"
          onClick={() => pageInfo.endCursor && onNext(pageInfo.endCursor)}
          disabled={!pageInfo.hasNextPage || !pageInfo.endCursor || loading}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
