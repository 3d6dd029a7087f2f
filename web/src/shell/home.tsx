import { useQuery } from 'urql';
import { Link } from 'wouter';
import { RoleBadge } from '../organization/role-badge.tsx';
import { ViewerQuery } from './documents.ts';

/** The start screen: the viewer's organizations, to pick one (the shell has already loaded them). */
export function Home() {
  const [{ data }] = useQuery({ query: ViewerQuery });
  const memberships = data?.viewer?.memberships ?? [];
  if (memberships.length === 0) return <p>You are not a member of any organization yet.</p>;
  return (
    <section>
      <h1>Your organizations</h1>
      <ul className="organizations">
        {memberships.map((m) => (
          <li key={m.id}>
            <Link href={`/orgs/${encodeURIComponent(m.organization.slug)}`}>{m.organization.name}</Link>{' '}
            <RoleBadge role={m.role} />
          </li>
        ))}
      </ul>
    </section>
  );
}
