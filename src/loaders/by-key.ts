import DataLoader from 'dataloader';

/** Upper bound of one batch: keeps `IN (...)` lists and their parameter counts reasonable. */
const MAX_BATCH = 500;

/**
 * A per-request DataLoader for rows found by a unique key: one query per batch,
 * results put back in key order, null for keys with no row.
 */
export function uniqueLoader<K extends string, V>(
  load: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(
    async (keys) => {
      const rows = await load(keys);
      const byKey = new Map(rows.map((row) => [keyOf(row), row]));
      return keys.map((key) => byKey.get(key) ?? null);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/** A per-request DataLoader for the rows belonging to a parent (one-to-many): one query per batch. */
export function groupLoader<K extends string, V>(
  load: (keys: readonly K[]) => Promise<V[]>,
  groupOf: (row: V) => K,
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(
    async (keys) => {
      const rows = await load(keys);
      const groups = new Map<K, V[]>();
      for (const row of rows) {
        const group = groups.get(groupOf(row));
        if (group) group.push(row);
        else groups.set(groupOf(row), [row]);
      }
      return keys.map((key) => groups.get(key) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
}
