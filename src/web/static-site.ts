import { existsSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';

/** Serves a request from the site's files, or calls `next` when none fits. */
export type StaticSite = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

// The SPA talks only to this server; no framing (clickjacking), no plugins, no inline scripts.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The built SPA (web/dist): its files with their content types, and index.html for a path without a
 * file extension that names no file (the SPA's own routes, so a reload on /orgs/acme works). Null
 * when the folder holds no index.html, i.e. the SPA was not built.
 *
 * sirv lists the folder once, here, and answers from that list: a request never reaches the file
 * system by a path it names, so `..` or an encoded slash has nothing to escape to, and a hit costs no
 * stat. A rebuilt SPA is seen after a restart.
 */
export function staticSite(root: string): StaticSite | null {
  if (!existsSync(join(root, 'index.html'))) return null;
  return sirv(root, {
    single: true,
    etag: true,
    dotfiles: false,
    setHeaders(res, pathname) {
      // Vite names every file under assets/ by its content: cached for good. The rest, index.html
      // above all, is revalidated on each load, so a new build is picked up at once.
      const hashed = pathname.startsWith('/assets/');
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (!hashed) {
        res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
        res.setHeader('Referrer-Policy', 'same-origin');
      }
    },
  });
}

/**
 * Puts the site in front of the API without ever shadowing it: a path in `apiPaths` (equal to an
 * entry, or under it; an entry ending in `/` is a prefix) or a method other than GET and HEAD goes
 * straight to the API, as does whatever the site has no file for, so the API answers it as it would
 * without the site. The API's own requests pay one prefix test.
 */
export function inFrontOf(api: RequestListener, site: StaticSite, apiPaths: readonly string[]): RequestListener {
  const isApiPath = (url: string) => {
    // Absolute-form targets ("GET http://host/graphql") are the API's to judge.
    if (url.charCodeAt(0) !== 47 /* / */) return true;
    const end = url.search(/[?#]/);
    const path = end === -1 ? url : url.slice(0, end);
    return apiPaths.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p || path.startsWith(`${p}/`)));
  };
  return (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.url ?? '/')) api(req, res);
    else site(req, res, () => api(req, res));
  };
}
