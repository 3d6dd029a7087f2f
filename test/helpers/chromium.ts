import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (package `chromium`, installed by .ci/run): browsers are never downloaded here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether the browser tests can run; when not, each browser test file says so in one line and skips. */
export const chromiumFound = existsSync(CHROMIUM_PATH);

/** The line a browser test file prints when it skips. */
export const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM_PATH}: browser tests skipped`;

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
