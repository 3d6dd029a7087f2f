import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { failureCount, type LoadOptions, percentile, runLoad } from '../../bench/load.ts';
import type { Operation, Workload } from '../../bench/workloads.ts';

const read: Operation = { name: 'Read', kind: 'read', query: 'query Read { viewer { name } }', variables: () => ({}) };
const write: Operation = {
  name: 'Write',
  kind: 'write',
  query: 'mutation Write($on: Boolean!) { setFlag(on: $on) }',
  variables: (n) => ({ on: n % 2 === 1 }),
};
const workload: Workload = { id: 'test', title: 'test', sequence: [read, read, read, write], check: 'exact' };
const good = JSON.stringify({ data: { viewer: { name: 'alice' } } });

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A fake GraphQL server: `answer` decides each response from the parsed request body. */
async function serve(
  answer: (body: { operationName: string; variables: Record<string, unknown> }, n: number) => [number, string],
): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const [status, body] = answer(JSON.parse(text), n++);
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

const load = (origin: string) =>
  runLoad({
    origin,
    token: 'tkn',
    workload,
    context: { acmeId: 'acme', largestOrgSlug: 'big' },
    expect: (op) => (op.kind === 'write' ? { mode: 'ok' } : { mode: 'bytes', body: good }),
    connections: 2,
    durationSeconds: 0.5,
    sampleEvery: 5,
  });

describe('a load run', () => {
  it('passes a server that answers right, checking a sample and sending alternating writes', async () => {
    const flags: unknown[] = [];
    const origin = await serve((body) => {
      if (body.operationName === 'Write') {
        flags.push(body.variables['on']);
        return [200, JSON.stringify({ data: { setFlag: true } })];
      }
      return [200, good];
    });
    const result = await load(origin);
    // Counts any run reaches whatever the machine's speed: two whole sequences, so two writes to alternate.
    expect(result.requests).toBeGreaterThanOrEqual(2 * workload.sequence.length);
    expect(failureCount(result)).toBe(0);
    // Each operation's first three answers are checked in full, then one in five: at least 3 reads and 2 writes.
    expect(result.sampled).toBeGreaterThanOrEqual(5);
    expect(result.sampled).toBeLessThanOrEqual(result.requests);
    expect(result.requestsPerSecond).toBeGreaterThan(0);
    expect(result.p99).toBeGreaterThanOrEqual(result.p50);
    // Writes are a quarter of the sequence, with values that alternate.
    expect(flags.length).toBeGreaterThanOrEqual(2);
    expect(new Set(flags)).toEqual(new Set([true, false]));
  });

  it('counts every errored body (not only sampled ones) and every non-2xx answer', async () => {
    const origin = await serve((body, n) => {
      if (body.operationName === 'Write') return [500, 'no'];
      // Every other answer errs, so any run's first reads include one, however few requests it made.
      return [200, n % 2 === 1 ? '{"errors":[{"message":"boom"}]}' : good];
    });
    const result = await load(origin);
    expect(result.errorBodies).toBeGreaterThan(0);
    expect(result.non2xx).toBeGreaterThan(0);
    expect(failureCount(result)).toBe(result.errorBodies + result.non2xx + result.sampleFailures);
    expect(result.problems.join()).toMatch(/HTTP 500: no|Read: errors in body: .*boom/);
  });

  it('fails a fast wrong answer: sampled responses must match the reference', async () => {
    const origin = await serve(() => [200, JSON.stringify({ data: { viewer: { name: 'mallory' } } })]);
    const result = await load(origin);
    expect(result.errorBodies).toBe(0);
    expect(result.sampleFailures).toBeGreaterThan(0);
    expect(result.problems[0]).toMatch(/Read: body differs from the reference/);
  });
});

/** A run of the read alone, each answer checked against `good`. */
const readsOf = (origin: string, run: Pick<LoadOptions, 'connections' | 'durationSeconds' | 'requests'>): LoadOptions => ({
  origin,
  workload: { ...workload, sequence: [read] },
  context: { acmeId: 'acme', largestOrgSlug: 'big' },
  expect: () => ({ mode: 'bytes', body: good }),
  ...run,
});

describe('a load run of a number of requests', () => {
  it('sends exactly that many, answers all in, and ends when the last arrives, not when its time is up', async () => {
    let received = 0;
    let answered = 0;
    const origin = await serve(() => {
      received += 1;
      return [200, good];
    });
    server!.on('request', (_req, res) => res.on('finish', () => (answered += 1)));
    const started = performance.now();
    const result = await runLoad(readsOf(origin, { connections: 3, durationSeconds: 30, requests: 37 }));
    expect(result.requests).toBe(37);
    expect(received).toBe(37);
    expect(answered).toBe(37);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('ends a timed run within a tenth of a second of its time, not on the next whole second', async () => {
    const origin = await serve(() => [200, good]);
    const result = await runLoad(readsOf(origin, { connections: 1, durationSeconds: 0.3 }));
    expect(result.durationSeconds).toBeLessThan(0.6);
  });
});

describe('percentiles', () => {
  it('are nearest-rank', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(new Float64Array(0), 0.99)).toBe(0);
  });
});
