import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentNode } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../prisma/seed.ts';
import { LogInDocument, OrganizationPageDocument, SetFeatureFlagDocument } from '../generated/graphql.ts';
import { type RunningChild, startTsx } from '../helpers/child-process.ts';
import { request } from '../helpers/http.ts';

// What a newcomer gets from `npm start` on a machine with nothing configured:
// the real process, no DATABASE_URL, no REDIS_URL, an empty data folder.

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Started extends RunningChild {
  port: number;
}

async function start(dataDir: string): Promise<Started> {
  const port = await freePort();
  const child = startTsx('src/main.ts', [], {
    unset: ['DATABASE_URL', 'REDIS_URL', 'VITEST', 'NODE_ENV'],
    env: { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' },
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.child.exitCode !== null) throw new Error(`server exited early:\n${child.output()}`);
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`server not ready in 90 s:\n${child.output()}`);
    }
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { ...child, port };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function gql(port: number, query: DocumentNode, variables: object, token?: string) {
  const answer = await request<{ data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] }>(
    { origin: `http://127.0.0.1:${port}` },
    { query, variables: variables as Record<string, unknown>, token },
  );
  return answer.body;
}

const dataDir = await mkdtemp(join(tmpdir(), 'tg-embedded-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('npm start with no configuration', () => {
  it('creates, migrates and seeds the embedded database, serves the demo data, and stops cleanly', async () => {
    const server = await start(dataDir);
    let exitCode: number | null = null;
    try {
      expect(server.output()).toContain('no DATABASE_URL');
      expect(server.output()).toContain('no REDIS_URL');
      expect(server.output()).toContain('migrated and seeded');

      const alice = await gql(server.port, LogInDocument, {
        input: { email: DEMO_ACCOUNTS.alice.email, password: DEMO_ACCOUNTS.alice.password },
      });
      const aliceToken = (alice.data?.['logIn'] as { token: string } | undefined)?.token;
      const page = await gql(server.port, OrganizationPageDocument, { slug: 'acme', first: 50 }, aliceToken);
      const org = page.data?.['organization'] as {
        id: string;
        viewerRole: string;
        members: { edges: { node: { user: { email: string } } }[] };
        featureFlags: unknown[];
      };
      expect(org.viewerRole).toBe('OWNER');
      expect(org.members.edges).toHaveLength(50);
      expect(org.members.edges.map((e) => e.node.user.email)).toContain(DEMO_ACCOUNTS.bob.email);
      expect(org.featureFlags.length).toBeGreaterThanOrEqual(10);

      const bob = await gql(server.port, LogInDocument, {
        input: { email: DEMO_ACCOUNTS.bob.email, password: DEMO_ACCOUNTS.bob.password },
      });
      const bobToken = (bob.data?.['logIn'] as { token: string } | undefined)?.token;
      const denied = await gql(
        server.port,
        SetFeatureFlagDocument,
        { input: { organizationId: org.id, key: 'dark-mode', enabled: false } },
        bobToken,
      );
      expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      const html = await fetch(`http://127.0.0.1:${server.port}/graphql`, { headers: { accept: 'text/html' } });
      expect(await html.text()).toContain('graphiql');
    } finally {
      exitCode = await server.stop();
    }
    // Asserted after the finally, so a failure above is reported as itself, not masked by the exit code.
    expect(exitCode).toBe(0);
    expect(server.output()).toContain('stopped');
  }, 150_000);

  it('reopens the same data on the next start without seeding again', async () => {
    const server = await start(dataDir);
    let exitCode: number | null = null;
    try {
      expect(server.output()).toContain('embedded PostgreSQL ready');
      expect(server.output()).not.toContain('migrated and seeded');
      const alice = await gql(server.port, LogInDocument, {
        input: { email: DEMO_ACCOUNTS.alice.email, password: DEMO_ACCOUNTS.alice.password },
      });
      expect(alice.errors).toBeUndefined();
    } finally {
      exitCode = await server.stop();
    }
    expect(exitCode).toBe(0);
  }, 150_000);
});
