import { describe, expect, it } from 'vitest';
import { abSummary } from '../../bench/ab-summary.ts';

describe('the A/B verdict', () => {
  it('gives the median of the rounds’ CPU ratios, base over tree, and of the req/s ratios, tree over base', () => {
    const round = (baseCpu: number, treeCpu: number, baseRps = 1000, treeRps = 1000) => ({
      base: { rps: baseRps, cpu: baseCpu },
      tree: { rps: treeRps, cpu: treeCpu },
    });
    // CPU ratios 1.1, 0.5 (an outlier round), 1.2: the median is 1.1, the mean would say 0.933.
    const summary = abSummary([round(110, 100, 1000, 1100), round(50, 100, 1000, 500), round(120, 100, 1000, 1200)]);
    expect(summary).toBe(
      'median over 3 rounds: CPU per request base/tree 1.100 (above 1: the tree is cheaper), req/s tree/base 1.100',
    );
  });
});
