import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrganizationPageDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeOwnedOrg } from '../helpers/fixtures.ts';

/**
 * A cluster none of whose seed nodes answers, from the start: the server
 * starts anyway, and every request is answered from Postgres at once (no
 * offline queue holds commands for a cluster that never comes).
 */

let world: TestWorld;
beforeAll(async () => {
  // Port 1: nothing listens there.
  world = await createTestWorld({ clusterNodes: [{ host: '127.0.0.1', port: 1 }] });
});
afterAll(() => world.close());

describe('a Redis Cluster unreachable at start', () => {
  it('is logged, not fatal: reads answer from Postgres, quickly, and count as store failures', async () => {
    const { owner, org } = await makeOwnedOrg(world.prisma, { beta: true });
    expect(world.server.store.inner.kind).toBe('cluster');
    for (let i = 0; i < 3; i += 1) {
      const started = Date.now();
      const page = await world.server.gql(OrganizationPageDocument, { token: owner.token, variables: { slug: org.slug } });
      expect(page.status).toBe(200);
      expect(page.errors).toBeUndefined();
      expect(page.data?.organization?.featureFlags.map((f) => [f.key, f.enabled])).toEqual([['beta', true]]);
      expect(page.headers.get('x-cache')).toBe('MISS');
      // Far below the 1 s command timeout per store call: nothing waits for a cluster that is not there.
      expect(Date.now() - started).toBeLessThan(1_000);
    }
    expect(world.server.store.errors.read).toBeGreaterThan(0);
  });
});
