// Slow clients against the real process entry (src/main.ts): a request whose headers or body never finish is
// answered 408 and closed within seconds, as HTTP_*_TIMEOUT_MS say, not after Node's 300 s; slow but complete
// requests, and idle keep-alive connections, are not cut. Timings are bounds with generous slack, never speeds.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningChild, startTsx } from '../helpers/child-process.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/run-main.ts';

const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 4_000;
/** Far below Node's default (300 s), far above the limit plus its checking interval on a loaded machine. */
const SLACK_MS = 6_000;

let db: TestDatabase;
let main: RunningChild;
let port: number;

beforeAll(async () => {
  db = await createTestDatabase();
  port = await freePort();
  main = startTsx('src/main.ts', [], {
    env: {
      DATABASE_URL: db.url,
      REDIS_URL: '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      PORT: String(port),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    },
    unset: ['DATABASE_URL', 'REDIS_URL', 'VITEST', 'NODE_ENV'],
  });
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (main.child.exitCode !== null) throw new Error(`main exited early:\n${main.output()}`);
    if (Date.now() > deadline) throw new Error(`main not healthy in 45 s:\n${main.output()}`);
    if (await healthy()) break;
    await sleep(200);
  }
}, 60_000);

afterAll(async () => {
  await main?.stop();
  await db?.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const healthy = () =>
  fetch(`http://127.0.0.1:${port}/health`).then(
    (response) => response.ok,
    () => false,
  );

const BODY = JSON.stringify({ query: '{ __typename }' });
const head = (contentLength: number, extra = '') =>
  `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json\r\n${extra}Content-Length: ${contentLength}\r\n\r\n`;

/** A raw connection: writes each part after its pause, and resolves when the server closes it (or at `giveUpMs`). */
async function exchange(parts: { pauseMs?: number; data: string }[], giveUpMs = 30_000) {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const started = Date.now();
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
  for (const part of parts) {
    if (part.pauseMs) await sleep(part.pauseMs);
    if (!socket.destroyed) socket.write(part.data);
  }
  const byServer = await Promise.race([closed, sleep(giveUpMs).then(() => false)]);
  const ms = Date.now() - started;
  socket.destroy();
  return { answer, ms, byServer };
}

describe('HTTP timeouts', () => {
  it('answers a body shorter than its Content-Length 408 and closes, once HTTP_REQUEST_TIMEOUT_MS has passed', async () => {
    const { answer, ms, byServer } = await exchange([{ data: `${head(100)}${'x'.repeat(10)}` }]);
    expect(byServer).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // The headers were complete in time: it is the request's limit that ended it, not the headers'.
    expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 500);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
  });

  it('answers headers that never end 408 and closes, once HTTP_HEADERS_TIMEOUT_MS has passed', async () => {
    const { answer, ms, byServer } = await exchange([{ data: 'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n' }]);
    expect(byServer).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  });

  it('answers a slow but complete request: a body trickling in past the headers limit, within the request limit', async () => {
    const third = Math.ceil(BODY.length / 3);
    const { answer } = await exchange(
      [
        { data: head(Buffer.byteLength(BODY), 'Connection: close\r\n') },
        { pauseMs: 500, data: BODY.slice(0, third) },
        { pauseMs: 500, data: BODY.slice(third, 2 * third) },
        { pauseMs: 500, data: BODY.slice(2 * third) },
      ],
      REQUEST_TIMEOUT_MS + SLACK_MS,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('{"data":{"__typename":"Query"}}');
  });

  it('keeps an idle keep-alive connection past the headers limit: the wait for a next request is not a slow header', async () => {
    const request = `${head(Buffer.byteLength(BODY))}${BODY}`;
    const { answer } = await exchange(
      [
        { data: request },
        { pauseMs: HEADERS_TIMEOUT_MS + 1_000, data: `${head(Buffer.byteLength(BODY), 'Connection: close\r\n')}${BODY}` },
      ],
      REQUEST_TIMEOUT_MS + SLACK_MS,
    );
    expect(answer.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    // A status line, not any "408": a random X-Request-Id such as 8b9e3854-f5d4-4081-… holds one.
    expect(answer).not.toMatch(/HTTP\/1\.1 408 /);
  });
});
