import { createHash } from 'node:crypto';

/** Where GraphiQL's files are served; the content hash after it changes with every GraphiQL release. */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/** One file of GraphiQL, ready to send. */
export interface GraphiQLAsset {
  /** Backed by a plain ArrayBuffer, as a Response body must be. */
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
}

/** GraphiQL's files by path, and the paths the page names. */
export interface GraphiQLAssets {
  /** Path → file, for the route that serves them. */
  files: ReadonlyMap<string, GraphiQLAsset>;
  script: string;
  stylesheet: string;
  icon: string;
  /** Monaco's web workers, by the label Monaco asks for. */
  workers: { editorWorkerService: string; json: string; graphql: string };
}

let loading: Promise<GraphiQLAssets> | undefined;

/**
 * GraphiQL's scripts, styles, editor workers and icon, so the page needs
 * nothing but this server. Yoga's built-in page loads them from unpkg.com,
 * which a machine without internet cannot reach. They come from
 * `@graphql-yoga/render-graphiql` (released with graphql-yoga, same version),
 * which bundles them as strings; its own page inlines all ~9 MB into every
 * HTML answer, so they are served here as files instead, under a content
 * hash: the browser keeps them for good and the page stays small.
 *
 * Loaded on first use (parsing the bundle takes ~170 ms), once per process.
 */
export function loadGraphiQLAssets(): Promise<GraphiQLAssets> {
  loading ??= import('@graphql-yoga/render-graphiql/graphiql').then((bundle) => {
    const js = 'text/javascript; charset=utf-8';
    const sources = {
      'graphiql.js': { text: bundle.js, contentType: js },
      'graphiql.css': { text: bundle.css, contentType: 'text/css; charset=utf-8' },
      'editor.worker.js': { text: bundle.editorWorkerService, contentType: js },
      'json.worker.js': { text: bundle.jsonWorker, contentType: js },
      'graphql.worker.js': { text: bundle.graphqlWorker, contentType: js },
    };
    const icon = dataUrlBytes(bundle.favicon);
    const hash = createHash('sha256');
    for (const source of Object.values(sources)) hash.update(source.text);
    hash.update(icon.body);
    const base = `${GRAPHIQL_ASSET_PREFIX}${hash.digest('base64url').slice(0, 12)}/`;
    const files = new Map<string, GraphiQLAsset>();
    for (const [name, source] of Object.entries(sources))
      files.set(base + name, { body: Buffer.from(source.text), contentType: source.contentType });
    files.set(`${base}favicon.ico`, icon);
    return {
      files,
      script: `${base}graphiql.js`,
      stylesheet: `${base}graphiql.css`,
      icon: `${base}favicon.ico`,
      workers: {
        editorWorkerService: `${base}editor.worker.js`,
        json: `${base}json.worker.js`,
        graphql: `${base}graphql.worker.js`,
      },
    };
  });
  return loading;
}

/** The bytes of a base64 `data:` URL (the bundle's icon is one), served as a file. */
function dataUrlBytes(url: string): GraphiQLAsset {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match?.[1] || match[2] === undefined) throw new Error('GraphiQL bundle: the icon is not a base64 data URL');
  return { body: Buffer.from(match[2], 'base64'), contentType: match[1] };
}
