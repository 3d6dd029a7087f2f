// The SPA's typed documents are ready to go as persisted ids: each one's embedded id is the sha256 of
// its manifest entry, the manifest holds every document the SPA sends and nothing else, and urql's
// document cache adds nothing to them (codegen already added its __typename), so the documents the
// manifest holds are exactly what the client sends today.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { formatDocument } from '@urql/core';
import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from '../../web/src/gql/graphql.ts';
import { persistedIdOf } from '../../web/src/persisted-id.ts';

const manifest: Record<string, string> = JSON.parse(
  readFileSync(new URL('../../web/src/gql/persisted-documents.json', import.meta.url), 'utf8'),
);

/** Every typed document the SPA's codegen emitted, by its export name. */
const sent = Object.entries(documents).flatMap(([name, value]) =>
  name.endsWith('Document') && typeof value === 'object' && value !== null && 'kind' in value && 'definitions' in value
    ? [{ name, document: value }]
    : [],
);

describe("the SPA's persisted documents", () => {
  it('cover every document the SPA sends, and only those', () => {
    expect(sent.map((d) => d.name).sort()).toEqual([
      'WebChangeMemberRoleDocument',
      'WebLogInDocument',
      'WebLogOutDocument',
      'WebOrganizationDocument',
      'WebSetFeatureFlagDocument',
      'WebViewerDocument',
    ]);
    expect(sent.map((d) => persistedIdOf(d.document)).sort()).toEqual(Object.keys(manifest).sort());
  });

  it("carry as their id the sha256 of the manifest's text", () => {
    for (const { name, document } of sent) {
      const id = String(persistedIdOf(document));
      const text = manifest[id];
      expect([name, text === undefined]).toEqual([name, false]);
      expect([name, id]).toEqual([name, `sha256:${createHash('sha256').update(text!).digest('hex')}`]);
    }
  });

  it("need nothing added by urql's document cache: what the manifest holds is what the client sends", () => {
    for (const { name, document } of sent) expect([name, print(formatDocument(document))]).toEqual([name, print(document)]);
  });
});
