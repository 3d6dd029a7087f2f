import { describe, expect, it } from 'vitest';
import { documentHash } from '../../src/cache/response-key.ts';
import { PersistedDocuments } from '../../src/persisted/manifest.ts';
import { keyableDocument, type PersistedMode } from '../../src/persisted/policy.ts';
import { referenceOf, type ReferenceParams } from '../../src/persisted/reference.ts';

const trusted = 'query Trusted { viewer { id } }';
const other = 'query Other { viewer { name } }';
const documents = new PersistedDocuments();
documents.add({ [`sha256:${documentHash(trusted)}`]: trusted });
const apqOf = (text: string, withText = false): ReferenceParams => ({
  ...(withText ? { query: text } : {}),
  extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(text) } },
});

/** What the hot path keys each request by, per mode: the hash of the text it names, or null (left to Yoga). */
const cases: [string, ReferenceParams, Record<PersistedMode, string | null>][] = [
  ['a whole document', { query: other }, { off: documentHash(other), allow: documentHash(other), require: null }],
  [
    'a manifest id',
    { documentId: `sha256:${documentHash(trusted)}` },
    { off: null, allow: documentHash(trusted), require: documentHash(trusted) },
  ],
  ['an id no manifest holds', { documentId: `sha256:${documentHash(other)}` }, { off: null, allow: null, require: null }],
  ['an APQ hash of a manifest text', apqOf(trusted), { off: null, allow: documentHash(trusted), require: documentHash(trusted) }],
  ['an APQ hash of another text', apqOf(other), { off: null, allow: documentHash(other), require: null }],
  ['an APQ registration', apqOf(other, true), { off: null, allow: null, require: null }],
  [
    'a text beside an id',
    { query: trusted, documentId: `sha256:${documentHash(trusted)}` },
    { off: null, allow: null, require: null },
  ],
  [
    'an id beside an APQ hash',
    { documentId: `sha256:${documentHash(trusted)}`, ...apqOf(trusted) },
    { off: null, allow: null, require: null },
  ],
  ['nothing', {}, { off: null, allow: null, require: null }],
];

describe('what the hot path may key, by PERSISTED_DOCUMENTS', () => {
  for (const [name, params, expected] of cases)
    it(name, () => {
      for (const mode of ['off', 'allow', 'require'] as const)
        expect(keyableDocument(referenceOf(params), { mode, documents })?.hash ?? null, mode).toBe(expected[mode]);
    });
});
