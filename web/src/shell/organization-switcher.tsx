import { useLocation, useRoute } from 'wouter';
import type { Role } from '../gql/graphql.ts';

/** What the switcher needs of each of the viewer's memberships. */
export interface SwitcherMembership {
  id: string;
  role: Role;
  organization: { name: string; slug: string };
}

/** Chooses the organization shown, among the viewer's own memberships only. */
export function OrganizationSwitcher({ memberships }: { memberships: readonly SwitcherMembership[] }) {
  const [, navigate] = useLocation();
  const [, params] = useRoute('/orgs/:slug');
  const current = memberships.some((m) => m.organization.slug === params?.slug) ? params?.slug : '';
  return (
    <select
      aria-label="Organization"
      className="switcher"
      value={current}
      onChange={(event) => navigate(`/orgs/${encodeURIComponent(event.target.value)}`)}
    >
      <option value="" disabled>
        Choose an organization
      </option>
      {memberships.map((m) => (
        <option key={m.id} value={m.organization.slug}>
          {m.organization.name} ({m.role.toLowerCase()})
        </option>
      ))}
    </select>
  );
}
