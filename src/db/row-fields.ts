/**
 * Readers for the columns of a row that `pg` answered in array mode: each
 * checks the value's type at run time, so a row becomes a Prisma model type
 * field by field, without a cast, and a schema that drifted from the
 * statements fails loudly instead of handing a resolver the wrong shape.
 */

/** A column held something its model field cannot be. */
export class RowShapeError extends Error {
  override name = 'RowShapeError';
  constructor(table: string, column: number, expected: string, value: unknown) {
    super(`${table} column ${column}: expected ${expected}, got ${value === null ? 'null' : typeof value}`);
  }
}

/** Reads the columns of one table's rows; `table` only names it in errors. */
export function columnsOf(table: string) {
  return {
    text(row: readonly unknown[], column: number): string {
      const value = row[column];
      if (typeof value === 'string') return value;
      throw new RowShapeError(table, column, 'text', value);
    },
    optionalText(row: readonly unknown[], column: number): string | null {
      const value = row[column];
      if (value === null || typeof value === 'string') return value;
      throw new RowShapeError(table, column, 'text or null', value);
    },
    bool(row: readonly unknown[], column: number): boolean {
      const value = row[column];
      if (typeof value === 'boolean') return value;
      throw new RowShapeError(table, column, 'boolean', value);
    },
    /** A timestamp sent as milliseconds since the epoch. */
    date(row: readonly unknown[], column: number): Date {
      const value = row[column];
      if (typeof value === 'number' && Number.isFinite(value)) return new Date(value);
      throw new RowShapeError(table, column, 'milliseconds since the epoch', value);
    },
    /** A Postgres enum, checked against the generated enum object (whose keys are its values). */
    oneOf<T extends string>(values: Readonly<Record<string, T>>, row: readonly unknown[], column: number): T {
      const value = row[column];
      if (typeof value === 'string' && Object.hasOwn(values, value)) {
        const known = values[value];
        if (known !== undefined) return known;
      }
      throw new RowShapeError(table, column, Object.keys(values).join('|'), value);
    },
  };
}
