import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

/** What both clients' typed documents share: the schema's scalars and enums as plain TypeScript. */
const typedDocuments = {
  emitLegacyCommonJSImports: false,
  useTypeImports: true,
  scalars: { DateTime: 'string' },
  enumsAsTypes: true,
};

/**
 * The persisted-document manifest every client entry emits beside its typed
 * documents (`persisted-documents.json`: `sha256:<hex>` id → document text,
 * the ids of the GraphQL over HTTP persisted-documents appendix). Each typed
 * document carries its id in `__meta__.hash`, so a client sends the id instead
 * of the text; the server trusts exactly the documents of the manifests listed
 * in src/persisted/manifest.ts (CLIENT_MANIFESTS): a client entry added here
 * (web/src/gql/) sets this too and is listed there.
 */
export const persistedDocuments = { hashAlgorithm: 'sha256' } as const;
const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    // Typed documents for the operations an SPA sends; the tests drive the server with them, as a client would.
    'test/generated/': {
      documents: ['test/operations/**/*.graphql'],
      preset: 'client',
      config: typedDocuments,
      presetConfig: { fragmentMasking: false, persistedDocuments },
    },
    // The example SPA's documents, written beside the components that send them.
    'web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
      preset: 'client',
      config: typedDocuments,
      // Each document carries its sha256 (`__meta__.hash`) and persisted-documents.json maps hashes to
      // documents, so the client can send ids instead of text once the server holds the manifest.
      presetConfig: { fragmentMasking: false, persistedDocuments },
      // urql's document cache adds __typename to what it sends, to learn which types an answer holds; added
      // here too, the manifest's documents are the ones the client sends, and a persisted answer still names
      // its types (a mutation's FeatureFlag or Membership then refetches the pages showing them).
      documentTransforms: [addTypenameSelectionDocumentTransform],
    },
  },
};

export default config;
