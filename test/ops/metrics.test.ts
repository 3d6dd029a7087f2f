import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationLabels } from '../../src/metrics/operation-labels.ts';
import { OrganizationPageDocument, SetFeatureFlagDocument } from '../generated/graphql.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { makeOrg, makeSignedInUser } from '../helpers/fixtures.ts';
import { startOpsInstance, type OpsInstance } from './instance.ts';

const TOKEN = 'scrape-token-for-tests';

let db: TestDatabase;
let server: OpsInstance;
beforeAll(async () => {
  db = await createTestDatabase();
  server = await startOpsInstance(db, { METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  await server.close();
  await db.drop();
});

const scrape = (instance: OpsInstance, authorization?: string) =>
  fetch(`${instance.origin}/metrics`, { headers: authorization ? { authorization } : {} });

/** One sample of a Prometheus text exposition: the value of `name` with exactly these labels (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    if (have === wanted) return Number(match[3]);
  }
  return 0;
}

/** The samples the test follows, read in one scrape. */
async function counters() {
  const response = await scrape(server, `Bearer ${TOKEN}`);
  expect(response.status).toBe(200);
  const text = await response.text();
  const duration = (operation: string, cache: string) => sample(text, 'tg_request_duration_seconds_count', { operation, cache });
  return {
    hotHits: sample(text, 'tg_hot_path_total', { outcome: 'hits' }),
    hotPassed: sample(text, 'tg_hot_path_total', { outcome: 'passed' }),
    misses: sample(text, 'tg_response_cache_total', { event: 'misses' }),
    stored: sample(text, 'tg_response_cache_total', { event: 'stored' }),
    invalidations: sample(text, 'tg_response_cache_total', { event: 'invalidations' }),
    budgetAllowed: sample(text, 'tg_rate_limit_decisions_total', { policy: 'budget', decision: 'allowed' }),
    mutationAllowed: sample(text, 'tg_rate_limit_decisions_total', { policy: 'mutationPerViewer', decision: 'allowed' }),
    pageHit: duration('OrganizationPage', 'hit'),
    pageMiss: duration('OrganizationPage', 'miss'),
    flagBypass: duration('SetFeatureFlag', 'bypass'),
  };
}

describe('/metrics', () => {
  it('is refused without the token (401), and absent when METRICS_TOKEN is unset (404)', async () => {
    expect((await scrape(server)).status).toBe(401);
    expect((await scrape(server, `Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await scrape(server, TOKEN)).status).toBe(401);
    const ok = await scrape(server, `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await ok.text()).toMatch(/^process_cpu_seconds_total /m);

    const unset = await startOpsInstance(db, {});
    try {
      expect((await scrape(unset, `Bearer ${TOKEN}`)).status).toBe(404);
    } finally {
      await unset.close();
    }
  });

  it('counts a hot-path hit and a write with exact deltas', async () => {
    const { user, token } = await makeSignedInUser(db.prisma);
    const org = await makeOrg(db.prisma, [{ user, role: 'OWNER' }], { flags: { beta: false } });
    const page = () => server.gql(OrganizationPageDocument, { token, variables: { slug: org.slug } });

    const start = await counters();
    const first = await page();
    expect(first.response.headers.get('x-cache')).toBe('MISS');
    const organizationId = first.json.data?.organization?.id as string;
    // A miss's answer is stored after it is sent (envelop does not await the store): wait for it, so no later delta counts it.
    await expect.poll(async () => (await counters()).stored - start.stored).toBe(1);
    const before = await counters();

    const hit = await page();
    expect(hit.response.headers.get('x-cache')).toBe('HIT');
    const afterHit = await counters();
    expect(delta(before, afterHit)).toEqual({ hotHits: 1, budgetAllowed: 1, pageHit: 1 });

    const write = await server.gql(SetFeatureFlagDocument, {
      token,
      variables: { input: { organizationId, key: 'beta', enabled: true } },
    });
    expect(write.json.errors).toBeUndefined();
    const afterWrite = await counters();
    // The hot path and the response cache look a mutation up like any request (neither parses it first): a pass and a miss.
    expect(delta(afterHit, afterWrite)).toEqual({
      hotPassed: 1,
      misses: 1,
      invalidations: 1,
      budgetAllowed: 1,
      mutationAllowed: 1,
      flagBypass: 1,
    });

    const reread = await page();
    expect(reread.response.headers.get('x-cache')).toBe('MISS');
    // As above, the re-read's answer is stored after it is sent: the deltas settle once it is.
    await expect
      .poll(async () => delta(afterWrite, await counters()))
      .toEqual({ hotPassed: 1, misses: 1, stored: 1, budgetAllowed: 1, pageMiss: 1 });
  });
});

describe('operation labels', () => {
  it('keep the first 100 well-formed names and call the rest `other`', () => {
    const labels = new OperationLabels();
    for (let i = 0; i < 100; i++) expect(labels.of(`Op${i}`)).toBe(`Op${i}`);
    expect(labels.of('Op100')).toBe('other');
    expect(labels.of('Op7')).toBe('Op7');
    expect(new OperationLabels().of('bad-name')).toBe('other');
    expect(new OperationLabels().of(`A${'b'.repeat(64)}`)).toBe('other');
    expect(new OperationLabels().of(null)).toBe('anonymous');
  });
});

/** The fields that changed, with how much. */
function delta<T extends Record<string, number>>(before: T, after: T): Partial<T> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(after)) {
    const change = (after[key] as number) - (before[key] as number);
    if (change !== 0) out[key] = change;
  }
  return out as Partial<T>;
}
