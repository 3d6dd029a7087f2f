// What `npm run bench:ab` (ab.ts) concludes from its rounds.

import { median } from './same-time.ts';

/** One round: each side's requests/s and CPU µs per request over the same seconds. */
export interface AbRound {
  base: { rps: number; cpu: number };
  tree: { rps: number; cpu: number };
}

/** The verdict line: the median of the rounds' CPU ratios (base ÷ tree: above 1, the tree's hit is cheaper). */
export function abSummary(rounds: readonly AbRound[]): string {
  const cpu = median(rounds.map((r) => r.base.cpu / r.tree.cpu));
  const rps = median(rounds.map((r) => r.tree.rps / r.base.rps));
  return `median over ${rounds.length} rounds: CPU per request base/tree ${cpu.toFixed(3)} (above 1: the tree is cheaper), req/s tree/base ${rps.toFixed(3)}`;
}
