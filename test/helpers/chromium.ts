import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (package `chromium`, installed by .ci/run): browsers are never downloaded here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Whether the browser tests run. Without Chromium a developer's run says so
 * in one line and skips them; under CI (CI=true, where .ci/run installs it)
 * they always run, so a missing Chromium fails them instead of passing unseen.
 */
export const chromiumFound = existsSync(CHROMIUM_PATH) || process.env['CI'] === 'true';

/** The line a browser test file prints when it skips. */
export const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM_PATH}: browser tests skipped (CI=true runs them anyway)`;

/**
 * Starts headless Chromium. No sandbox: CI runs as root, where Chromium's
 * sandbox refuses to start. Background networking and updates are off, so
 * the browser itself sends nothing beyond what a page asks for.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
