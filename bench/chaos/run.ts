// `npm run chaos`: outages under load on two instances. It clones the bench's
// seeded database, adds the chaos cast, starts two instances behind proxies,
// runs each scenario (Redis cut, Redis slow, Postgres cut, soak), prints a
// line per step, and writes bench/results/<date>-chaos.md with its chart.
// Exit code 1 when a scenario broke a promise.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cloneDatabase, ensureTemplate, postgresVersion } from '../database.ts';
import { cpuBusy, describeMachine } from '../machine.ts';
import { createCast } from './cast.ts';
import { startCluster } from './cluster.ts';
import { publishChaosReport } from './report.ts';
import { PrefixAudit } from './redis-audit.ts';
import { WriterState } from './traffic.ts';
import type { ScenarioContext, ScenarioResult } from './scenario.ts';
import { FULL_PLAN, SCENARIOS, type ScenarioId } from './plan.ts';

const HELP = `npm run chaos [-- options]
  --soak-minutes=N   the soak's length (default 10)
  --only=<scenario>  one scenario: ${SCENARIOS.join(', ')}
  --rate=N           reads per second across both instances (default ${FULL_PLAN.rate})
  --set=NAME=VALUE   a setting of both instances (repeatable), e.g. --set=RESPONSE_CACHE=false
  --logs=DIR         write each instance's log lines (JSON, LOG_LEVEL warn) to DIR/instance-<name>.log
  --help`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'soak-minutes': { type: 'string', default: '10' },
      only: { type: 'string' },
      rate: { type: 'string', default: String(FULL_PLAN.rate) },
      set: { type: 'string', multiple: true, default: [] },
      logs: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const soakMinutes = Number(values['soak-minutes']);
  const rate = Number(values.rate);
  if (!(soakMinutes > 0) || !(rate > 0)) throw new Error(`--soak-minutes and --rate take a positive number\n${HELP}`);
  const only = values.only;
  if (only !== undefined && !SCENARIOS.includes(only as ScenarioId)) throw new Error(`unknown scenario ${only}\n${HELP}`);
  const env: Record<string, string> = {};
  for (const pair of values.set) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--set takes NAME=VALUE, not ${pair}\n${HELP}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { soakMinutes, rate, only: only as ScenarioId | undefined, env, logs: values.logs };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const databaseUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const started = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const busyAtStart = await cpuBusy();

  await ensureTemplate(databaseUrl, log);
  const db = await cloneDatabase(databaseUrl, `chaos_${process.pid}`);
  const keyPrefix = `bench:chaos:${started.toString(36)}:`;
  const audit = await PrefixAudit.connect(redisUrl, keyPrefix);
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  const results: ScenarioResult[] = [];
  try {
    const cast = await createCast(db.url, { viewers: FULL_PLAN.viewers, coldSessions: 200 });
    log(`database ${db.name}: ${cast.viewers.length} viewers in ${cast.orgSlug}; Redis keys under ${keyPrefix}`);
    cluster = await startCluster({ databaseUrl: db.url, redisUrl, keyPrefix, env: args.env });
    log(`instances: ${cluster.instances.map((i) => `${i.name} ${i.origin} (pid ${i.pid})`).join(', ')}`);
    const ctx: ScenarioContext = {
      cluster,
      cast,
      writer: new WriterState(cast),
      audit,
      load: { rate: args.rate, writeEveryMs: FULL_PLAN.writeEveryMs },
      log,
    };
    for (const step of FULL_PLAN.steps(args.soakMinutes)) {
      if (args.only && step.id !== args.only) continue;
      const result = await step.run(ctx);
      results.push(result);
      for (const check of result.checks) log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.seen}`);
    }
    const machine = describeMachine({
      postgres: await postgresVersion(databaseUrl),
      redis: /redis_version:(\S+)/.exec(await audit.info())?.[1] ?? 'unknown',
      busyAtStart,
    });
    const written = await publishChaosReport({
      date: new Date(started).toISOString().slice(0, 10),
      machine,
      settings: {
        rate: args.rate,
        writeEveryMs: FULL_PLAN.writeEveryMs,
        viewers: cast.viewers.length,
        soakMinutes: args.soakMinutes,
        only: args.only ?? null,
        env: args.env,
      },
      results,
    });
    log(`report: ${written.join(', ')}`);
  } finally {
    if (args.logs && cluster) {
      mkdirSync(args.logs, { recursive: true });
      for (const instance of cluster.instances)
        writeFileSync(join(args.logs, `instance-${instance.name}.log`), instance.process.output());
      log(`instance logs: ${args.logs}/instance-{${cluster.instances.map((i) => i.name).join(',')}}.log`);
    }
    await cluster?.close();
    log(`cleanup: ${await audit.deleteAll()} keys deleted under ${keyPrefix}`);
    await audit.close();
    await db.drop();
  }
  const broken = results.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.id}: ${c.name}`));
  if (broken.length > 0) {
    console.error(`broken promises:\n  ${broken.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
