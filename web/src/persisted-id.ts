/**
 * The persisted id codegen embedded in a typed document (`__meta__.hash`, "sha256:<hex>", the key of
 * the document in web/src/gql/persisted-documents.json); null for a document without one. Read
 * untyped: the client preset adds the property at run time only.
 */
export function persistedIdOf(document: object): string | null {
  const meta: unknown = Reflect.get(document, '__meta__');
  const hash: unknown = typeof meta === 'object' && meta !== null ? Reflect.get(meta, 'hash') : undefined;
  return typeof hash === 'string' ? hash : null;
}
