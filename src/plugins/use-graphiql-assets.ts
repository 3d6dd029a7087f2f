import type { Plugin } from 'graphql-yoga';
import { GRAPHIQL_ASSET_PREFIX, type GraphiQLAssets, loadGraphiQLAssets } from '../graphiql/assets.ts';

/** Options of useGraphiQLAssets. */
export interface GraphiQLAssetsOptions {
  /** The files to serve. @default loadGraphiQLAssets (the bundle of @graphql-yoga/render-graphiql) */
  load?: () => Promise<GraphiQLAssets>;
}

/**
 * Serves GraphiQL's scripts, styles, workers and icon from this server (see
 * graphiql/assets.ts), so the page works on a machine without internet. Their
 * paths carry a content hash, so they are cached for good; any other path
 * under the prefix, an old hash included, is left to Yoga's 404.
 */
export function useGraphiQLAssets(options: GraphiQLAssetsOptions = {}): Plugin {
  const load = options.load ?? loadGraphiQLAssets;
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' || !url.pathname.startsWith(GRAPHIQL_ASSET_PREFIX)) return;
      return load().then((assets) => {
        const file = assets.files.get(url.pathname);
        if (!file) return;
        endResponse(
          new fetchAPI.Response(file.body, {
            headers: {
              'Content-Type': file.contentType,
              'Cache-Control': 'public, max-age=31536000, immutable',
              'X-Content-Type-Options': 'nosniff',
            },
          }),
        );
      });
    },
  };
}
