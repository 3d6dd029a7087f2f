// GraphiQL in a real browser with no way out of the machine: the page loads
// from this server alone, shows the walkthrough, and LogIn then Acme run from it.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../prisma/seed.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { CHROMIUM_MISSING, chromiumFound, launchChromium } from '../helpers/chromium.ts';

if (!chromiumFound) console.log(CHROMIUM_MISSING);

describe.skipIf(!chromiumFound)('GraphiQL in Chromium, offline', () => {
  let world: TestWorld;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Requests the page tried to send off the machine, aborted. */
  const leaving: string[] = [];
  /** Requests to this server that failed or answered an error status. */
  const failed: string[] = [];
  /** Uncaught errors in the page. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    world = await createTestWorld();
    // The demo owner and her organization, as the seed makes them: what the walkthrough signs in as and reads.
    const alice = await world.prisma.user.create({
      data: {
        email: DEMO_ACCOUNTS.alice.email,
        name: DEMO_ACCOUNTS.alice.name,
        passwordHash: await hashPassword(DEMO_ACCOUNTS.alice.password),
      },
    });
    await world.prisma.organization.create({
      data: {
        name: 'Acme',
        slug: 'acme',
        memberships: { create: [{ userId: alice.id, role: 'OWNER' }] },
        featureFlags: { create: [{ key: 'dark-mode', enabled: true }] },
      },
    });
    browser = await launchChromium();
    context = await browser.newContext();
    // Anything not for this machine is aborted and counted: the page must never ask.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
      leaving.push(url.href);
      return route.abort('internetdisconnected');
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.server.origin });
    page = await context.newPage();
    page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText}`));
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.url()} ${response.status()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('renders the editor with the sign-in walkthrough, asking nothing of the internet', { timeout: 60_000 }, async () => {
    // 'load' waits for every script and stylesheet the page names: by then any request off the machine was made.
    await page.goto(`${world.server.origin}/graphql`, { waitUntil: 'load' });
    expect(leaving).toEqual([]);
    const editor = page.locator('.graphiql-query-editor .monaco-editor .view-lines').first();
    await editor.waitFor({ timeout: 30_000 });
    await expect.poll(async () => text(await editor.textContent()), { timeout: 30_000 }).toContain('mutation LogIn {');
    expect(leaving).toEqual([]);
    expect(failed).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('runs LogIn from the run button, and the response pane shows a token', { timeout: 60_000 }, async () => {
    await run(page, 'LogIn');
    await expect.poll(() => response(page), { timeout: 30_000 }).toMatch(/"token": "tg_[^"]+"/);
    expect(await response(page)).toContain(`"name": "${DEMO_ACCOUNTS.alice.name}"`);
    expect(leaving).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('with the token in the headers tab, in place of the example, Acme answers for the owner', { timeout: 60_000 }, async () => {
    // Copied from the pane as a user would; the pane may wrap it across lines.
    const token = /"token": "(tg_[^"]+)"/.exec(await response(page))?.[1]?.replace(/\s+/g, '');
    expect(token).toBeTruthy();
    await page.getByRole('button', { name: 'Headers' }).click();
    // The tool pane holds the variables and headers editors; the tab shown is the one not hidden.
    const headers = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
    expect(text(await headers.locator('.view-lines').textContent())).toContain('"Authorization": "Bearer <token from logIn>"');
    await headers.click();
    await page.keyboard.press('ControlOrMeta+A');
    // Pasted, as a user would: typed, Monaco would close each brace and quote.
    await page.evaluate(
      (headers) => navigator.clipboard.writeText(headers),
      JSON.stringify({ Authorization: `Bearer ${token}` }),
    );
    await page.keyboard.press('ControlOrMeta+V');
    await run(page, 'Acme');
    await expect.poll(() => response(page), { timeout: 30_000 }).toContain('"viewerRole": "OWNER"');
    expect(await response(page)).toContain('"key": "dark-mode"');
    expect(leaving).toEqual([]);
    expect(failed).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

/** Runs one operation of the editor: the run button offers a menu when the editor holds several. */
async function run(page: Page, operation: string): Promise<void> {
  await page.locator('.graphiql-execute-button').click();
  await page.getByRole('menuitem', { name: operation, exact: true }).click();
}

/** The response pane's text. */
const response = async (page: Page) => text(await page.locator('.graphiql-response').textContent());

/** Monaco renders spaces as no-break spaces. */
const text = (shown: string | null) => (shown ?? '').replace(/\u00a0/g, ' ');
