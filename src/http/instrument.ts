import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import type { CacheStatus, Metrics } from '../metrics/registry.ts';
import type { RequestScope } from '../request-scope.ts';
import { requestIdOf } from './request-id.ts';

/** Options of instrument(). */
export interface InstrumentOptions {
  logger: Logger;
  /** Proxy hops trusted (TRUST_PROXY): only then is a sent X-Request-Id kept. */
  trustProxy: number;
  /** Requests slower than this are logged once, with their operation name. */
  slowMs: number;
  /** Null when METRICS_TOKEN is unset: then no duration is recorded and /metrics is not served. */
  metrics: Metrics | null;
  /** Serves /metrics; present exactly when `metrics` is. */
  metricsEndpoint: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null;
}

/** How the cache answered, from what the answer says: the hot path and Yoga's response cache both set X-Cache. */
function cacheStatusOf(res: ServerResponse, scope: RequestScope): CacheStatus {
  if (!scope.cacheable) return 'bypass';
  if (res.statusCode === 304) return 'not_modified';
  if (scope.servedHot) return 'hit';
  const label = res.getHeader('x-cache');
  return label === 'HIT' ? 'hit' : label === 'MISS' ? 'miss' : 'bypass';
}

/** How the app tells the instrumentation that a response is done, whichever way it went. */
export interface Finish {
  /** For a response still to be written (Yoga's): recorded on its `finish` event. */
  watch(res: ServerResponse, scope: RequestScope): void;
  /** For a response already ended (a hot hit): recorded now. */
  now(res: ServerResponse, scope: RequestScope): void;
}

/**
 * Wraps the app's listener: gives each request its id (`serve` echoes it in
 * X-Request-Id and runs whatever may log inside the request scope), and once
 * its response is done records its duration and logs it when slow. A hot hit
 * has ended its response before `serve` hears back, so it is recorded then;
 * only a response still to be written (Yoga's) gets a `finish` listener, which
 * beside node:http's own makes every emit walk an array, and a closure per
 * request. Metrics are read from counters at scrape time, so this is all a
 * request pays.
 */
export function instrument(
  serve: (req: IncomingMessage, res: ServerResponse, scope: RequestScope, finish: Finish) => void,
  options: InstrumentOptions,
): RequestListener {
  const { logger, metrics, slowMs } = options;
  const record = (res: ServerResponse, scope: RequestScope) => {
    const ms = performance.now() - scope.started;
    metrics?.observe(scope.operation, cacheStatusOf(res, scope), ms / 1000);
    if (ms > slowMs) {
      logger.warn(
        { reqId: scope.id, operation: scope.operation ?? 'anonymous', durationMs: Math.round(ms), status: res.statusCode },
        'slow operation',
      );
    }
  };
  const finish: Finish = {
    // 'finish' comes once per response: a plain listener spares the once-wrapper.
    watch: (res, scope) => res.on('finish', () => record(res, scope)),
    now: record,
  };
  return (req, res) => {
    if (options.metricsEndpoint && req.url === '/metrics' && req.method === 'GET') {
      void options.metricsEndpoint(req, res);
      return;
    }
    const scope: RequestScope = {
      id: requestIdOf(req, options.trustProxy),
      operation: null,
      cacheable: true,
      servedHot: false,
      started: performance.now(),
    };
    serve(req, res, scope, finish);
  };
}
