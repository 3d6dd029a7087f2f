// What the load knows about its own writes, to call a read stale: for each
// written value (a viewer's name, a flag), the writes in order, when each
// began and when it was acknowledged. Writes to one target never overlap
// (the chaos writer sends one write at a time).

interface Write {
  value: string;
  startedAt: number;
  /** When the answer said it was done; null while in flight, Infinity when it failed (it may or may not have landed). */
  ackedAt: number | null;
}

/** A write in flight, to settle once its answer is in. */
export interface PendingWrite {
  acked(at: number): void;
  /** The write failed or timed out: it may have landed or not, so both values stay acceptable until a later write is acknowledged. */
  failed(): void;
}

/**
 * The values each target may show to a read, given the writes around it. A
 * read that began after a write was acknowledged must show that write's value
 * or a later one's: anything older is stale.
 */
export class Ledger {
  private readonly writes = new Map<string, Write[]>();
  private readonly initial = new Map<string, string>();

  /** The value a target holds before any write. */
  seed(target: string, value: string): void {
    this.initial.set(target, value);
  }

  /** A write of `value` to `target`, sent at `at`. */
  begin(target: string, value: string, at: number): PendingWrite {
    const write: Write = { value, startedAt: at, ackedAt: null };
    const list = this.writes.get(target) ?? [];
    list.push(write);
    this.writes.set(target, list);
    return {
      acked: (when) => {
        write.ackedAt = when;
      },
      failed: () => {
        write.ackedAt = Number.POSITIVE_INFINITY;
      },
    };
  }

  /** The writes to `target` so far, for a report explaining a stale answer. */
  history(target: string): readonly Readonly<Write>[] {
    return this.writes.get(target) ?? [];
  }

  /** The value a read should see when nothing is in flight: the last acknowledged write's, else the seed. */
  current(target: string): string | undefined {
    const list = this.writes.get(target) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const at = list[i]!.ackedAt;
      if (at !== null && Number.isFinite(at)) return list[i]!.value;
    }
    return this.initial.get(target);
  }

  /**
   * Null when `observed` is a value a read sent at `start` and answered at
   * `end` may show; otherwise what it should have shown. Targets the ledger
   * was never told about are not judged.
   */
  judge(target: string, observed: string, start: number, end: number): string | null {
    const list = this.writes.get(target) ?? [];
    let last = -1;
    for (let i = 0; i < list.length; i++) {
      const at = list[i]!.ackedAt;
      if (at !== null && Number.isFinite(at) && at < start) last = i;
    }
    const base = last >= 0 ? list[last]!.value : this.initial.get(target);
    if (base === undefined) return null;
    const allowed = new Set([base]);
    // Later writes begun before the answer came back may have landed first; so may failed ones (their fate is unknown).
    for (let i = last + 1; i < list.length; i++) if (list[i]!.startedAt < end) allowed.add(list[i]!.value);
    return allowed.has(observed)
      ? null
      : `${target}: showed ${JSON.stringify(observed)}, expected ${[...allowed].map((v) => JSON.stringify(v)).join(' or ')}`;
  }
}
