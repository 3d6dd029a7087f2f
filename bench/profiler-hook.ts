// Preloaded into a server under test when the bench profiles (--profile):
// SIGUSR2 starts the V8 sampling profiler, the next SIGUSR2 stops it and
// writes the profile, so a profile covers exactly one cell's measured part,
// not start-up, sign-ins or warm-up. A signal rather than an endpoint, so
// peers are profiled the same way without any code of theirs.
//
// The n-th profile is written to BENCH_PROFILE_DIR/<n>.cpuprofile; an empty
// <n>.started appears once the profiler runs. Files are renamed into place,
// so the bench never reads half of one.

import { rename, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

const dir = process.env['BENCH_PROFILE_DIR'];
if (dir) {
  const session = new Session();
  session.connect();
  let n = 0;
  let running = false;
  let queue: Promise<void> = Promise.resolve();
  const place = async (name: string, text: string) => {
    await writeFile(join(dir, `${name}.tmp`), text);
    await rename(join(dir, `${name}.tmp`), join(dir, name));
  };
  process.on('SIGUSR2', () => {
    queue = queue.then(async () => {
      if (!running) {
        n += 1;
        await session.post('Profiler.enable');
        // 250 µs: fine enough for per-request µs, coarse enough to cost little.
        await session.post('Profiler.setSamplingInterval', { interval: 250 });
        await session.post('Profiler.start');
        running = true;
        await place(`${n}.started`, '');
        return;
      }
      const { profile } = await session.post('Profiler.stop');
      running = false;
      await place(`${n}.cpuprofile`, JSON.stringify(profile));
    });
  });
}
