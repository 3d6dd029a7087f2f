import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../bench/tcp-proxy.ts';

// The proxy stands in for a slow network in the chaos runs: like TCP, it may
// delay bytes but never reorder them. Ending a delay while replies were still
// held once let new replies overtake them, and the server's Redis client then
// handed replies to the wrong commands (errors and stale answers that a real
// network cannot cause).

let upstream: Server;
let proxy: TcpProxy;
let client: Socket;
afterEach(async () => {
  client?.destroy();
  await proxy?.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

/** An upstream that answers each line it reads with the same line, and a client through the proxy. */
async function echoThroughProxy(): Promise<{ send(line: string): void; received: () => string }> {
  upstream = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  if (typeof address !== 'object' || !address) throw new Error('upstream has no port');
  proxy = await startTcpProxy('127.0.0.1', address.port);
  client = connect(proxy.port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  let received = '';
  client.on('data', (chunk: Buffer) => (received += chunk.toString()));
  return { send: (line) => client.write(line), received: () => received };
}

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
};

it('releases delayed bytes before later ones when the delay ends', async () => {
  const echo = await echoThroughProxy();
  proxy.delay(150);
  echo.send('first;');
  await new Promise((resolve) => setTimeout(resolve, 50));
  proxy.restore();
  echo.send('second;');
  await until(() => echo.received().length >= 'first;second;'.length);
  expect(echo.received()).toBe('first;second;');
});

it('holds every reply for the delay while delaying, and none after', async () => {
  const echo = await echoThroughProxy();
  proxy.delay(100);
  const sent = Date.now();
  echo.send('a;');
  await until(() => echo.received() === 'a;');
  expect(Date.now() - sent).toBeGreaterThanOrEqual(95);
  proxy.restore();
  const again = Date.now();
  echo.send('b;');
  await until(() => echo.received() === 'a;b;');
  expect(echo.received()).toBe('a;b;');
  expect(Date.now() - again).toBeLessThan(95);
});
