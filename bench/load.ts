// Driving one server with one workload over HTTP, with autocannon: a fixed
// number of keep-alive connections, each cycling through the workload's
// sequence for a fixed time. Latencies are kept by the bench itself (from
// autocannon's per-response event) for sub-millisecond percentiles;
// autocannon's own histogram rounds to whole milliseconds.

import autocannon from 'autocannon';
import { checkResponse, looksOk, type Expectation } from './check.ts';
import type { ResponseHeaders } from './servers.ts';
import { requestBody, type Operation, type Workload, type WorkloadContext } from './workloads.ts';

export interface LoadOptions {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Bearer token of the signed-in user; omitted for servers that ignore it. */
  token?: string;
  /** The token of each request, for many signed-in users (instead of `token`): see tokenRotation. */
  nextToken?: () => string;
  /** Whether an answer came from the server's response cache; without it hits are not counted. */
  cacheHit?: (headers: ResponseHeaders, body: string) => boolean;
  workload: Workload;
  context: WorkloadContext;
  /** Expectation of each operation's sampled responses, by operation name. */
  expect: (op: Operation) => Expectation;
  connections: number;
  durationSeconds: number;
  /**
   * Send exactly this many requests (spread over the connections) and wait
   * for every answer, instead of running for durationSeconds: nothing is left
   * in flight at the end, so whatever the server sent meanwhile was for them.
   */
  requests?: number;
  /** Every n-th response (after the first few of each operation) is fully checked. @default 100 */
  sampleEvery?: number;
  /** Told each response's latency (ms) and when it arrived (performance.now()), for figures over a part of the run. */
  onLatency?: (latencyMs: number, arrivedAt: number) => void;
}

export interface LoadResult {
  /** Completed requests. */
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  /** Responses outside 2xx. */
  non2xx: number;
  /** Connection errors and timeouts. */
  transportErrors: number;
  /** 2xx responses carrying `errors` (checked on every response). */
  errorBodies: number;
  /** Sampled responses fully checked, and how many of them were wrong. */
  sampled: number;
  sampleFailures: number;
  /** The first few problems, for the report. */
  problems: string[];
  /** 2xx answers the server said it served from its response cache; null when it does not say. */
  cacheHits: number | null;
}

/** Total failures of a run: any of them fails the bench. */
export function failureCount(result: Pick<LoadResult, 'non2xx' | 'transportErrors' | 'errorBodies' | 'sampleFailures'>): number {
  return result.non2xx + result.transportErrors + result.errorBodies + result.sampleFailures;
}

const FULLY_CHECKED_FIRST = 3;
const PROBLEMS_KEPT = 5;

/** Runs the workload once and reports what happened; never throws for bad responses, only counts them. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const sampleEvery = options.sampleEvery ?? 100;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;

  let sampled = 0;
  let sampleFailures = 0;
  let errorBodies = 0;
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const sends = new Map<string, number>();
  let cacheHits = 0;
  const cacheHit = options.cacheHit;
  const nextToken = options.nextToken;
  const onLatency = options.onLatency;

  const requests = options.workload.sequence.map((op): autocannon.Request => {
    const expected = options.expect(op);
    const problem = (text: string) => problems.length < PROBLEMS_KEPT && problems.push(`${op.name}: ${text.slice(0, 300)}`);
    const onResponse = (status: number, body: string, _context: object, responseHeaders: ResponseHeaders | undefined) => {
      // Every response gets the cheap checks; each failure is counted once (non-2xx by autocannon).
      if (status < 200 || status >= 300) return void problem(`HTTP ${status}: ${body}`);
      if (!looksOk(status, body)) {
        errorBodies += 1;
        return void problem(`errors in body: ${body}`);
      }
      if (cacheHit?.(responseHeaders ?? {}, body)) cacheHits += 1;
      const n = (seen.get(op.name) ?? 0) + 1;
      seen.set(op.name, n);
      if (n > FULLY_CHECKED_FIRST && n % sampleEvery !== 0) return;
      sampled += 1;
      const wrong = checkResponse(status, body, expected);
      if (wrong) {
        sampleFailures += 1;
        problem(wrong);
      }
    };
    const base = { method: 'POST' as const, path: '/graphql', headers, onResponse };
    if (op.kind === 'read' && nextToken) {
      const body = requestBody(op, 0, options.context);
      return {
        ...base,
        body,
        setupRequest: (request: autocannon.Request) => ({
          ...request,
          body,
          headers: { ...headers, authorization: `Bearer ${nextToken()}` },
        }),
      };
    }
    if (op.kind === 'read') return { ...base, body: requestBody(op, 0, options.context) };
    // Writes get fresh variables on every send (alternating values), counted across connections.
    return {
      ...base,
      setupRequest: (request: autocannon.Request) => {
        const n = sends.get(op.name) ?? 0;
        sends.set(op.name, n + 1);
        return { ...request, body: requestBody(op, n, options.context) };
      },
    };
  });

  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const options_: autocannon.Options = {
    url: `${options.origin}/graphql`,
    connections: options.connections,
    ...(options.requests === undefined ? { duration: options.durationSeconds } : { amount: options.requests }),
    // autocannon looks at its stop flag once per sample: with its default 1 s sample every run rounds up to
    // whole seconds (a 0.5 s counted pass lasted 1 s, a 3.5 s measured part 4 s). Its per-sample histograms go unused.
    sampleInt: 100,
    timeout: 10,
    requests,
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options_, (error: unknown, done: autocannon.Result) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
      onLatency?.(responseTime, performance.now());
    });
  });

  const sorted = latencies.subarray(0, count).sort();
  const durationSeconds = result.duration;
  return {
    requests: count,
    durationSeconds,
    requestsPerSecond: count / durationSeconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    non2xx: result.non2xx,
    transportErrors: result.errors + result.timeouts,
    errorBodies,
    sampled,
    sampleFailures,
    problems,
    cacheHits: cacheHit ? cacheHits : null,
  };
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}
