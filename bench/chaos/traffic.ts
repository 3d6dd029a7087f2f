// The chaos load: an open-loop stream of hot reads at a fixed rate (sent on
// schedule whether or not earlier ones have answered, as real clients do,
// so a stall shows as latency rather than as fewer requests), spread over
// the instances, plus one writer sending a write now and then and reading
// it back at once on every instance. Every answer is kept as a sample: when
// it was sent and answered, how it ended, and whether it showed a value
// older than a write acknowledged before it was sent.

import { Agent, request } from 'node:http';
import type { Cast } from './cast.ts';
import type { ChaosInstance } from './cluster.ts';
import { Ledger } from './ledger.ts';
import { type ChaosRequest, flagTarget, flip, nameTarget, observations, orgPage, pageLoad, rename } from './operations.ts';

/** Why a request was sent. */
export type Role = 'load' | 'write' | 'read-back' | 'cold' | 'probe';

/** One answered (or failed) request. */
export interface Sample {
  instance: string;
  op: string;
  kind: 'read' | 'write';
  role: Role;
  /** ms since the traffic began. */
  start: number;
  end: number;
  ms: number;
  status: number;
  /** 'ok', the first error's code, 'no code', 'HTTP <status>', 'timeout' or 'transport'. */
  outcome: string;
  retryAfter: string | null;
  /** Served from the response cache (X-Cache: HIT). */
  hit: boolean;
  /** The body carried something like a stack trace. */
  stack: boolean;
  /** What made the answer stale, if it was. */
  stale: string[];
}

/** How hard and how the load drives the instances. */
export interface TrafficOptions {
  /** Reads per second across all instances. */
  rate: number;
  /** A write every this many ms (0: no writer). */
  writeEveryMs: number;
  /** A request unanswered after this long counts as a timeout (a hang). @default 5000 */
  timeoutMs?: number;
  /** Reads in flight past which the load skips a send (counted) rather than pile up. @default 200 */
  maxInFlight?: number;
}

/**
 * What the writes have done so far, kept across scenarios (they run one
 * after the other on the same database): the ledger, on the process's clock
 * (performance.now()), and where each written value stands.
 */
export class WriterState {
  readonly ledger = new Ledger();
  /** Renames so far, per viewer. */
  readonly names: number[];
  flag = false;
  writes = 0;

  constructor(cast: Cast) {
    this.names = cast.viewers.map(() => 0);
    for (const viewer of cast.viewers) this.ledger.seed(nameTarget(viewer.id), viewer.name);
    this.ledger.seed(flagTarget(cast.orgId, cast.flagKey), 'false');
    this.ledger.seed(flagTarget(cast.orgId, 'steady'), 'true');
  }
}

const STACK = /\n\s+at |"stack"\s*:/;
const TICK_MS = 10;

/** Drives the instances with the load; start(), then stop() to wait for every answer. */
export class Traffic {
  readonly samples: Sample[] = [];
  /** Reads the load did not send because maxInFlight were still unanswered. */
  skipped = 0;
  private readonly epoch = performance.now();
  private readonly agents = new Map<string, Agent>();
  private readonly inFlight = new Set<Promise<Sample>>();
  private timer: NodeJS.Timeout | undefined;
  private writer: Promise<void> | undefined;
  private running = false;
  private writesPaused = false;
  private sent = 0;
  private startedAt = 0;
  private nextInstance = 0;

  constructor(
    readonly instances: readonly ChaosInstance[],
    readonly cast: Cast,
    readonly options: TrafficOptions,
    readonly state: WriterState,
  ) {
    for (const instance of instances) this.agents.set(instance.name, new Agent({ keepAlive: true, maxSockets: 64 }));
  }

  /** The ledger of every write so far (its times on the process's clock: add `epochMs` to a sample's). */
  get ledger(): Ledger {
    return this.state.ledger;
  }

  /** When this load began, on the process's clock. */
  get epochMs(): number {
    return this.epoch;
  }

  /** ms since this load was created: the time base of every sample. */
  now(): number {
    return performance.now() - this.epoch;
  }

  /** Starts the reads (and the writer). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.now();
    this.sent = 0;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    if (this.options.writeEveryMs > 0) this.writer = this.writeLoop();
  }

  /** Stops sending and waits for every answer. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    await this.writer;
    await Promise.all([...this.inFlight]);
  }

  /** Holds the writer (reads go on), e.g. to keep the caches warm before an outage. */
  pauseWrites(paused: boolean): void {
    this.writesPaused = paused;
  }

  /** Closes the keep-alive connections. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
  }

  private tick(): void {
    const due = Math.floor(((this.now() - this.startedAt) / 1000) * this.options.rate) - this.sent;
    for (let i = 0; i < due; i++) {
      this.sent += 1;
      if (this.inFlight.size >= (this.options.maxInFlight ?? 200)) {
        this.skipped += 1;
        continue;
      }
      const instance = this.instances[this.nextInstance++ % this.instances.length]!;
      const viewer = this.cast.viewers[Math.floor(Math.random() * this.cast.viewers.length)]!;
      const req = Math.random() < 0.7 ? pageLoad(viewer.token) : orgPage(this.cast, viewer.token);
      void this.send(instance, req, 'load');
    }
  }

  private async writeLoop(): Promise<void> {
    while (this.running) {
      await new Promise((resolve) => setTimeout(resolve, this.options.writeEveryMs));
      if (!this.running) break;
      if (this.writesPaused) continue;
      await this.writeOnce(this.instances[this.state.writes % this.instances.length]!);
    }
  }

  /**
   * One write on `instance` (renames and flag flips in turn), then, once it
   * is acknowledged, a read of it on every instance at once. Answers the
   * write's sample and the token of a viewer who sees what it wrote.
   */
  async writeOnce(instance: ChaosInstance): Promise<{ sample: Sample; reader: string }> {
    const state = this.state;
    const n = state.writes++;
    const owner = this.cast.viewers[0]!;
    let req: ChaosRequest;
    let target: string;
    let value: string;
    let reader: string;
    if (n % 2 === 0) {
      const index = (n / 2) % this.cast.viewers.length;
      const viewer = this.cast.viewers[index]!;
      state.names[index]! += 1;
      value = `Chaos ${index} v${state.names[index]}`;
      target = nameTarget(viewer.id);
      req = rename(viewer.token, value);
      reader = viewer.token;
    } else {
      state.flag = !state.flag;
      value = String(state.flag);
      target = flagTarget(this.cast.orgId, this.cast.flagKey);
      req = flip(this.cast, owner.token, state.flag);
      reader = owner.token;
    }
    const pending = this.ledger.begin(target, value, performance.now());
    const sample = await this.send(instance, req, 'write');
    if (sample.outcome !== 'ok') {
      pending.failed();
      return { sample, reader };
    }
    pending.acked(sample.end + this.epoch);
    await Promise.all(this.instances.map((i) => this.send(i, pageLoad(reader), 'read-back')));
    return { sample, reader };
  }

  /** Sends one request to `instance` and keeps its sample (reads are judged by the ledger). */
  send(instance: ChaosInstance, req: ChaosRequest, role: Role): Promise<Sample> {
    const promise = this.exchange(instance, req, role).then((sample) => {
      this.samples.push(sample);
      return sample;
    });
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  private exchange(instance: ChaosInstance, req: ChaosRequest, role: Role): Promise<Sample> {
    const start = this.now();
    const timeoutMs = this.options.timeoutMs ?? 5_000;
    const base = { instance: instance.name, op: req.op, kind: req.kind, role, start };
    const finish = (fields: Pick<Sample, 'status' | 'outcome'> & Partial<Sample>): Sample => {
      const end = this.now();
      return { retryAfter: null, hit: false, stack: false, stale: [], ...base, ...fields, end, ms: end - start };
    };
    return new Promise((resolve) => {
      const url = new URL('/graphql', instance.origin);
      const http = request(
        url,
        {
          method: 'POST',
          agent: this.agents.get(instance.name),
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(req.body),
            authorization: `Bearer ${req.token}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', () => resolve(finish({ status: res.statusCode ?? 0, outcome: 'transport' })));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            const status = res.statusCode ?? 0;
            const retryAfter = typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null;
            const hit = res.headers['x-cache'] === 'HIT';
            const stack = STACK.test(text);
            let json: { data?: unknown; errors?: { extensions?: { code?: unknown } }[] };
            try {
              json = JSON.parse(text) as typeof json;
            } catch {
              return resolve(finish({ status, outcome: `HTTP ${status}`, retryAfter, hit, stack }));
            }
            const code = json.errors?.[0]?.extensions?.code;
            const outcome = json.errors?.length
              ? typeof code === 'string'
                ? code
                : 'no code'
              : status === 200
                ? 'ok'
                : `HTTP ${status}`;
            const sample = finish({ status, outcome, retryAfter, hit, stack });
            if (json.data) {
              for (const [target, value] of observations(req.op, json.data)) {
                const wrong = this.ledger.judge(target, value, sample.start + this.epoch, sample.end + this.epoch);
                if (wrong) sample.stale.push(wrong);
              }
            }
            resolve(sample);
          });
        },
      );
      http.setTimeout(timeoutMs, () => {
        http.destroy();
        resolve(finish({ status: 0, outcome: 'timeout' }));
      });
      http.on('error', () => resolve(finish({ status: 0, outcome: 'transport' })));
      http.end(req.body);
    });
  }
}
