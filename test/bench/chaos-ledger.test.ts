import { describe, expect, it } from 'vitest';
import { Ledger } from '../../bench/chaos/ledger.ts';
import { recoveryAfter } from '../../bench/chaos/scenario.ts';
import { secondHalfGrowth } from '../../bench/chaos/scenarios/soak.ts';
import type { Sample } from '../../bench/chaos/traffic.ts';

// The chaos runner's judgement: what makes a read stale, when the instances
// count as recovered, how the soak's growth is measured.

describe('the ledger', () => {
  it('calls a read stale only when it shows a value older than a write acknowledged before it was sent', () => {
    const ledger = new Ledger();
    ledger.seed('name', 'v0');
    const first = ledger.begin('name', 'v1', 100);
    // In flight: either value may show.
    expect(ledger.judge('name', 'v0', 110, 120)).toBeNull();
    expect(ledger.judge('name', 'v1', 110, 120)).toBeNull();
    first.acked(150);
    // Sent after the acknowledgement: only the new value.
    expect(ledger.judge('name', 'v0', 160, 170)).toMatch(/showed "v0", expected "v1"/);
    expect(ledger.judge('name', 'v1', 160, 170)).toBeNull();
    // Sent before it: the old one was still right.
    expect(ledger.judge('name', 'v0', 140, 170)).toBeNull();
    // A later write begun before the answer came back may already show; one begun after it may not.
    ledger.begin('name', 'v2', 200);
    expect(ledger.judge('name', 'v2', 190, 210)).toBeNull();
    expect(ledger.judge('name', 'v2', 160, 170)).toMatch(/expected "v1"/);
  });

  it('accepts either value after a failed write, until a later one is acknowledged', () => {
    const ledger = new Ledger();
    ledger.seed('flag', 'false');
    ledger.begin('flag', 'true', 10).failed();
    expect(ledger.judge('flag', 'true', 50, 60)).toBeNull();
    expect(ledger.judge('flag', 'false', 50, 60)).toBeNull();
    ledger.begin('flag', 'false', 70).acked(80);
    expect(ledger.judge('flag', 'true', 90, 100)).toMatch(/expected "false"/);
    expect(ledger.current('flag')).toBe('false');
  });

  it('does not judge what it was never told about', () => {
    expect(new Ledger().judge('other', 'x', 0, 1)).toBeNull();
  });
});

const sample = (start: number, fields: Partial<Sample> = {}): Sample => ({
  instance: 'A',
  op: 'ChaosPage',
  kind: 'read',
  role: 'load',
  start,
  end: start + 5,
  ms: 5,
  status: 200,
  outcome: 'ok',
  retryAfter: null,
  hit: true,
  stack: false,
  stale: [],
  ...fields,
});

describe('recovery', () => {
  it('is the time to the first sample after which every one was ok, fresh and fast', () => {
    const samples = [
      sample(900, { outcome: 'timeout' }),
      sample(1_100, { ms: 800 }),
      sample(1_300, { stale: ['x'] }),
      sample(1_500),
      sample(1_700),
    ];
    expect(recoveryAfter(samples, 1_000, 100)).toBe(500);
    expect(recoveryAfter([...samples, sample(1_900, { outcome: 'SERVICE_UNAVAILABLE' })], 1_000, 100)).toBeNull();
  });
});

describe('second-half growth', () => {
  it('is flat for a level series with a sawtooth, and positive for a growing one', () => {
    const level = Array.from({ length: 40 }, (_, i) => 100 + (i % 4));
    expect(Math.abs(secondHalfGrowth(level))).toBeLessThan(0.02);
    const growing = Array.from({ length: 40 }, (_, i) => 100 + i);
    expect(secondHalfGrowth(growing)).toBeGreaterThan(0.1);
  });
});
