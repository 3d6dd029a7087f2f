// What the bench sends: the GraphQL operations an SPA sends as alice on the
// seeded data, grouped into workloads. The same documents go to every server,
// so each server must answer the same schema shape.

import type { ShapeTemplate } from './check.ts';

/**
 * Who sends an operation: alice, or the first OWNER of the seed's largest
 * organization (about 500 members), which alice is not in.
 */
export type Sender = 'alice' | 'largest-org-member';

/** One GraphQL operation as a client sends it. */
export interface Operation {
  /** Also the operationName sent. */
  name: string;
  kind: 'read' | 'write';
  query: string;
  /** @default 'alice' */
  sender?: Sender;
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
  /** The slug of the organization with the most members, read from the server's database. */
  largestOrgSlug: string;
}

/** The reads the scaling cells repeat: acme's org page, the largest org's, or the deep query. */
export type ScalingQuery = 'acme' | 'largest' | 'deep';

/** Where a scaling cell sits on the report's growth curves. */
export interface ScalingPoint {
  query: ScalingQuery;
  /** Members on the page the answer returns; null for the deep query, whose answer has no one page size. */
  rows: number | null;
  connections: number;
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
  /** Concurrent connections, when the workload fixes them (the scaling cells); otherwise --connections. */
  connections?: number;
  /** Set on the scaling cells only. */
  scaling?: ScalingPoint;
  /** Set on the invalidation-at-scale cell: answers seeded under one tag, and the one write that invalidates them all. */
  invalidateAtScale?: InvalidationAtScale;
}

/** An invalidation-at-scale cell: `answers` cached answers tagged with who `write` changes, which it sends once mid-cell. */
export interface InvalidationAtScale {
  answers: number;
  write: Operation;
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

/**
 * An organization page: its details, its first `first` members with their
 * users, and its flags. Only the name and the page size differ between the
 * variants, so their costs differ by the rows returned alone.
 */
function orgPageOf(name: string, first: number, slug: (ctx: WorkloadContext) => string, sender?: Sender): Operation {
  return {
    name,
    kind: 'read',
    query: `query ${name}($slug: String!) {
  organization(slug: $slug) {
    id name slug plan viewerRole memberCount
    members(first: ${first}) { edges { node { id role user { id name email avatarUrl } } } pageInfo { hasNextPage } }
    featureFlags { id key enabled }
  }
}`,
    variables: (_n, ctx) => ({ slug: slug(ctx) }),
    ...(sender ? { sender } : {}),
  };
}

const acme = () => 'acme';

/** The acme organization page: its details, its first 50 members with their users, and its flags. */
export const orgPage = orgPageOf('OrgPage', 50, acme);
/** acme's page with 10 and with 100 members: the same document, other page sizes. */
export const orgPage10 = orgPageOf('OrgPage10', 10, acme);
export const orgPage100 = orgPageOf('OrgPage100', 100, acme);
/** The first 50 members of the largest organization (about 500 members, against acme's 150), as its owner. */
export const largestOrgPage = orgPageOf('LargestOrgPage', 50, (ctx) => ctx.largestOrgSlug, 'largest-org-member');

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

/**
 * The largest organization's owner renames himself (and back): it invalidates
 * every answer showing him. alice is not in that organization, so her page
 * load does not show him and stays a hit.
 */
export const renameLargestOrgOwner: Operation = {
  name: 'RenameLargestOrgOwner',
  kind: 'write',
  query: updateProfile.query.replace('mutation UpdateProfile', 'mutation RenameLargestOrgOwner'),
  sender: 'largest-org-member',
  variables: (n) => ({ input: { name: n % 2 === 0 ? 'Owner Bench' : 'Owner Example' } }),
};

/** Answers the invalidation-at-scale cell seeds under one tag. */
export const INVALIDATED_ANSWERS = 100_000;

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

/**
 * The invalidation-at-scale cell, apart from WORKLOADS (the issues' five
 * reads and writes): it runs only when named, and only where a response
 * cache holds answers.
 */
export const INVALIDATION_WORKLOADS: Workload[] = [
  {
    id: 'invalidate-100k',
    title:
      `per-page-load query hits as alice while one write (the largest org's owner renaming himself) invalidates ` +
      `${INVALIDATED_ANSWERS.toLocaleString('en')} cached answers tagged with him, seeded before the cell`,
    sequence: [pageLoad],
    check: 'exact',
    invalidateAtScale: { answers: INVALIDATED_ANSWERS, write: renameLargestOrgOwner },
  },
];

/** The concurrencies every scaling read runs at. */
export const SCALING_CONNECTIONS = [1, 10, 50] as const;

/** The reads of the scaling cells, each run at every one of SCALING_CONNECTIONS. */
const SCALING_READS: { key: string; title: string; op: Operation; query: ScalingQuery; rows: number | null }[] = [
  { key: 'org-10', title: 'acme org page, first 10 members', op: orgPage10, query: 'acme', rows: 10 },
  { key: 'org-50', title: 'acme org page, first 50 members', op: orgPage, query: 'acme', rows: 50 },
  { key: 'org-100', title: 'acme org page, first 100 members', op: orgPage100, query: 'acme', rows: 100 },
  {
    key: 'largest-50',
    title: 'the largest org page (about 500 members), first 50, as its owner',
    op: largestOrgPage,
    query: 'largest',
    rows: 50,
  },
  { key: 'deep', title: 'the deep nested query', op: deepNested, query: 'deep', rows: null },
];

/** The scaling cells: how cost grows with the rows returned, the rows not returned and the concurrency. */
export const SCALING_WORKLOADS: Workload[] = SCALING_READS.flatMap((read) =>
  SCALING_CONNECTIONS.map(
    (connections): Workload => ({
      id: `scale-${read.key}@${connections}c`,
      title: `${read.title}, ${connections} connection${connections === 1 ? '' : 's'}`,
      sequence: [read.op],
      check: 'exact',
      connections,
      scaling: { query: read.query, rows: read.rows, connections },
    }),
  ),
);

/** The --workloads name of every scaling cell at once. */
export const SCALING = 'scaling';

/**
 * The workloads named by --workloads (a workload id, or "scaling" for all
 * scaling cells), in the order given; without it all but the
 * invalidation-at-scale cell.
 */
export function selectWorkloads(ids: string[] | undefined): Workload[] {
  const known = [...WORKLOADS, ...SCALING_WORKLOADS];
  if (!ids || ids.length === 0) return known;
  const chosen = ids.flatMap((id) => {
    if (id === SCALING) return SCALING_WORKLOADS;
    // Only when named: it seeds 100k answers, a minute of a full run's budget for one figure.
    const workload = [...known, ...INVALIDATION_WORKLOADS].find((w) => w.id === id);
    if (!workload)
      throw new Error(
        `unknown workload ${id}; known: ${[...WORKLOADS, ...INVALIDATION_WORKLOADS].map((w) => w.id).join(', ')}, ${SCALING} or one of its cells (${SCALING_WORKLOADS[0]!.id}, ...)`,
      );
    return [workload];
  });
  return [...new Set(chosen)];
}

/** The distinct read operations of all workloads: the reference responses to record. */
export const READ_OPERATIONS: Operation[] = [pageLoad, orgPage, deepNested, orgPage10, orgPage100, largestOrgPage];

/** Who sends a workload's requests: one sender for all its operations, since a cell carries one token. */
export function senderOf(workload: Workload): Sender {
  const senders = new Set(workload.sequence.map((op) => op.sender ?? 'alice'));
  if (senders.size !== 1) throw new Error(`${workload.id} mixes senders: ${[...senders].join(', ')}`);
  return [...senders][0]!;
}

/** The request body of an operation, as sent on the wire. */
export function requestBody(op: Operation, n: number, ctx: WorkloadContext): string {
  return JSON.stringify({ operationName: op.name, query: op.query, variables: op.variables(n, ctx) });
}

/** The share of writes in a workload's sequence, for the report. */
export function writeShare(workload: Workload): number {
  return workload.sequence.filter((op) => op.kind === 'write').length / workload.sequence.length;
}
