// Runs `prisma generate` on machines that cannot download Prisma's native
// schema engine: generate only checks that PRISMA_SCHEMA_ENGINE_BINARY names an
// existing file, and this project migrates through the WASM engine instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
// Generators such as prisma-pothos-types are found on PATH, as under `npm run`.
env.PATH = [resolve('node_modules/.bin'), env.PATH].join(delimiter);
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
