/** A name a client may put in a label: GraphQL's name syntax, bounded in length. */
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Operation names as metric labels. Clients choose them, so each is a new
 * series in every scraper: only well-formed names, and only the first `max`
 * distinct ones, get their own; the rest share `other`.
 */
export class OperationLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max = 100) {}

  of(name: string | null): string {
    if (name === null) return 'anonymous';
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max || !LABEL_NAME.test(name)) return 'other';
    this.seen.add(name);
    return name;
  }
}
