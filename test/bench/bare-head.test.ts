import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type ServerProcess, startServerProcess } from '../../bench/process.ts';
import { postTo } from '../helpers/bare-redis.ts';

// The same-time rounds' "bare with the hit's head" row: bare.ts replaying a
// recorded head beside the body. It measures the head's own cost only if it
// sends those lines, and the plain bare row only if it sends none of them.
describe('bare.ts with a recorded head (BARE_HEADERS_FILE)', () => {
  const body = '{"data":{"viewer":{"name":"Alice"}}}';
  const head = {
    'x-cache': 'HIT',
    etag: '"AAAAAAAAAAAAAAAAAAAAAAAAAAA"',
    'cache-control': 'private, no-cache',
    ratelimit: '"budget";r=99;t=60',
    'content-type': 'application/graphql-response+json; charset=utf-8',
  };
  let dir: string;
  const started: ServerProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const port = await freePort();
    const server = await startServerProcess({
      entry: 'bench/peers/bare.ts',
      port,
      env: { PORT: String(port), HOST: '127.0.0.1', BARE_RESPONSE_FILE: join(dir, 'body.json'), ...env },
    });
    started.push(server);
    return server;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bare-head-'));
    await writeFile(join(dir, 'body.json'), body);
    await writeFile(join(dir, 'head.json'), JSON.stringify(head));
  });
  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('sends every recorded header line with its value, and the body with its own length', async () => {
    const response = await postTo(await start({ BARE_HEADERS_FILE: join(dir, 'head.json') }));
    expect(await response.text()).toBe(body);
    for (const [name, value] of Object.entries(head)) expect(response.headers.get(name)).toBe(value);
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
  });

  it('without one, sends only the type and length', async () => {
    const response = await postTo(await start({}));
    expect(await response.text()).toBe(body);
    expect(response.headers.get('x-cache')).toBeNull();
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });
});
