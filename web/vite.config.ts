import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The example SPA. `npm run web` serves it with hot reload and forwards the API's paths to a running
// server (API_ORIGIN, default http://127.0.0.1:4000: `npm start`'s); `npm run web:build` writes web/dist,
// which `npm start` then serves at `/`.
const api = process.env['API_ORIGIN'] ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  server: {
    port: Number(process.env['WEB_PORT'] ?? 5173),
    strictPort: false,
    // GraphiQL too, so the dev server's /graphql works in a browser as the API's does.
    proxy: { '/graphql': api, '/graphiql/': api },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under assets/: the server serves them as immutable.
    assetsDir: 'assets',
  },
});
