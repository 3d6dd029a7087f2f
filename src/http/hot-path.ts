import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, hashToken, sessionRef, tokenUserId } from '../auth/tokens.ts';
import { keys } from '../cache/keys.ts';
import { operationHash, type OperationParams } from '../cache/response-key.ts';
import { rateLimitHeaders } from '../rate-limit/headers.ts';
import { budgetKey, type LimitCheck, type LimitRule, type RateLimiter } from '../rate-limit/limiter.ts';
import type { SafeStore } from '../store/fail-soft.ts';
import type { HotResult } from '../store/hot-store.ts';
import { answerType, isJsonBody, paramsOfJson, paramsOfQueryString } from './request-params.ts';
import { handOnBody, readBody } from './read-body.ts';

/** Options of the hot path. */
export interface HotPathOptions {
  store: SafeStore;
  limiter: RateLimiter;
  /** The operation budget; null when rate limits are off. */
  budget: LimitRule | null;
  /** Part of every response key (cache/response-key.ts). */
  version: string;
  /** Largest body read; a larger one is Yoga's to refuse. */
  maxBodyBytes: number;
  /** @default '/graphql' */
  endpoint?: string;
  /** The clock sessions expire against, in ms. @default Date.now */
  now?: (() => number) | undefined;
}

/** What the hot path did since start: for tests and metrics. */
export interface HotPathStats {
  hits: number;
  notModified: number;
  /** Requests handed to Yoga after the lookup (a miss, over budget, or a session it could not vouch for). */
  passed: number;
  /** Lookups the store could not answer. */
  storeErrors: number;
}

/** The request's verdicts counted here and handed on with it, so Yoga does not count them again. */
const verdicts = new WeakMap<object, LimitCheck>();

/**
 * Cached reads at wire speed, in front of Yoga. For a signed-in query (POST
 * JSON, or GET), it keys the answer from the raw request without parsing the
 * document, and in one store round trip validates the session, counts the
 * operation budget and fetches the stored answer, then writes the stored
 * bytes as they are. Anything it cannot answer goes to Yoga unchanged (with
 * the body it read and the budget verdict it counted): a miss, a mutation,
 * over budget, an unknown or expired token, anonymous or cross-origin
 * requests, streams, extensions, pending invalidations, a store error.
 */
export function createHotPath(options: HotPathOptions) {
  const endpoint = options.endpoint ?? '/graphql';
  const stats: HotPathStats = { hits: 0, notModified: 0, passed: 0, storeErrors: 0 };

  /** The request's parameters, or null to leave it to Yoga; a POST body read here is handed on. */
  async function paramsOf(req: IncomingMessage): Promise<OperationParams | null> {
    const url = req.url ?? '';
    if (req.method === 'GET') {
      const question = url.indexOf('?');
      if (question < 0 || url.slice(0, question) !== endpoint) return null;
      return paramsOfQueryString(url.slice(question + 1));
    }
    if (req.method !== 'POST' || url !== endpoint || !isJsonBody(req)) return null;
    const reading = readBody(req, options.maxBodyBytes);
    if (!reading) return null;
    const body = await reading;
    if (!body) return null;
    handOnBody(req, body);
    try {
      return paramsOfJson(JSON.parse(body.toString('utf8')));
    } catch {
      return null;
    }
  }

  /** Answers the request if it can; false hands it to Yoga. */
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    // Cross-origin requests get Yoga's CORS headers; anonymous ones have no viewer slot to key by.
    if (req.headers.origin !== undefined) return false;
    const token = bearerToken(req.headers.authorization);
    if (!token) return false;
    const userId = tokenUserId(token);
    if (!userId) return false;
    const contentType = answerType(req);
    if (!contentType) return false;
    const params = await paramsOf(req);
    // While an invalidation this instance made is undelivered, only Postgres is fresh enough.
    if (!params || options.store.pendingInvalidations > 0) return false;

    const budget = options.budget;
    let found: HotResult;
    try {
      found = await options.store.inner.hot.lookup({
        sessionKey: keys.session(sessionRef(userId, hashToken(token))),
        budgetKey: budget ? budgetKey(budget, { userId }) : '',
        responseKey: keys.response(operationHash(params, options.version), userId),
        userId,
        nowIso: new Date((options.now ?? Date.now)()).toISOString(),
        budget: budget ? { limit: budget.limit, windowMs: budget.windowMs } : null,
      });
    } catch {
      stats.storeErrors += 1;
      return false;
    }
    if (found.kind === 'unknown') return false;
    const check = budget && found.budget ? options.limiter.counted(budget, found.budget) : null;
    if (check) verdicts.set(req, check);
    if ((check && !check.allowed) || !found.stored) {
      stats.passed += 1;
      return false;
    }

    const stored = found.stored;
    const newline = stored.indexOf(10);
    const etag = stored.toString('latin1', 0, newline);
    const headers: Record<string, string | number> = { 'X-Cache': 'HIT', ETag: etag, 'Cache-Control': 'private, no-cache' };
    if (check) for (const [name, value] of rateLimitHeaders(check)) headers[name] = value;
    if (matches(req.headers['if-none-match'], etag)) {
      stats.notModified += 1;
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    stats.hits += 1;
    const body = stored.subarray(newline + 1);
    headers['Content-Type'] = contentType;
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(body);
    return true;
  }

  return {
    stats,
    serve,
    /** The budget verdict the hot path counted for a request it handed on (from Yoga's server context). */
    precounted(serverContext: unknown): LimitCheck | undefined {
      const req: unknown =
        typeof serverContext === 'object' && serverContext !== null ? Reflect.get(serverContext, 'req') : undefined;
      return typeof req === 'object' && req !== null ? verdicts.get(req) : undefined;
    },
  };
}

export type HotPath = ReturnType<typeof createHotPath>;

/** Whether If-None-Match names this ETag (or is `*`); weak comparison, as for GET. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag === '*' || tag === etag || tag === `W/${etag}`) return true;
  }
  return false;
}
