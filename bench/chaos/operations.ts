// The operations of the chaos load: the two hot reads (a viewer's page load,
// the organization's page), the two writes whose values the reads show (a
// viewer's name, the organization's flag), and the reads no cache can answer
// (a session never used, a slug never asked). Each read names the values it
// shows, for the ledger to judge.

import type { Cast } from './cast.ts';

/** A request as the load sends it. */
export interface ChaosRequest {
  /** Operation name, as the report groups requests. */
  op: string;
  kind: 'read' | 'write';
  body: string;
  token: string;
}

const body = (operationName: string, query: string, variables: Record<string, unknown> = {}) =>
  JSON.stringify({ operationName, query, variables });

const PAGE = `query ChaosPage { viewer { id name memberships { role organization { id name featureFlags { key enabled } } } } }`;
const ORG = `query ChaosOrg($slug: String!) {
  organization(slug: $slug) { id name featureFlags { key enabled } members(first: 20) { edges { node { role user { id name } } } } }
}`;
const RENAME = `mutation ChaosRename($input: UpdateProfileInput!) { updateProfile(input: $input) { id name } }`;
const FLIP = `mutation ChaosFlip($input: SetFeatureFlagInput!) { setFeatureFlag(input: $input) { id key enabled } }`;

/** The viewer's page load: its name, memberships, and each organization's flags. */
export const pageLoad = (token: string): ChaosRequest => ({
  op: 'ChaosPage',
  kind: 'read',
  body: body('ChaosPage', PAGE),
  token,
});

/** The organization's page: its flags and its members' names. */
export const orgPage = (cast: Cast, token: string): ChaosRequest => ({
  op: 'ChaosOrg',
  kind: 'read',
  body: body('ChaosOrg', ORG, { slug: cast.orgSlug }),
  token,
});

/** A page load with a session no request has used: the session lookup needs Postgres. */
export const coldPageLoad = (token: string): ChaosRequest => ({ ...pageLoad(token), op: 'ColdPage' });

/** An organization no one has asked for: its lookup needs Postgres. */
export const coldOrg = (token: string, slug: string): ChaosRequest => ({
  op: 'ColdOrg',
  kind: 'read',
  body: body('ColdOrg', 'query ColdOrg($slug: String!) { organization(slug: $slug) { id name } }', { slug }),
  token,
});

/** A viewer renames itself. */
export const rename = (token: string, name: string): ChaosRequest => ({
  op: 'ChaosRename',
  kind: 'write',
  body: body('ChaosRename', RENAME, { input: { name } }),
  token,
});

/** The owner flips the organization's flag. */
export const flip = (cast: Cast, ownerToken: string, enabled: boolean): ChaosRequest => ({
  op: 'ChaosFlip',
  kind: 'write',
  body: body('ChaosFlip', FLIP, { input: { organizationId: cast.orgId, key: cast.flagKey, enabled } }),
  token: ownerToken,
});

/** The ledger target of a viewer's name. */
export const nameTarget = (userId: string) => `name:${userId}`;
/** The ledger target of an organization's flag. */
export const flagTarget = (orgId: string, key: string) => `flag:${orgId}:${key}`;

interface Flag {
  key: string;
  enabled: boolean;
}
interface PageData {
  viewer?: { id: string; name: string; memberships: { organization: { id: string; featureFlags: Flag[] } }[] } | null;
}
interface OrgData {
  organization?: {
    id: string;
    featureFlags: Flag[];
    members: { edges: { node: { user: { id: string; name: string } } }[] };
  } | null;
}

/** The ledger targets an answer's data shows, with the values shown: names and flags. */
export function observations(op: string, data: unknown): [target: string, value: string][] {
  const out: [string, string][] = [];
  const flags = (orgId: string, list: Flag[]) => {
    for (const f of list) out.push([flagTarget(orgId, f.key), String(f.enabled)]);
  };
  if (op === 'ChaosPage' || op === 'ColdPage') {
    const viewer = (data as PageData | null)?.viewer;
    if (!viewer) return out;
    out.push([nameTarget(viewer.id), viewer.name]);
    for (const m of viewer.memberships) flags(m.organization.id, m.organization.featureFlags);
  } else if (op === 'ChaosOrg') {
    const org = (data as OrgData | null)?.organization;
    if (!org) return out;
    flags(org.id, org.featureFlags);
    for (const edge of org.members.edges) out.push([nameTarget(edge.node.user.id), edge.node.user.name]);
  }
  return out;
}
