// The scenarios in the order a full run plays them, and how long each part
// lasts: the full run's figures here, the tests' shortened ones in
// test/ops/chaos.test.ts.

import type { ScenarioContext, ScenarioResult } from './scenario.ts';
import { postgresCut } from './scenarios/postgres-cut.ts';
import { redisCut } from './scenarios/redis-cut.ts';
import { redisSlow, SLOW_P99_BOUND_MS } from './scenarios/redis-slow.ts';
import { soak } from './scenarios/soak.ts';

export const SCENARIOS = ['redis-cut', 'redis-slow', 'postgres-cut', 'soak'] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

/** One step of a run. */
export interface Step {
  id: ScenarioId;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

/** What `npm run chaos` does. */
export const FULL_PLAN = {
  /** Reads per second across both instances: some hundreds, on 2 cores. */
  rate: 200,
  /** A write every this many ms, on each instance in turn. */
  writeEveryMs: 250,
  viewers: 8,
  steps: (soakMinutes: number): Step[] => [
    { id: 'redis-cut', run: (ctx) => redisCut(ctx, { warmMs: 5_000, cutMs: 8_000, afterMs: 10_000 }) },
    {
      id: 'redis-slow',
      run: (ctx) => redisSlow(ctx, { warmMs: 3_000, slowMs: 10_000, afterMs: 5_000, p99BoundMs: SLOW_P99_BOUND_MS }),
    },
    { id: 'postgres-cut', run: (ctx) => postgresCut(ctx, { warmMs: 5_000, cutMs: 6_000, recoverWithinMs: 15_000 }) },
    { id: 'soak', run: (ctx) => soak(ctx, { durationMs: soakMinutes * 60_000, sampleEveryMs: 5_000 }) },
  ],
};
