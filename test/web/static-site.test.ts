// The built SPA served at `/` by the real server: files with their types and caching, index.html for
// the SPA's routes, every API path left to the API, and nothing outside the folder reachable. A stand-in
// build (a few files in a temporary folder) keeps it fast; the browser test serves the real one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { request } from '../helpers/http.ts';

const INDEX = '<!doctype html><title>spa</title><div id="root"></div>';
const SCRIPT = 'console.log("spa")';
const SECRET = 'outside the site';

let folder: string;
let world: TestWorld;
/** An instance without the SPA: how `/` answered before it. */
let bare: TestInstance;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'tg-web-'));
  const root = join(folder, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets', 'index-Ab12Cd34.js'), SCRIPT);
  writeFileSync(join(root, 'assets', 'index-Ef56Gh78.css'), 'body{}');
  writeFileSync(join(root, 'robots.txt'), 'User-agent: *');
  writeFileSync(join(root, '.env'), SECRET);
  writeFileSync(join(folder, 'secret.txt'), SECRET);
  world = await createTestWorld({ webRoot: root });
  bare = await world.startInstance({ webRoot: join(folder, 'not-built') });
});
afterAll(async () => {
  await world?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A GET sent byte for byte as given: fetch would resolve `..` and re-encode the path before sending. */
function rawGet(origin: string, path: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(origin);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>(
    (resolve, reject) => {
      const req = httpRequest({ hostname, port, path, method: 'GET', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('the built SPA at /', () => {
  it('serves index.html at / with its type, revalidated on every load, under a content security policy', async () => {
    expect(world.server.app.web.served).toBe(true);
    const page = await rawGet(world.server.origin, '/');
    expect(page.status).toBe(200);
    expect(page.text).toBe(INDEX);
    expect(page.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('serves the hashed assets with their types, cached for good', async () => {
    const script = await rawGet(world.server.origin, '/assets/index-Ab12Cd34.js');
    expect(script.status).toBe(200);
    expect(script.text).toBe(SCRIPT);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const style = await rawGet(world.server.origin, '/assets/index-Ef56Gh78.css');
    expect(style.headers['content-type']).toMatch(/^text\/css/);
    const robots = await rawGet(world.server.origin, '/robots.txt');
    expect(robots.headers['content-type']).toMatch(/^text\/plain/);
  });

  it("answers the SPA's own routes with index.html, so a reload or a shared link works", async () => {
    for (const path of ['/orgs/acme', '/orgs/acme?page=2', '/sign-in', '/orgs/a%20b']) {
      const page = await rawGet(world.server.origin, path);
      expect([path, page.status, page.text]).toEqual([path, 200, INDEX]);
    }
  });

  it('answers a missing file 404, not index.html (a browser would run the page as a script)', async () => {
    const missing = await rawGet(world.server.origin, '/assets/index-gone.js');
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('<title>spa');
  });

  it('answers 304 to a revalidation whose ETag still matches', async () => {
    const first = await rawGet(world.server.origin, '/');
    const etag = String(first.headers['etag']);
    expect(etag).toMatch(/^W\/"/);
    const again = await rawGet(world.server.origin, '/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('never serves a file outside the folder, or a dotfile in it, however the path is spelled', async () => {
    for (const path of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/../../secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '//secret.txt',
      '/.env',
      '/%2eenv',
      '/assets/..%2f.env',
    ]) {
      const answer = await rawGet(world.server.origin, path);
      expect([path, answer.text]).not.toEqual([path, SECRET]);
      expect([path, answer.status === 404 || answer.text === INDEX || answer.status === 400]).toEqual([path, true]);
    }
  });
});

describe('the API paths stay the API', () => {
  it('GET /graphql from a browser is GraphiQL, and its files are GraphiQL', async () => {
    const graphiql = await request(world.server, { headers: { accept: 'text/html' }, via: 'listener' });
    expect(graphiql.status).toBe(200);
    expect(graphiql.text).toContain('renderYogaGraphiQL');
    const asset = /"(\/graphiql\/[^"]+\.css)"/.exec(graphiql.text)?.[1];
    expect(asset).toBeTruthy();
    const css = await rawGet(world.server.origin, asset!);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    // An unknown file under GraphiQL's prefix is GraphiQL's 404, not the SPA's index.
    const stale = await rawGet(world.server.origin, '/graphiql/0000/graphiql.css');
    expect(stale.status).toBe(404);
    expect(await (await rawGet(world.server.origin, '/graphiql/0000/x')).text).not.toBe(INDEX);
  });

  it('queries, /health, /ready and /metrics answer as without the SPA', async () => {
    const answer = await request(world.server, { query: '{ __typename }', via: 'listener' });
    expect(answer.body).toEqual({ data: { __typename: 'Query' } });
    const get = await rawGet(world.server.origin, '/graphql?query=%7B__typename%7D', { accept: 'application/json' });
    expect(JSON.parse(get.text)).toEqual({ data: { __typename: 'Query' } });
    for (const path of ['/health', '/ready', '/metrics', '/graphql/', '/health?x=1']) {
      const [withSite, without] = [await rawGet(world.server.origin, path), await rawGet(bare.origin, path)];
      // /ready reports how long each check took.
      const same = (text: string) => text.replace(/"ms":\d+/g, '"ms":0');
      expect([path, withSite.status, same(withSite.text)]).toEqual([path, without.status, same(without.text)]);
    }
    expect((await rawGet(world.server.origin, '/ready')).status).toBe(200);
    expect((await rawGet(world.server.origin, '/metrics')).status).toBe(404);
  });

  it('other methods on the SPA paths go to the API, as before', async () => {
    const post = await request(world.server, { path: '/orgs/acme', body: '{}', method: 'POST', via: 'listener' });
    const before = await request(bare, { path: '/orgs/acme', body: '{}', method: 'POST', via: 'listener' });
    expect(post.status).toBe(before.status);
    expect(post.text).not.toBe(INDEX);
  });
});

describe('without a built SPA', () => {
  it('answers / as it always did', async () => {
    expect(bare.app.web.served).toBe(false);
    const root = await rawGet(bare.origin, '/', { accept: 'text/html' });
    expect(root.status).toBe(404);
    expect(root.text).not.toBe(INDEX);
  });
});
