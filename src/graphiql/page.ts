import type { GraphiQLOptions } from 'graphql-yoga';
import type { GraphiQLAssets } from './assets.ts';

/**
 * The GraphiQL page: the shape of @graphql-yoga/render-graphiql's page, but
 * naming its files on this server (assets.ts) instead of inlining them, and
 * Monaco's workers as same-origin URLs instead of blobs built from strings.
 */
export function renderGraphiQLPage(assets: GraphiQLAssets, options: GraphiQLOptions): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title || 'Yoga GraphiQL')}</title>
    <link rel="icon" href="${assets.icon}" />
    <link rel="stylesheet" href="${assets.stylesheet}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${scriptJson(assets.workers)};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${assets.script}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
}

/** JSON safe inside a <script>: a `</script>` in a default query must not end it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
