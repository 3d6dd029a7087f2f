import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidationProbe } from '../../bench/invalidation.ts';
import type { Operation } from '../../bench/workloads.ts';

const write: Operation = {
  name: 'Rename',
  kind: 'write',
  query: 'mutation Rename { rename }',
  variables: () => ({}),
};
const context = { acmeId: 'a', largestOrgSlug: 'l' };

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A fake server that holds the write's answer until released, so the test decides what arrives while the write runs. */
async function holdingServer(body: string): Promise<{ origin: string; received: Promise<void>; release: () => void }> {
  let onReceived = () => {};
  const received = new Promise<void>((resolve) => (onReceived = resolve));
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      onReceived();
      void released.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { origin: `http://127.0.0.1:${address.port}`, received, release };
}

describe('the invalidation-at-scale probe', () => {
  it('counts in its window only the hits in flight while the write ran, and the whole cell in its max', async () => {
    const fake = await holdingServer('{"data":{"rename":true}}');
    const probe = new InvalidationProbe(write, fake.origin, 'token', context);
    const before = performance.now();
    // Done before the write was sent: outside the window, but the cell's slowest.
    probe.onLatency(40, before - 1);
    const during = probe.during(0);
    await fake.received;
    // In flight while the write is held: one began before it was sent, two within.
    const now = performance.now();
    probe.onLatency(now - before + 5, now);
    probe.onLatency(2, now);
    probe.onLatency(3, now);
    fake.release();
    await during;
    // Began after the write answered: outside.
    probe.onLatency(1, performance.now() + 10);

    const figures = probe.figures(100, 0);
    expect(figures.window.requests).toBe(3);
    expect(figures.window.p50).toBe(3);
    expect(figures.window.max).toBeCloseTo(now - before + 5);
    expect(figures.cellMaxMs).toBe(Math.max(40, now - before + 5));
    expect(figures.writeMs).toBeGreaterThan(0);
    expect(figures).toMatchObject({ answers: 100, remaining: 0 });
    expect(figures.writeError).toBeUndefined();
  });

  it('reports a write that answered errors, for the cell to fail on', async () => {
    const fake = await holdingServer('{"errors":[{"message":"nope"}]}');
    fake.release();
    const probe = new InvalidationProbe(write, fake.origin, 'token', context);
    await probe.during(0);
    expect(probe.figures(1, 1).writeError).toMatch(/nope/);
  });
});
