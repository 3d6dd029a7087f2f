import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runShutdown } from '../../src/shutdown.ts';

function capturedLogger() {
  const lines: { msg: string; step?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ base: undefined }, stream), lines };
}

describe('runShutdown', () => {
  it('gives up on a step that hangs, says which, forces it, and still runs the next steps', async () => {
    const { logger, lines } = capturedLogger();
    const ran: string[] = [];
    let forced = false;
    const started = Date.now();
    const unfinished = await runShutdown(
      [
        { name: 'dispose the app', timeoutMs: 1000, run: async () => void ran.push('app') },
        {
          name: 'close the store',
          timeoutMs: 200,
          run: () => new Promise(() => {}),
          onTimeout: () => {
            forced = true;
          },
        },
        { name: 'close the database', timeoutMs: 1000, run: async () => void ran.push('db') },
      ],
      logger,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(unfinished).toEqual(['close the store']);
    expect(forced).toBe(true);
    expect(ran).toEqual(['app', 'db']);
    expect(lines.map((line) => line.msg)).toEqual(['shutdown: gave up on "close the store" after 200 ms']);
  });

  it('reports a step that fails and carries on', async () => {
    const { logger, lines } = capturedLogger();
    const unfinished = await runShutdown(
      [
        { name: 'close the store', timeoutMs: 1000, run: () => Promise.reject(new Error('connection is closed')) },
        { name: 'close the database', timeoutMs: 1000, run: async () => {} },
      ],
      logger,
    );
    expect(unfinished).toEqual(['close the store']);
    expect(lines[0]).toMatchObject({ step: 'close the store', msg: 'shutdown: "close the store" failed' });
  });
});
