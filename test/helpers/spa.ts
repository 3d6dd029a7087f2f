import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the browser tests write their screenshots on every run (git-ignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'screenshots');
/** The committed copies the README shows, rewritten only by `UPDATE_SCREENSHOTS=1`. */
export const DOC_SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

/**
 * Builds the SPA as `npm run web:build` does, into a fresh temporary folder rather than web/dist, so a
 * test run neither needs nor overwrites a developer's build. Vite's production build of this app takes
 * about a second.
 */
export async function buildSpa(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'tg-spa-'));
  await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--outDir',
      outDir,
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } },
  );
  return outDir;
}

/**
 * Saves what the page shows as test-artifacts/screenshots/NAME.png, and as docs/screenshots/NAME.png
 * too when UPDATE_SCREENSHOTS=1 (how the README's pictures are regenerated).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  if (process.env['UPDATE_SCREENSHOTS'] === '1') {
    mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    copyFileSync(file, join(DOC_SCREENSHOTS, `${name}.png`));
  }
}
