// The invalidation-at-scale cell: answers seeded under one tag through the
// server's own store classes (the keys and tags the server itself writes),
// one write sent mid-cell that invalidates them all, the hits' latencies
// around it, and a check that none of the answers is left afterwards.

import { randomBytes } from 'node:crypto';
import { keys } from '../src/cache/keys.ts';
import { encodeStored } from '../src/cache/response-key.ts';
import type { Store, TagKeys } from '../src/store/index.ts';
import { post } from './client.ts';
import { percentile } from './load.ts';
import { sleep } from './process.ts';
import { requestBody, type Operation, type WorkloadContext } from './workloads.ts';

/** What the cell found, beside the usual figures of its hits. */
export interface InvalidationFigures {
  /** Answers seeded under the tag the write invalidates. */
  answers: number;
  /** The write's latency: it answers only once every answer under its tags is gone. */
  writeMs: number;
  /** Hits in flight at any time while the write was (sent → answered). Milliseconds. */
  window: { requests: number; p50: number; p99: number; max: number };
  /** The slowest hit of the whole measured part. */
  cellMaxMs: number;
  /** Seeded answers the store still served after the write answered: must be 0. */
  remaining: number;
  /** Why the write failed, if it did. */
  writeError?: string;
}

/** Answers seeded per batch: one start read, then the batch's stores in flight together. */
const BATCH = 5_000;
/** Viewers the seeded answers are spread over: on a cluster, over many slots, as real viewers' answers are. */
const VIEWERS = 1_000;

/** A seeded answer's body: a plausible organization page, as bytes a hit would send. */
const body = (i: number) =>
  JSON.stringify({ data: { organization: { id: `seeded-${i}`, name: 'Seeded', members: { edges: [] } } } });

/**
 * Stores `count` answers indexed under `tag`, as the server's response
 * cache stores them: a miss gives the start to store against, the store
 * refuses nothing since the tag was not invalidated meanwhile. Answers their keys.
 */
export async function seedAnswers(store: Store, tag: TagKeys, count: number, log: (line: string) => void): Promise<string[]> {
  const run = randomBytes(4).toString('hex');
  const viewers = Array.from({ length: VIEWERS }, (_, i) => `bench-seed-${run}-${i}`);
  const all = Array.from({ length: count }, (_, i) => keys.response(`${run}${i.toString(36)}`, viewers[i % VIEWERS] as string));
  const started = performance.now();
  for (let at = 0; at < all.length; at += BATCH) {
    const batch = all.slice(at, at + BATCH);
    const miss = await store.responses.get(batch[0]!, keys.responseSequence());
    if (!('seq' in miss)) throw new Error(`seeding: ${batch[0]} already holds an answer`);
    const stored = await Promise.all(
      batch.map((key, i) =>
        store.responses.set({ key, value: encodeStored(body(at + i)).value, ttlSeconds: 600, tags: [tag], startSeq: miss.seq }),
      ),
    );
    const refused = stored.filter((ok) => !ok).length;
    if (refused > 0) throw new Error(`seeding: the store refused ${refused} answers`);
    if ((at + BATCH) % (BATCH * 4) === 0 || at + BATCH >= all.length)
      log(
        `    seeded ${Math.min(at + BATCH, all.length)} / ${all.length} answers (${Math.round(performance.now() - started)} ms)`,
      );
  }
  return all;
}

/** How many of `answers` the store still serves. */
export async function stillServed(store: Store, answers: readonly string[]): Promise<number> {
  let served = 0;
  for (let at = 0; at < answers.length; at += BATCH) {
    const found = await Promise.all(
      answers.slice(at, at + BATCH).map((key) => store.responses.get(key, keys.responseSequence())),
    );
    served += found.filter((r) => 'value' in r).length;
  }
  return served;
}

/**
 * Watches the hits of a measured part and sends the write a third of the way
 * in: `onLatency` goes to the load, `during` runs beside it.
 */
export class InvalidationProbe {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private sentAt = 0;
  private answeredAt = 0;
  private writeError: string | undefined;

  constructor(
    private readonly write: Operation,
    private readonly origin: string,
    private readonly token: string,
    private readonly context: WorkloadContext,
  ) {}

  readonly onLatency = (latencyMs: number, arrivedAt: number) => {
    this.starts.push(arrivedAt - latencyMs);
    this.ends.push(arrivedAt);
  };

  async during(durationSeconds: number): Promise<void> {
    await sleep((durationSeconds * 1000) / 3);
    this.sentAt = performance.now();
    try {
      await post(this.origin, requestBody(this.write, 0, this.context), this.token);
    } catch (error) {
      this.writeError = error instanceof Error ? error.message : String(error);
    }
    this.answeredAt = performance.now();
  }

  figures(answers: number, remaining: number): InvalidationFigures {
    const all = this.ends.map((end, i) => end - this.starts[i]!);
    const inWindow = all
      .filter((_, i) => this.starts[i]! <= this.answeredAt && this.ends[i]! >= this.sentAt)
      .sort((a, b) => a - b);
    return {
      answers,
      writeMs: this.answeredAt - this.sentAt,
      window: {
        requests: inWindow.length,
        p50: percentile(inWindow, 0.5),
        p99: percentile(inWindow, 0.99),
        max: inWindow.at(-1) ?? 0,
      },
      cellMaxMs: all.reduce((max, ms) => Math.max(max, ms), 0),
      remaining,
      ...(this.writeError ? { writeError: this.writeError } : {}),
    };
  }
}

/** The tag of the write's target, seeded under before the cell and checked after it. */
export function tagOf(typename: string, globalId: string): TagKeys {
  return keys.responseTag(typename, globalId);
}
