import { useQuery } from 'urql';
import { problemFor, problemOf } from '../errors/codes.ts';
import { ProblemNotice } from '../errors/problem-notice.tsx';
import { OrganizationQuery } from './documents.ts';
import { FlagsPanel } from './flags-panel.tsx';
import { MembersTable } from './members-table.tsx';
import { PAGE_SIZE, usePaging } from './paging.ts';
import { RoleBadge } from './role-badge.tsx';

/** One organization: its members a page at a time, its member count and its flags, with the controls the viewer's role allows. */
export function OrganizationPage({ slug }: { slug: string }) {
  const paging = usePaging();
  const [{ data, fetching, error }] = useQuery({
    query: OrganizationQuery,
    variables: { slug, first: PAGE_SIZE, after: paging.after },
  });

  if (error) return <ProblemNotice problem={problemOf(error)} />;
  if (!data) return fetching ? <p>Loading…</p> : null;
  const org = data.organization;
  // The API answers null for a slug the viewer cannot see, whether or not it exists: the same to the user.
  if (!org) return <ProblemNotice problem={problemFor('NOT_FOUND', `No organization “${slug}” for you.`)} />;

  return (
    <article className="organization">
      <header>
        <h1>{org.name}</h1>
        <span className="badge plan">{org.plan}</span>
        <span className="member-count" data-testid="member-count">
          {org.memberCount} members
        </span>
        {org.viewerRole && (
          <span className="you">
            You: <RoleBadge role={org.viewerRole} />
          </span>
        )}
      </header>
      <div className="columns">
        <MembersTable
          organization={org}
          pageIndex={paging.index}
          onNext={paging.next}
          onPrevious={paging.previous}
          loading={fetching}
        />
        <FlagsPanel organizationId={org.id} flags={org.featureFlags} viewerRole={org.viewerRole ?? null} />
      </div>
    </article>
  );
}
