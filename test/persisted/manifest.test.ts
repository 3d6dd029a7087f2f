import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CLIENT_MANIFESTS, loadPersistedDocuments } from '../../src/persisted/manifest.ts';
import * as generated from '../generated/graphql.ts';
import { apqHash, MANIFEST_PATH } from '../helpers/persisted.ts';

const OPERATIONS_DIR = new URL('../operations/', import.meta.url);

/** The names of the operations test/operations defines. */
function operationNames(): string[] {
  const names: string[] = [];
  for (const file of readdirSync(OPERATIONS_DIR).filter((name) => name.endsWith('.graphql')))
    for (const definition of parse(readFileSync(new URL(file, OPERATIONS_DIR), 'utf8')).definitions)
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.push(definition.name.value);
  return names.sort();
}

describe('the persisted-document manifest (codegen)', () => {
  it('holds every operation of test/operations, once, by the sha256 id its typed document carries', () => {
    const manifest: Record<string, string> = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'));
    const named = Object.values(manifest).map((text) => {
      const operation = parse(text).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      return operation?.kind === Kind.OPERATION_DEFINITION ? (operation.name?.value ?? '') : '';
    });
    expect(named.sort()).toEqual(operationNames());
    for (const [id, text] of Object.entries(manifest)) expect(id).toBe(`sha256:${apqHash(text)}`);
    // Each typed document names its manifest entry, which is what a client sends.
    const ids = Object.values(generated)
      .map((value) => (typeof value === 'object' && value !== null ? Reflect.get(value, '__meta__') : undefined))
      .filter((meta) => meta !== undefined)
      .map((meta) => Reflect.get(meta, 'hash'));
    expect(ids.sort()).toEqual(Object.keys(manifest).sort());
  });

  it('is what the server loads by default (a missing manifest, such as the SPA before its codegen, is skipped)', () => {
    expect(CLIENT_MANIFESTS).toContain(MANIFEST_PATH.pathname);
    const documents = loadPersistedDocuments([...CLIENT_MANIFESTS, join(tmpdir(), 'no-such-manifest.json')]);
    expect(documents.size).toBeGreaterThanOrEqual(operationNames().length);
  });

  it('is refused at load when an id is not the SHA-256 of its text, so an id can never name another document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const text = 'query A { viewer { id } }';
    const cases: [string, Record<string, unknown>][] = [
      ['edited', { [`sha256:${apqHash(text)}`]: 'query B { viewer { name } }' }],
      ['unprefixed', { [apqHash(text)]: text }],
      ['not a text', { [`sha256:${apqHash(text)}`]: 42 }],
    ];
    for (const [name, manifest] of cases) {
      const path = join(dir, `${name.replaceAll(' ', '-')}.json`);
      writeFileSync(path, JSON.stringify(manifest));
      expect(() => loadPersistedDocuments([path]), name).toThrow(path);
    }
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ [`sha256:${apqHash(text)}`]: text }));
    expect(loadPersistedDocuments([good]).byId(`sha256:${apqHash(text)}`)).toBe(text);
  });
});
