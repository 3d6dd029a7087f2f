import { useMutation } from 'urql';
import { problemOf } from '../errors/codes.ts';
import { ProblemNotice } from '../errors/problem-notice.tsx';
import type { Role } from '../gql/graphql.ts';
import { SetFeatureFlagMutation } from './documents.ts';
import { mayToggleFlags } from './permissions.ts';

/** What the panel shows of a flag. */
export interface Flag {
  id: string;
  key: string;
  enabled: boolean;
}

/**
 * The organization's feature flags: switches for a role that may write them, plain states for the
 * others. After a toggle, the page refetches (its answer holds FeatureFlags) and shows the stored value.
 */
export function FlagsPanel({
  organizationId,
  flags,
  viewerRole,
}: {
  organizationId: string;
  flags: readonly Flag[];
  viewerRole: Role | null;
}) {
  const [{ fetching, error }, setFlag] = useMutation(SetFeatureFlagMutation);
  const editable = mayToggleFlags(viewerRole);
  return (
    <section className="flags">
      <h2>Feature flags</h2>
      {error && <ProblemNotice problem={problemOf(error)} />}
      {flags.length === 0 && <p>No flags yet.</p>}
      <ul>
        {flags.map((flag) => (
          <li key={flag.id} data-flag={flag.key} data-enabled={flag.enabled}>
            <span className="flag-key">{flag.key}</span>
            {editable ? (
              <button
                type="button"
                role="switch"
                aria-checked={flag.enabled}
                aria-label={flag.key}
                className={`switch ${flag.enabled ? 'on' : 'off'}`}
                disabled={fetching}
                onClick={() => setFlag({ input: { organizationId, key: flag.key, enabled: !flag.enabled } })}
              >
                {flag.enabled ? 'On' : 'Off'}
              </button>
            ) : (
              <span className={`state ${flag.enabled ? 'on' : 'off'}`}>{flag.enabled ? 'On' : 'Off'}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
