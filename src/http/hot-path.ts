import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import { bearerToken, hashToken, sessionRef, tokenUserId } from '../auth/tokens.ts';
import { keys } from '../cache/keys.ts';
import { operationHash, type OperationParams } from '../cache/response-key.ts';
import { rateLimitHeaders } from '../rate-limit/headers.ts';
import { budgetKey, type LimitCheck, type LimitRule, type RateLimiter } from '../rate-limit/limiter.ts';
import type { SafeStore } from '../store/fail-soft.ts';
import type { HotResult } from '../store/hot-store.ts';
import type { RequestScope } from '../request-scope.ts';
import type { PersistedPolicy } from '../persisted/policy.ts';
import { operationNameOf } from './operation-name.ts';
import { answerType, isJsonBody, paramsOfJsonText, paramsOfQueryString } from './request-params.ts';
import { AnswerCopies } from './answer-copies.ts';
import { handOnBody, readBody } from './read-body.ts';

/** Longer request texts are hashed each time: large bodies are rare and would crowd out the common ones. */
const MEMO_TEXT_MAX = 16 * 1024;

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
  /**
   * Bytes of stored answers kept in process, so a hit whose answer has not
   * changed costs Redis no bytes (see answer-copies.ts).
   * @default 64 MiB
   */
  copyBytes?: number;
  /** The clock sessions expire against, in ms. @default Date.now */
  now?: (() => number) | undefined;
  /**
   * What the server accepts as a document (PERSISTED_DOCUMENTS) and the
   * manifest's documents: a request naming its document by id or APQ hash is
   * keyed by that hash, without its text (persisted/policy.ts).
   */
  persisted: PersistedPolicy;
  /**
   * This instance's store of a response key still in flight, if any: the
   * lookup waits for it, so a repeat sent right after a miss finds the answer.
   * @default none (nothing waited for)
   */
  storing?: ((responseKey: string) => Promise<unknown> | undefined) | undefined;
}

/** What the hot path did since start: for tests and metrics. */
export interface HotPathStats {
  hits: number;
  notModified: number;
  /** Requests handed to Yoga after the lookup (a miss, over budget, or a session it could not vouch for). */
  passed: number;
  /** Lookups the store could not answer. */
  storeErrors: number;
  /** Hits whose bytes came from this instance's copy, the store having confirmed its ETag. */
  fromCopy: number;
}

/** A request text as the hot path remembers it: its operation hash ('' when left to Yoga) and name (for logs and metrics). */
interface KnownText {
  hash: string;
  name: string | null;
}
const NOT_OURS: KnownText = { hash: '', name: null };

/** The signed-in viewer a bearer token names, with the keys the lookup reads for them. */
interface Viewer {
  userId: string;
  sessionKey: string;
  /** '' when rate limits are off. */
  budgetKey: string;
}
const NO_VIEWER: Viewer = { userId: '', sessionKey: '', budgetKey: '' };

/** The request's verdicts counted here and handed on with it, so Yoga does not count them again. */
const verdicts = new WeakMap<object, LimitCheck>();
/** A POST body read here, handed to Yoga only when the request goes there. */
interface ReadBody {
  body: Buffer | null;
}

/**
 * Cached reads at wire speed, in front of Yoga. For a signed-in query (POST
 * JSON, or GET), it keys the answer from the raw request without parsing the
 * document (or, for a persisted document id or an APQ hash, without its text), and in one store round trip validates the session, counts the
 * operation budget and fetches the stored answer, then writes the stored
 * bytes as they are. Anything it cannot answer goes to Yoga unchanged (with
 * the body it read and the budget verdict it counted): a miss, a mutation,
 * over budget, an unknown or expired token, anonymous or cross-origin
 * requests, GETs that accept HTML (GraphiQL's), streams, extensions other
 * than an APQ hash, an APQ registration, a document the persisted-documents
 * mode refuses or an id the manifest lacks, pending invalidations, a store
 * error.
 */
export function createHotPath(options: HotPathOptions) {
  const endpoint = options.endpoint ?? '/graphql';
  const stats: HotPathStats = { hits: 0, notModified: 0, passed: 0, storeErrors: 0, fromCopy: 0 };
  const copies = new AnswerCopies(options.copyBytes ?? 64 * 2 ** 20);
  const lookupBudget = options.budget ? { limit: options.budget.limit, windowMs: options.budget.windowMs } : null;

  // Clients send the same few requests over and over: the operation hash of a
  // request text (a POST body or a GET query string) is a pure function of it,
  // so it is remembered rather than parsed, canonicalised and hashed again.
  // A text the hot path leaves to Yoga is remembered as such (NOT_OURS). Bounded by
  // the texts' total length, so distinct large bodies cannot grow it.
  const hashOfText = new LRUCache<string, KnownText>({ maxSize: 4 * 2 ** 20, sizeCalculation: (_, text) => text.length + 64 });
  const hashOf = (text: string, parse: (text: string, policy: PersistedPolicy) => OperationParams | null): KnownText | null => {
    let known = hashOfText.get(text);
    if (known === undefined) {
      const params = parse(text, options.persisted);
      known = params ? { hash: operationHash(params, options.version), name: operationNameOf(params) } : NOT_OURS;
      if (text.length <= MEMO_TEXT_MAX) hashOfText.set(text, known);
    }
    return known.hash ? known : null;
  };
  // What an Authorization header names (the viewer and the keys of their session
  // and budget) is a pure function of it, and it comes back on every request of
  // a session: worked out once, remembered by the header. Headers naming no
  // viewer the hot path can key by are remembered too (NO_VIEWER).
  const viewerOfHeader = new LRUCache<string, Viewer>({ max: 10_000 });
  const viewerOf = (header: string | undefined): Viewer | null => {
    if (header === undefined) return null;
    let viewer = viewerOfHeader.get(header);
    if (viewer === undefined) {
      viewer = NO_VIEWER;
      const token = bearerToken(header);
      const userId = token ? tokenUserId(token) : '';
      if (token && userId) {
        viewer = {
          userId,
          sessionKey: keys.session(sessionRef(userId, hashToken(token))),
          budgetKey: options.budget ? budgetKey(options.budget, { userId }) : '',
        };
      }
      if (header.length <= 1024) viewerOfHeader.set(header, viewer);
    }
    return viewer === NO_VIEWER ? null : viewer;
  };

  /** The request's operation hash and name, or null to leave it to Yoga; a POST body read here is handed on with it. */
  async function operationOf(req: IncomingMessage, read: ReadBody): Promise<KnownText | null> {
    const url = req.url ?? '';
    if (req.method === 'GET') {
      // Yoga answers a GET that accepts HTML with GraphiQL (its test, mirrored), whatever the query string holds.
      if (req.headers.accept?.includes('text/html')) return null;
      const question = url.indexOf('?');
      if (question < 0 || url.slice(0, question) !== endpoint) return null;
      return hashOf(url.slice(question + 1), paramsOfQueryString);
    }
    if (req.method !== 'POST' || url !== endpoint || !isJsonBody(req)) return null;
    const reading = readBody(req, options.maxBodyBytes);
    if (!reading) return null;
    const body = await reading;
    if (!body) return null;
    read.body = body;
    return hashOf(body.toString('utf8'), paramsOfJsonText);
  }

  /**
   * Answers the request if it can; false hands it to Yoga, with the body read
   * here. The operation's name, once read, goes to `scope`, and its id into
   * the head written here.
   */
  async function serve(req: IncomingMessage, res: ServerResponse, scope?: RequestScope): Promise<boolean> {
    let served = false;
    // A holder rather than a WeakMap keyed by the request: a WeakMap entry per hit costs V8 ephemeron bookkeeping in every scavenge.
    const read: ReadBody = { body: null };
    try {
      served = await answer(req, res, read, scope);
    } finally {
      // Only now: the property a hit never needs would cost every hit a slower request object.
      // Also when answering threw: the listener then hands the request to Yoga, which must not find its body gone.
      const body = served ? null : read.body;
      if (body) handOnBody(req, body);
    }
    return served;
  }

  async function answer(req: IncomingMessage, res: ServerResponse, read: ReadBody, scope?: RequestScope): Promise<boolean> {
    // Cross-origin requests get Yoga's CORS headers; anonymous ones have no viewer slot to key by.
    if (req.headers.origin !== undefined) return false;
    const viewer = viewerOf(req.headers.authorization);
    if (!viewer) return false;
    const userId = viewer.userId;
    const contentType = answerType(req);
    if (!contentType) return false;
    const known = await operationOf(req, read);
    if (!known) return false;
    if (scope) scope.operation = known.name;
    // While an invalidation this instance made is undelivered, only Postgres is fresh enough.
    if (options.store.pendingInvalidations > 0) return false;

    const budget = options.budget;
    const responseKey = keys.response(known.hash, userId);
    const storing = options.storing?.(responseKey);
    if (storing) await storing;
    const copy = copies.get(responseKey);
    const clientEtag = singleEtag(req.headers['if-none-match']);
    const knownEtag = copy?.etag ?? clientEtag ?? '';
    let found: HotResult;
    try {
      found = await options.store.inner.hot.lookup({
        sessionKey: viewer.sessionKey,
        budgetKey: viewer.budgetKey,
        responseKey,
        userId,
        nowIso: new Date((options.now ?? Date.now)()).toISOString(),
        budget: lookupBudget,
        knownEtag,
      });
    } catch {
      stats.storeErrors += 1;
      return false;
    }
    if (found.kind === 'unknown') return false;
    const check = budget && found.budget ? options.limiter.counted(budget, found.budget) : null;
    if ((check && !check.allowed) || !found.stored) {
      // Only a request handed on carries its verdict: a hit needs no entry in the map.
      if (check) verdicts.set(req, check);
      stats.passed += 1;
      return false;
    }

    // `known`: the store holds the answer whose ETag we named, our copy's or else the client's own.
    const answer = found.stored === 'known' ? (copy ?? { etag: knownEtag, body: null }) : copies.keep(responseKey, found.stored);
    // One object handed to writeHead, nothing set on `res` before: Node then writes it as it is.
    const headers: Record<string, string | number> = {
      'X-Cache': 'HIT',
      ETag: answer.etag,
      'Cache-Control': 'private, no-cache',
    };
    if (check && budget) for (const [name, value] of rateLimitHeaders(check, budget)) headers[name] = value;
    if (scope) {
      headers['X-Request-Id'] = scope.id;
      scope.servedHot = true;
    }
    if (matches(req.headers['if-none-match'], answer.etag)) {
      stats.notModified += 1;
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    // Unreachable (an ETag the client named and the store confirmed matches it), but never an empty 200.
    if (!answer.body) {
      if (check) verdicts.set(req, check);
      return false;
    }
    stats.hits += 1;
    if (found.stored === 'known') stats.fromCopy += 1;
    headers['Content-Type'] = contentType;
    headers['Content-Length'] = answer.body.length;
    res.writeHead(200, headers);
    res.end(answer.body);
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

/** The one ETag an If-None-Match names, when it names exactly one in the form the store writes; else undefined. */
function singleEtag(header: string | undefined): string | undefined {
  return header !== undefined && STORED_ETAG.test(header) ? header : undefined;
}
const STORED_ETAG = /^"[A-Za-z0-9_-]{27}"$/;

/** Whether If-None-Match names this ETag (or is `*`); weak comparison, as for GET. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag === '*' || tag === etag || tag === `W/${etag}`) return true;
  }
  return false;
}
