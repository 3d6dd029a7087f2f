// `npm run bench:ab -- --base=<git ref>`: is this working tree's hit cheaper
// than the base's? Two tenant-graph processes (both caches, as tg-both), one
// from a worktree of the base and one from this tree, share a fresh database
// and Redis keys like two instances, and take load AT THE SAME TIME, each
// from its own autocannon, for a few rounds. On these machines the speed of
// the machine swings within seconds (bench/README.md, What bounds a hit), so
// runs one after the other cannot tell a few percent apart: the same code
// gave B/A 0.88-1.74 over five sequential rounds. Side by side, both meet
// the same moments, and their CPU per request (from /proc) compares within a
// few percent: the same code on both sides gave rounds of 0.90-1.03 and a
// median of 0.967 over six, 1.027 over four. So a change is told apart from
// noise only when its median clears that, over 6 rounds or more. Every
// answer is checked against the base's bytes, so a change that alters an
// answer fails here.

import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { logInAlice, recordReference, workloadContext } from './client.ts';
import { type AbRound, abSummary } from './ab-summary.ts';
import { benchServices, FIRST_CELL_EXTRA_WARMUP_SECONDS } from './args.ts';
import { cloneDatabase, ensureTemplate } from './database.ts';
import { withCleanup } from './lifecycle.ts';
import { failureCount, type LoadResult } from './load.ts';
import { freePort, ROOT, startServerProcess, type ServerProcess } from './process.ts';
import { RedisStats } from './redis-stats.ts';
import { commonEnv, redisPrefix, SERVERS } from './servers.ts';
import { largestOrg } from './viewers.ts';
import { WORKLOADS } from './workloads.ts';

const log = (line: string) => console.log(line);

/** A worktree of `ref` beside this one, with this tree's installed packages and generated code (both ignored by git). */
async function worktreeOf(ref: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = join(await mkdtemp(join(tmpdir(), 'tg-ab-')), 'base');
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: ROOT, stdio: 'ignore' });
  const remove = async () => {
    execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT, stdio: 'ignore' });
    await rm(join(dir, '..'), { recursive: true, force: true });
  };
  try {
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    await cp(join(ROOT, 'src/generated'), join(dir, 'src/generated'), { recursive: true });
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, remove };
}

/** Runs one side's load in a process of its own (ab-load.ts) and answers its result. */
function loadInChild(options: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/ab-load.ts'), JSON.stringify(options)],
      { cwd: ROOT, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as LoadResult);
      },
    );
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string', default: 'HEAD' },
      workload: { type: 'string', default: 'page-load' },
      rounds: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '3' },
    },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const workload = WORKLOADS.find((w) => w.id === values.workload);
  if (workload?.check !== 'exact' || workload.sequence.length !== 1)
    throw new Error(
      `--workload must be one read checked byte for byte: ${WORKLOADS.filter((w) => w.check === 'exact').map((w) => w.id)}`,
    );
  if (!(rounds >= 1 && seconds > 0)) throw new Error('--rounds must be at least 1 and --seconds above 0');
  const { databaseUrl: adminUrl, redisUrl } = benchServices(process.env);
  const config = SERVERS.find((s) => s.id === 'tg-both')!;
  const op = workload.sequence[0]!;

  await ensureTemplate(adminUrl, log);
  const worktree = await worktreeOf(values.base);
  const db = await cloneDatabase(adminUrl, 'ab');
  const redis = await RedisStats.connect(redisUrl);
  const started: ServerProcess[] = [];
  const start = async (root: string) => {
    const port = await freePort();
    const env = { ...commonEnv({ databaseUrl: db.url, redisUrl, port, config }), ...config.env };
    const server = await startServerProcess({ entry: join(root, 'src/main.ts'), cwd: root, env, port });
    started.push(server);
    return server;
  };
  return withCleanup(
    async () => {
      await Promise.all(started.map((s) => s.stop()));
      await redis.deletePrefix(redisPrefix(config)).finally(() => redis.close());
      await db.drop();
      await worktree.remove();
    },
    async () => {
      const base = await start(worktree.dir);
      const tree = await start(ROOT);
      const token = await logInAlice(base.origin);
      const context = await workloadContext(base.origin, token, (await largestOrg(db.url)).slug);
      const reference = await recordReference(base.origin, token, op, context);
      const loadOf = (server: ServerProcess, duration: number) =>
        loadInChild({ origin: server.origin, token, workload: workload.id, context, body: reference.body, seconds: duration });
      log(
        `A/B of ${workload.id} hits: base ${values.base} (${worktree.dir}) against this tree, ${rounds} rounds of ${seconds} s side by side`,
      );
      let errors = 0;
      // Which side's load starts first alternates, so neither gets a head start every round.
      const both = async (duration: number, treeFirst: boolean) => {
        const [before, beforeTree] = await Promise.all([base.cpuMicros(), tree.cpuMicros()]);
        let a: LoadResult;
        let b: LoadResult;
        if (treeFirst) [b, a] = await Promise.all([loadOf(tree, duration), loadOf(base, duration)]);
        else [a, b] = await Promise.all([loadOf(base, duration), loadOf(tree, duration)]);
        const [after, afterTree] = await Promise.all([base.cpuMicros(), tree.cpuMicros()]);
        errors += failureCount(a) + failureCount(b);
        for (const problem of [...a.problems, ...b.problems].slice(0, 3)) log(`  problem: ${problem}`);
        return {
          base: { rps: a.requestsPerSecond, cpu: (after - before) / Math.max(1, a.requests) },
          tree: { rps: b.requestsPerSecond, cpu: (afterTree - beforeTree) / Math.max(1, b.requests) },
        };
      };
      // As a bench cell's first: a process's first seconds under load still compile its code.
      await both(seconds + FIRST_CELL_EXTRA_WARMUP_SECONDS, false);
      const measured: AbRound[] = [];
      for (let r = 1; r <= rounds; r++) {
        const round = await both(seconds, r % 2 === 0);
        measured.push(round);
        log(
          `  round ${r}: base ${Math.round(round.base.rps)} req/s, ${round.base.cpu.toFixed(1)} CPU µs/req; ` +
            `tree ${Math.round(round.tree.rps)} req/s, ${round.tree.cpu.toFixed(1)} CPU µs/req; base/tree CPU ${(round.base.cpu / round.tree.cpu).toFixed(3)}`,
        );
      }
      log(abSummary(measured));
      if (errors > 0) log(`FAILED: ${errors} requests failed or answered other bytes than the base's`);
      return errors > 0 ? 1 : 0;
    },
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench:ab failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
