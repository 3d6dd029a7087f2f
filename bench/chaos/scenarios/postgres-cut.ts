// Postgres cut for every instance (connections dropped, new ones refused),
// then restored. Reads the caches hold keep answering; reads they cannot
// (a session never used, an organization never asked for) and writes answer
// SERVICE_UNAVAILABLE within 2 s (HTTP 503 and Retry-After when the whole
// operation failed), never a hang or a stack trace; /ready answers 503 and
// then 200 again, and everything works again without a restart.

import { coldOrg, coldPageLoad } from '../operations.ts';
import { explainStale, type ScenarioContext, type ScenarioResult, sleep, withTraffic } from '../scenario.ts';
import { sentBetween, summarize } from '../summary.ts';
import { type Sample, Traffic } from '../traffic.ts';

export interface PostgresCutOptions {
  warmMs: number;
  cutMs: number;
  /** How long after the restore the scenario waits at most for everything to work again. */
  recoverWithinMs: number;
}

/** The promised bound on an answer while Postgres is gone. */
export const CODED_ERROR_WITHIN_MS = 2_000;

/** One /ready answer: when it was asked, when it came back, and its status (0: no answer). */
interface ReadyProbe {
  instance: string;
  at: number;
  end: number;
  status: number;
}

export async function postgresCut(ctx: ScenarioContext, options: PostgresCutOptions): Promise<ScenarioResult> {
  const { cluster, cast } = ctx;
  const traffic = new Traffic(cluster.instances, cast, ctx.load, ctx.writer);
  const ready: ReadyProbe[] = [];
  let polling = true;
  const pollReady = async () => {
    while (polling) {
      await Promise.all(
        cluster.instances.map(async (instance) => {
          const at = traffic.now();
          const status = await fetch(`${instance.origin}/ready`, { signal: AbortSignal.timeout(5_000) }).then(
            async (r) => {
              await r.arrayBuffer();
              return r.status;
            },
            () => 0,
          );
          ready.push({ instance: instance.name, at, end: traffic.now(), status });
        }),
      );
      await sleep(250);
    }
  };
  let cutAt = 0;
  let restoredAt = 0;
  let recoveredAt: number | null = null;
  let cold = 0;
  const coldProbe = (i: number): Promise<Sample> => {
    const instance = cluster.instances[i % cluster.instances.length]!;
    const token = cast.coldTokens[cold++ % cast.coldTokens.length]!;
    return i % 2 === 0
      ? traffic.send(instance, coldPageLoad(token), 'cold')
      : traffic.send(instance, coldOrg(cast.viewers[1]!.token, `never-asked-${cold}`), 'cold');
  };
  const poller = pollReady();
  try {
    await withTraffic(traffic, async () => {
      ctx.log(`postgres-cut: warm-up ${options.warmMs / 1000} s; writes held for the last 1.5 s so the hot reads are cached`);
      await sleep(Math.max(0, options.warmMs - 1_500));
      traffic.pauseWrites(true);
      await sleep(1_500);
      cutAt = traffic.now();
      cluster.cutPostgres();
      ctx.log(`postgres-cut: Postgres cut for ${options.cutMs / 1000} s; uncached reads and a write every 500 ms`);
      for (let i = 0; traffic.now() < cutAt + options.cutMs - 500; i++) {
        const probes = [coldProbe(i), coldProbe(i + 1)];
        if (i % 2 === 0)
          probes.push(traffic.writeOnce(cluster.instances[(i / 2) % cluster.instances.length]!).then((w) => w.sample));
        await Promise.all([...probes, sleep(500)]);
      }
      await sleep(Math.max(0, cutAt + options.cutMs - traffic.now()));
      cluster.restorePostgres();
      restoredAt = traffic.now();
      ctx.log('postgres-cut: Postgres restored; waiting for uncached reads, writes and /ready to succeed on every instance');
      const deadline = restoredAt + options.recoverWithinMs;
      for (let i = 0; traffic.now() < deadline; i++) {
        const round = await Promise.all([
          ...cluster.instances.map((_, k) => coldProbe(2 * k + (i % 2))),
          ...cluster.instances.map((instance) => traffic.writeOnce(instance).then((w) => w.sample)),
        ]);
        const readyNow = cluster.instances.every((inst) => ready.filter((r) => r.instance === inst.name).at(-1)?.status === 200);
        if (round.every((s) => s.outcome === 'ok') && readyNow) {
          recoveredAt = traffic.now();
          break;
        }
        await sleep(250);
      }
      traffic.pauseWrites(false);
      await sleep(1_000);
    });
  } finally {
    polling = false;
    await poller;
  }
  explainStale(ctx, traffic);
  const samples = traffic.samples;
  const inCut = (s: Sample) => s.start >= cutAt + 100 && s.end <= restoredAt;
  const cachedDuring = summarize(samples, (s) => s.role === 'load' && s.start >= cutAt && s.start < restoredAt);
  const uncached = samples.filter((s) => (s.role === 'cold' || s.role === 'write') && inCut(s));
  const coded = uncached.filter((s) => s.outcome === 'SERVICE_UNAVAILABLE');
  const wholeFailed = coded.filter((s) => s.status === 503 && s.retryAfter !== null);
  const uncachedSummary = summarize(uncached);
  const all = summarize(samples);
  const readyOf = (name: string) => ready.filter((r) => r.instance === name);
  // As for the other samples in the cut: a probe still in flight at the restore may have been checked after it.
  const readyDuring = cluster.instances.map((i) => readyOf(i.name).filter((r) => r.at >= cutAt + 500 && r.end <= restoredAt));
  const readyBack = cluster.instances.map((i) => readyOf(i.name).find((r) => r.at >= restoredAt && r.status === 200));
  return {
    id: 'postgres-cut',
    title: `Postgres cut for ${options.cutMs / 1000} s, then restored`,
    phases: [
      { label: 'before', summary: summarize(samples, sentBetween(0, cutAt)) },
      { label: 'cut: cached reads', summary: cachedDuring },
      { label: 'cut: uncached reads and writes', summary: uncachedSummary },
      { label: 'after', summary: summarize(samples, sentBetween(restoredAt, Number.POSITIVE_INFINITY)) },
    ],
    recoveryMs: recoveredAt === null ? null : recoveredAt - restoredAt,
    checks: [
      {
        name: 'cached reads keep answering',
        ok: cachedDuring.requests > 0 && cachedDuring.failed === 0,
        seen: `${cachedDuring.requests - cachedDuring.failed} of ${cachedDuring.requests} ok`,
      },
      {
        name: `uncached reads and writes answer SERVICE_UNAVAILABLE within ${CODED_ERROR_WITHIN_MS} ms`,
        ok: uncached.length > 0 && coded.length === uncached.length && uncachedSummary.max < CODED_ERROR_WITHIN_MS,
        seen: `${coded.length} of ${uncached.length} (${
          Object.entries(uncachedSummary.failures)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || 'none failed'
        }), max ${uncachedSummary.max.toFixed(0)} ms`,
      },
      {
        name: 'a whole failed operation is HTTP 503 with Retry-After',
        ok: coded.length > 0 && wholeFailed.length === coded.length,
        seen: `${wholeFailed.length} of ${coded.length}`,
      },
      { name: 'no stack trace in any answer', ok: all.stacks === 0, seen: `${all.stacks} with a stack trace` },
      {
        name: '/ready answers 503 during the cut and 200 after it, on every instance',
        ok: readyDuring.every((list) => list.length > 0 && list.every((r) => r.status === 503)) && readyBack.every(Boolean),
        seen: cluster.instances
          .map((inst, k) => {
            const during = readyDuring[k]!;
            const back = readyBack[k];
            const others = during
              .filter((r) => r.status !== 503)
              .map((r) => `${r.status || 'no answer'} asked ${(r.at - cutAt).toFixed(0)} ms into the cut`);
            return `${inst.name}: ${during.filter((r) => r.status === 503).length}/${during.length} 503 during${others.length > 0 ? ` (${others.join(', ')})` : ''}, 200 ${back ? `${(back.at - restoredAt).toFixed(0)} ms after` : 'never'}`;
          })
          .join('; '),
      },
      {
        name: 'everything works again without a restart',
        ok: recoveredAt !== null,
        seen:
          recoveredAt === null
            ? `not within ${options.recoverWithinMs} ms`
            : `${(recoveredAt - restoredAt).toFixed(0)} ms after the restore`,
      },
      {
        name: 'no stale answer',
        ok: all.stale === 0,
        seen: `${all.stale} stale${all.staleExamples[0] ? `: ${all.staleExamples[0]}` : ''}`,
      },
    ],
    skipped: traffic.skipped,
  };
}
