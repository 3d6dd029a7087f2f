import type { Role } from '../gql/graphql.ts';

/** A member's role, colored by rank. */
export function RoleBadge({ role }: { role: Role }) {
  return <span className={`badge role-${role.toLowerCase()}`}>{role}</span>;
}
