/** The first operation a document names; a document may open with comments or fragments, hence no anchor. */
const FIRST_NAMED_OPERATION = /(?:^|[\s}])(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/;

/**
 * The name of the operation a request runs: the one it asks for by
 * `operationName`, else the first one its document names, else null. Read
 * from the text without parsing, so the hot path can afford it; it is a label
 * for logs and metrics, never used to decide anything.
 */
export function operationNameOf(params: { query?: string | null; operationName?: string | null }): string | null {
  if (params.operationName) return params.operationName;
  if (!params.query) return null;
  return FIRST_NAMED_OPERATION.exec(params.query)?.[1] ?? null;
}
