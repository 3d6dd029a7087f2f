import { useState } from 'react';

/** Members per page. */
export const PAGE_SIZE = 10;

/** Where the viewer is in a forward-only connection: the `after` cursor of each page they came through. */
export interface Paging {
  /** The cursor to ask this page with; null for the first page. */
  after: string | null;
  /** Zero-based page number. */
  index: number;
  next(endCursor: string): void;
  previous(): void;
}

/**
 * Pages through a connection that only goes forward (`first`/`after`): going back returns to the
 * cursor the previous page was asked with, which the client remembers.
 */
export function usePaging(): Paging {
  const [cursors, setCursors] = useState<readonly (string | null)[]>([null]);
  return {
    after: cursors.at(-1) ?? null,
    index: cursors.length - 1,
    next: (endCursor) => setCursors((stack) => [...stack, endCursor]),
    previous: () => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack)),
  };
}
