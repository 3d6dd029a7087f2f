// `npm run build`: compiles the server to plain JavaScript in dist/, so
// production runs `node dist/main.js` without a TypeScript loader. An argument
// names another output folder (tests build beside the repository's dist/).
//
// The server imports the demo seed from prisma/, outside src/, so the emitted
// tree keeps the repository's layout (dist/src, dist/prisma) and dist/main.js
// is a one-line entry that starts dist/src/main.js. The generated Prisma
// client lives under src/generated and is compiled with the rest; migrations
// are read from prisma/migrations at run time, so deploy the repository, not
// dist/ alone.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const outDir = process.argv[2] ?? 'dist';
rmSync(outDir, { recursive: true, force: true });
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(join(outDir, 'main.js'), "// Production entry: the compiled server.\nimport './src/main.js';\n");
