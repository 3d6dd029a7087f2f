// GraphiQL without internet, over HTTP: the page names only files of this
// server, and each of them answers. The browser test (browser.test.ts) runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/graphiql/walkthrough.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';
import { request } from '../helpers/http.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** What a browser's navigation sends. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const page = (origin: string) => request({ origin }, { headers: { accept: BROWSER_ACCEPT }, via: 'listener' });

/** Every `<script src>` and `<link href>` of a page. */
function referencesOf(html: string): { tag: string; url: string }[] {
  const found: { tag: string; url: string }[] = [];
  for (const match of html.matchAll(/<(script|link)\b[^>]*?\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi))
    found.push({ tag: match[1]!.toLowerCase(), url: match[2] ?? match[3] ?? match[4]! });
  return found;
}

/** The root-relative paths quoted in the page's inline scripts: Monaco's workers. */
const quotedPathsOf = (html: string) => [...html.matchAll(/"(\/[^"\s]+\.js)"/g)].map((m) => m[1]!);

const CONTENT_TYPES: Record<string, RegExp> = {
  script: /^(text|application)\/javascript\b/,
  link: /^(text\/css|image\/)/,
};

describe('GraphiQL served offline', () => {
  it('GET /graphql from a browser answers the page, through the hot path in front of Yoga', async () => {
    const response = await page(world.server.origin);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.text).toContain('renderYogaGraphiQL');
  });

  it('a signed-in GET that accepts HTML gets the page even when the hot path holds an answer for its query', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const query = '{ viewer { id } }';
    await request(world.server, { query, token, via: 'listener' });
    const stored = await request(world.server, { query, token, via: 'listener' });
    expect(stored.headers.get('x-cache')).toBe('HIT');
    // The same operation as a GET from a browser's address bar (GraphiQL keeps the query in its URL).
    const path = `/graphql?query=${encodeURIComponent(query)}&variables=%7B%7D`;
    const response = await request(world.server, { path, token, headers: { accept: BROWSER_ACCEPT }, via: 'listener' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.text).toContain('renderYogaGraphiQL');
  });

  it('names no other host and no CDN: every script and link is a path on this server', async () => {
    const { text } = await page(world.server.origin);
    const references = referencesOf(text);
    expect(references.filter((r) => r.tag === 'script').length).toBeGreaterThan(0);
    expect(references.filter((r) => r.tag === 'link').length).toBeGreaterThan(0);
    for (const { url } of references) {
      expect(url, url).toMatch(/^\/(?!\/)/);
      expect(new URL(url, world.server.origin).origin).toBe(world.server.origin);
    }
    expect(text).not.toMatch(/https?:\/\//i);
    expect(text).not.toMatch(/unpkg|jsdelivr|cdn/i);
  });

  it('each file the page names answers 200 with its type, cacheable for good', async () => {
    const { text } = await page(world.server.origin);
    const files = [...referencesOf(text), ...quotedPathsOf(text).map((url) => ({ tag: 'script', url }))];
    expect(files.filter((f) => f.url.endsWith('.worker.js')).length).toBe(3);
    for (const { tag, url } of files) {
      const response = await fetch(new URL(url, world.server.origin));
      const body = new Uint8Array(await response.arrayBuffer());
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toMatch(CONTENT_TYPES[tag]!);
      expect(response.headers.get('cache-control'), url).toContain('immutable');
      expect(body.length, url).toBeGreaterThan(1000);
    }
  });

  it('starts with the sign-in walkthrough and the headers example for the token', async () => {
    const { text } = await page(world.server.origin);
    // The options GraphiQL is started with, as JSON in the page.
    const options = JSON.parse(/renderYogaGraphiQL\([^,]+,\s*(\{.*\})\s*,?\s*\)/s.exec(text)?.[1] ?? 'null');
    expect(options.defaultQuery).toBe(GRAPHIQL_DEFAULT_QUERY);
    expect(options.defaultQuery).toMatch(/^mutation LogIn \{$/m);
    expect(JSON.parse(options.headers)).toEqual({ Authorization: 'Bearer <token from logIn>' });
  });

  it('answers 404 for a file it does not have (an old hash, say)', async () => {
    const response = await request(world.server, { path: '/graphiql/0123456789ab/graphiql.js', via: 'listener' });
    expect(response.status).toBe(404);
  });

  it('GRAPHIQL=false serves neither the page nor its files', async () => {
    const { text } = await page(world.server.origin);
    const script = referencesOf(text).find((r) => r.tag === 'script')!.url;
    const off = await world.startInstance({ env: { GRAPHIQL: 'false' } });
    const response = await page(off.origin);
    expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(response.text).not.toContain('renderYogaGraphiQL');
    expect((await fetch(new URL(script, off.origin))).status).toBe(404);
  });
});
