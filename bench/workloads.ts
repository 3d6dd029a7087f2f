// What the bench sends: the GraphQL operations an SPA sends as alice on the
// seeded data, grouped into workloads. The same documents go to every server,
// so each server must answer the same schema shape.

import type { ShapeTemplate } from './check.ts';

/** One GraphQL operation as a client sends it. */
export interface Operation {
  /** Also the operationName sent. */
  name: string;
  kind: 'read' | 'write';
  query: string;
  /**
   * Variables of the n-th send of this operation (n counts up across all
   * connections), so writes can alternate values.
   */
  variables(n: number, ctx: WorkloadContext): Record<string, unknown>;
}

/** Facts about the seeded data the operations need, read from the server under test. */
export interface WorkloadContext {
  /** acme's global ID, as the server shows it. */
  acmeId: string;
}

export interface Workload {
  /** Short id used on the command line and in tables. */
  id: string;
  title: string;
  /** The sequence each connection cycles through. */
  sequence: Operation[];
  /**
   * 'exact': every read must answer the reference response of its operation.
   * 'shape': writes change values, so reads must only keep the reference's shape.
   * 'template': each request is another user's, so answers must only match `template`.
   */
  check: 'exact' | 'shape' | 'template';
  /** What every answer must look like, for check 'template'. */
  template?: ShapeTemplate;
  /**
   * Seeded users signed in before the cell, whose tokens each connection
   * cycles through (one per request); without it every request is alice's.
   */
  viewers?: number;
}

const none = () => ({});

/** Users the many-users workload signs in and rotates through. */
export const MANY_VIEWERS = 500;

/** The per-page-load query: who am I, where am I a member, which flags are on. */
export const pageLoad: Operation = {
  name: 'PageLoad',
  kind: 'read',
  query: `query PageLoad { viewer { memberships { role organization { name featureFlags { key enabled } } } } }`,
  variables: none,
};

/** Any viewer's page load: present, with memberships (maybe none), each with its organization's flags. */
export const PAGE_LOAD_SHAPE: ShapeTemplate = {
  viewer: {
    memberships: [{ role: 'string', organization: { name: 'string', featureFlags: [{ key: 'string', enabled: 'boolean' }] } }],
  },
};

/** The acme organization page: its details, its first 50 members with their users, and its flags. */
export const orgPage: Operation = {
  name: 'OrgPage',
  kind: 'read',
  query: `query OrgPage($slug: String!) {
  organization(slug: $slug) {
    id name slug plan viewerRole memberCount
    members(first: 50) { edges { node { id role user { id name email avatarUrl } } } pageInfo { hasNextPage } }
    featureFlags { id key enabled }
  }
}`,
  variables: () => ({ slug: 'acme' }),
};

/** The deep nested query: every member's memberships' organizations' flags. */
export const deepNested: Operation = {
  name: 'DeepNested',
  kind: 'read',
  query: `query DeepNested { organizations { members(first: 50) { edges { node { user { memberships { organization { featureFlags { key enabled } } } } } } } } }`,
  variables: none,
};

/** A flag flip on acme: alternates, so each write really changes a row. */
export const setFeatureFlag: Operation = {
  name: 'SetFeatureFlag',
  kind: 'write',
  query: `mutation SetFeatureFlag($input: SetFeatureFlagInput!) { setFeatureFlag(input: $input) { id key enabled } }`,
  variables: (n, ctx) => ({ input: { organizationId: ctx.acmeId, key: 'new-dashboard', enabled: n % 2 === 1 } }),
};

/** alice renames herself and back. */
export const updateProfile: Operation = {
  name: 'UpdateProfile',
  kind: 'write',
  query: `mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { id name } }`,
  variables: (n) => ({ input: { name: n % 2 === 0 ? 'Alice Bench' : 'Alice Example' } }),
};

/** 38 reads (page loads and org pages alternating) and 2 writes spread through them: 5% writes. */
function mixedSequence(): Operation[] {
  const sequence: Operation[] = [];
  for (let i = 0; i < 38; i++) {
    sequence.push(i % 2 === 0 ? pageLoad : orgPage);
    if (i === 9) sequence.push(setFeatureFlag);
    if (i === 28) sequence.push(updateProfile);
  }
  return sequence;
}

export const WORKLOADS: Workload[] = [
  { id: 'page-load', title: 'per-page-load query (viewer → memberships → org → flags)', sequence: [pageLoad], check: 'exact' },
  { id: 'org-page', title: 'acme org page (50 members with users, flags)', sequence: [orgPage], check: 'exact' },
  {
    id: 'deep',
    title: 'deep nested (orgs → 50 members → user → memberships → org → flags)',
    sequence: [deepNested],
    check: 'exact',
  },
  {
    id: 'mixed',
    title: 'page loads and org pages with 5% writes interleaved (setFeatureFlag, updateProfile)',
    sequence: mixedSequence(),
    check: 'shape',
  },
  {
    id: 'many-users',
    title: `per-page-load query as ${MANY_VIEWERS} seeded users, each request the next user's token: per-viewer cache and budget keys, as in production`,
    sequence: [pageLoad],
    check: 'template',
    template: PAGE_LOAD_SHAPE,
    viewers: MANY_VIEWERS,
  },
];

/** The workloads named by --workloads, in the order given; all without it. */
export function selectWorkloads(ids: string[] | undefined): Workload[] {
  if (!ids || ids.length === 0) return WORKLOADS;
  return ids.map((id) => {
    const workload = WORKLOADS.find((w) => w.id === id);
    if (!workload) throw new Error(`unknown workload ${id}; known: ${WORKLOADS.map((w) => w.id).join(', ')}`);
    return workload;
  });
}

/** The distinct read operations of all workloads: the reference responses to record. */
export const READ_OPERATIONS: Operation[] = [pageLoad, orgPage, deepNested];

/** The request body of an operation, as sent on the wire. */
export function requestBody(op: Operation, n: number, ctx: WorkloadContext): string {
  return JSON.stringify({ operationName: op.name, query: op.query, variables: op.variables(n, ctx) });
}

/** The share of writes in a workload's sequence, for the report. */
export function writeShare(workload: Workload): number {
  return workload.sequence.filter((op) => op.kind === 'write').length / workload.sequence.length;
}
