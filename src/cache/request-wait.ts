/**
 * How long one request has waited on the cache store, against what it may
 * wait in all. A slow store (replies that come, but late) fails no command,
 * so no timeout steps in: without a cap, a request pays every round trip of
 * every loader level, one after the other. Once a request has waited its
 * share, its remaining reads go to Postgres and its fills are sent without
 * being waited for; what it reads stays as fresh as the store down would.
 */
export class RequestWait {
  private spentMs = 0;

  constructor(private readonly limitMs: number) {}

  /** Whether this request has waited its share. */
  get exhausted(): boolean {
    return this.spentMs >= this.limitMs;
  }

  /** Counts a wait that began at `startedAt` (performance.now()) and just ended. */
  spend(startedAt: number): void {
    this.spentMs += performance.now() - startedAt;
  }
}
