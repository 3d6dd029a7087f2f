import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The persisted-document manifest every client entry emits beside its typed
 * documents (`persisted-documents.json`: `sha256:<hex>` id → document text,
 * the ids of the GraphQL over HTTP persisted-documents appendix). Each typed
 * document carries its id in `__meta__.hash`, so a client sends the id instead
 * of the text; the server trusts exactly the documents of the manifests listed
 * in src/persisted/manifest.ts (CLIENT_MANIFESTS): a client entry added here
 * (web/src/gql/ next) sets this too and is listed there.
 */
export const persistedDocuments = { hashAlgorithm: 'sha256' } as const;

// Typed documents for the operations an SPA sends; the tests drive the server with them, as a client would.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'test/generated/': {
      documents: ['test/operations/**/*.graphql'],
      preset: 'client',
      config: {
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        scalars: { DateTime: 'string' },
        enumsAsTypes: true,
      },
      presetConfig: { fragmentMasking: false, persistedDocuments },
    },
  },
};

export default config;
