import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { warmUp } from '../../bench/cell.ts';
import { failureCount } from '../../bench/load.ts';
import { tokenRotation } from '../../bench/viewers.ts';
import type { Operation, Workload } from '../../bench/workloads.ts';

const read: Operation = { name: 'Read', kind: 'read', query: 'query Read { viewer { name } }', variables: () => ({}) };
const workload: Workload = { id: 'test', title: 'test', sequence: [read], check: 'exact' };
const good = JSON.stringify({ data: { viewer: { name: 'alice' } } });

let server: Server;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("a many-viewers cell's warm-up", () => {
  it('ends with one request per viewer, however short its seconds, so the measured part meets no cold viewer', async () => {
    const seen = new Set<string>();
    server = createServer((req, res) => {
      seen.add(req.headers.authorization ?? '');
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(good));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    // Far more viewers than a few milliseconds of load reach.
    const tokens = Array.from({ length: 3000 }, (_, i) => `viewer-${i}`);
    const warm = await warmUp(
      {
        origin: `http://127.0.0.1:${address.port}`,
        workload,
        context: { acmeId: 'acme', largestOrgSlug: 'big' },
        expect: () => ({ mode: 'bytes', body: good }),
        connections: 2,
        nextToken: tokenRotation(tokens),
      },
      0.01,
      tokens,
    );
    expect(failureCount(warm)).toBe(0);
    expect(seen.size).toBe(tokens.length);
  });
});
