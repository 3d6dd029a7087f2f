// The example SPA in a real browser, built as `npm run web:build` builds it and served by the real
// server at `/`, on real Postgres and Redis: an owner signs in, pages through members and toggles a
// flag; a VIEWER in another browser context sees the change on his next load and no controls; a
// non-member never sees the organization; a revoked role, a rate limit, a revoked and an expired
// session each show what they mean. Every page shown is saved as a screenshot (test/helpers/spa.ts).
import { readFileSync, rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../prisma/seed.ts';
import { hashPassword } from '../../src/auth/password.ts';
import type { Organization, Role, User } from '../../src/generated/prisma/client.ts';
import { globalId } from '../../src/schema/global-id.ts';
import { ChangeMemberRoleDocument, LogOutDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { CHROMIUM_MISSING, chromiumFound, launchChromium } from '../helpers/chromium.ts';
import { buildSpa, screenshot } from '../helpers/spa.ts';

if (!chromiumFound) console.log(CHROMIUM_MISSING);

const OTHERS_PASSWORD = 'browser-password-1';
/** Members beyond alice, bob and dave: 15 in all, so the members list has two pages of 10. */
const FILLERS = 12;
const DAY_MS = 86_400_000;

/** The SPA's persisted documents by their hash, as the kind of operation each is. */
const MANIFEST = new Map(
  Object.entries(
    JSON.parse(readFileSync(new URL('../../web/src/gql/persisted-documents.json', import.meta.url), 'utf8')) as Record<
      string,
      string
    >,
  ).map(([id, text]) => [id.replace(/^sha256:/, ''), text.trimStart().startsWith('mutation') ? 'mutation' : 'query']),
);

/** What a GraphQL request from the SPA carried: its method, whether the document's text went along, its APQ hash. */
interface SentRequest {
  method: string;
  text: boolean;
  hash: string | null;
}

function sentRequest(method: string, url: URL, body: string | null): SentRequest {
  const params: Record<string, unknown> =
    method === 'GET'
      ? { query: url.searchParams.get('query'), extensions: JSON.parse(url.searchParams.get('extensions') ?? 'null') }
      : (JSON.parse(body ?? '{}') as Record<string, unknown>);
  const extensions = params['extensions'];
  const persisted = typeof extensions === 'object' && extensions !== null ? Reflect.get(extensions, 'persistedQuery') : null;
  const hash = typeof persisted === 'object' && persisted !== null ? Reflect.get(persisted, 'sha256Hash') : null;
  return {
    method,
    text: typeof params['query'] === 'string' && params['query'] !== '',
    hash: typeof hash === 'string' ? hash : null,
  };
}

describe.skipIf(!chromiumFound)('the SPA in Chromium', () => {
  let spa: string;
  let world: TestWorld;
  /** The instance the browser talks to: the built SPA at `/`, a tight mutation limit, a clock the test can move. */
  let server: TestInstance;
  let clockOffsetMs = 0;
  let browser: Browser;
  let alice: User;
  let dave: User;
  let acme: Organization;
  const users: Record<string, { email: string; password: string }> = {
    alice: DEMO_ACCOUNTS.alice,
    bob: DEMO_ACCOUNTS.bob,
    carol: { email: 'carol@example.com', password: OTHERS_PASSWORD },
    dave: { email: 'dave@example.com', password: OTHERS_PASSWORD },
  };
  const pages: Record<string, Page> = {};
  /** Requests a page tried to send off the machine, aborted. */
  const leaving: string[] = [];
  /** The GraphQL requests the pages sent. */
  const sent: SentRequest[] = [];
  /** Uncaught errors and console errors (a refused script or style shows here) in any page. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    spa = await buildSpa();
    world = await createTestWorld();
    // The demo data's shape (prisma/seed.ts): alice OWNER and bob VIEWER of acme, bob OWNER of globex;
    // dave an ADMIN of acme, carol in none of them.
    const [aliceHash, bobHash, othersHash] = await Promise.all([
      hashPassword(DEMO_ACCOUNTS.alice.password),
      hashPassword(DEMO_ACCOUNTS.bob.password),
      hashPassword(OTHERS_PASSWORD),
    ]);
    const user = (name: string, email: string, passwordHash: string) =>
      world.prisma.user.create({ data: { name, email, passwordHash } });
    alice = await user(DEMO_ACCOUNTS.alice.name, DEMO_ACCOUNTS.alice.email, aliceHash);
    const bob = await user(DEMO_ACCOUNTS.bob.name, DEMO_ACCOUNTS.bob.email, bobHash);
    const carol = await user('Carol Outsider', users['carol']!.email, othersHash);
    dave = await user('Dave Admin', users['dave']!.email, othersHash);
    const fillers = [];
    for (let i = 1; i <= FILLERS; i++)
      fillers.push(await user(`Member ${String(i).padStart(2, '0')}`, `member${i}@example.com`, othersHash));
    acme = await world.prisma.organization.create({
      data: {
        name: 'Acme Inc',
        slug: 'acme',
        plan: 'PRO',
        featureFlags: {
          create: [
            { key: 'beta-search', enabled: false },
            { key: 'dark-mode', enabled: true },
            { key: 'new-billing', enabled: false },
          ],
        },
      },
    });
    // One at a time: the members list is in the order they joined.
    const members: { user: User; role: Role }[] = [
      { user: alice, role: 'OWNER' },
      { user: bob, role: 'VIEWER' },
      { user: dave, role: 'ADMIN' },
      ...fillers.map((filler) => ({ user: filler, role: 'MEMBER' as const })),
    ];
    for (const { user: member, role } of members)
      await world.prisma.membership.create({ data: { userId: member.id, organizationId: acme.id, role } });
    await world.prisma.organization.create({
      data: { name: 'Globex Corporation', slug: 'globex', memberships: { create: [{ userId: bob.id, role: 'OWNER' }] } },
    });
    await world.prisma.organization.create({
      data: { name: 'Initech', slug: 'initech', memberships: { create: [{ userId: carol.id, role: 'OWNER' }] } },
    });
    server = await world.startInstance({
      webRoot: spa,
      env: { RATE_LIMIT_MUTATIONS_PER_VIEWER: '4/60s' },
      now: () => Date.now() + clockOffsetMs,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
    if (spa) rmSync(spa, { recursive: true, force: true });
  });

  /** A new browser context (its own storage: another person) with one page, watched for errors and escapes. */
  async function open(name: string): Promise<Page> {
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    // Well under the test's timeout, so a screen that never comes fails with what was awaited.
    context.setDefaultTimeout(10_000);
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') {
        if (url.pathname === '/graphql') sent.push(sentRequest(route.request().method(), url, route.request().postData()));
        return route.continue();
      }
      leaving.push(url.href);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${name}: ${message.text()}`);
    });
    pages[name] = page;
    return page;
  }

  /** Signs in through the form, as a person would, and waits for the list of their organizations. */
  async function signIn(page: Page, name: string): Promise<void> {
    await page.goto(`${server.origin}/`);
    await page.getByLabel('Email').fill(users[name]!.email);
    await page.getByLabel('Password').fill(users[name]!.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your organizations' }).waitFor();
  }

  /** Picks an organization in the switcher and waits for its page. */
  async function switchTo(page: Page, slug: string, name: string): Promise<void> {
    await page.getByLabel('Organization').selectOption(slug);
    await page.waitForURL(`${server.origin}/orgs/${slug}`);
    await page.getByRole('heading', { name }).waitFor();
  }

  const flag = (page: Page, key: string) => page.locator(`[data-flag="${key}"]`);
  const memberRows = (page: Page) => page.locator('.members tbody tr');
  const tokenOf = async (page: Page) => (await page.evaluate(() => localStorage.getItem('tenant-graph.token'))) ?? '';

  it('alice signs in, switches to acme and pages through its members', { timeout: 30_000 }, async () => {
    const page = await open('alice');
    await page.goto(`${server.origin}/orgs/acme`);
    // Signed out, any address waits behind the sign-in screen.
    await page.waitForURL(`${server.origin}/sign-in`);
    await screenshot(page, 'sign-in');
    await signIn(page, 'alice');
    await screenshot(page, 'organizations');
    await switchTo(page, 'acme', 'Acme Inc');
    await expect.poll(() => page.getByTestId('member-count').textContent()).toBe(`${FILLERS + 3} members`);
    await expect.poll(() => memberRows(page).count()).toBe(10);
    expect(await page.locator('.pager .position').textContent()).toBe(`1–10 of ${FILLERS + 3}`);
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.locator('.pager .position').textContent()).toBe(`11–15 of ${FILLERS + 3}`);
    expect(await memberRows(page).count()).toBe(5);
    expect(await memberRows(page).first().textContent()).toContain('Member 08');
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => page.locator('.pager .position').textContent()).toBe(`1–10 of ${FILLERS + 3}`);
    // The OWNER gets every control: a switch per flag, a role picker per member.
    expect(await page.getByRole('switch').count()).toBe(3);
    expect(await page.getByRole('combobox', { name: /^Role of / }).count()).toBe(10);
    await screenshot(page, 'organization-owner');
  });

  it('bob, a VIEWER of acme, sees its flags and roles but no control at all', { timeout: 30_000 }, async () => {
    const page = await open('bob');
    await signIn(page, 'bob');
    await switchTo(page, 'acme', 'Acme Inc');
    await expect.poll(() => flag(page, 'beta-search').getAttribute('data-enabled')).toBe('false');
    expect(await page.getByRole('switch').count()).toBe(0);
    expect(await page.getByRole('combobox', { name: /^Role of / }).count()).toBe(0);
    expect(await page.locator('.members .badge').count()).toBe(10);
    await screenshot(page, 'organization-viewer');
  });

  it('alice toggles a flag and sees the new value; bob sees it on his next page load', { timeout: 30_000 }, async () => {
    const page = pages['alice']!;
    const toggle = page.getByRole('switch', { name: 'beta-search' });
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    // Shown from the page's refetch after the mutation: the stored value, not a guess.
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    expect(await flag(page, 'beta-search').getAttribute('data-enabled')).toBe('true');
    const stored = await world.prisma.featureFlag.findFirst({ where: { organizationId: acme.id, key: 'beta-search' } });
    expect(stored?.enabled).toBe(true);

    const bob = pages['bob']!;
    // Bob's last answer for this page may sit in the response caches: the write must have invalidated it.
    await bob.reload();
    await bob.getByRole('heading', { name: 'Acme Inc' }).waitFor();
    await expect.poll(() => flag(bob, 'beta-search').getAttribute('data-enabled')).toBe('true');
    expect(await bob.getByRole('switch').count()).toBe(0);
    await screenshot(bob, 'organization-viewer-after-toggle');
  });

  it('alice gives a member another role from the picker, and the page shows the stored role', { timeout: 30_000 }, async () => {
    const page = pages['alice']!;
    const picker = page.getByRole('combobox', { name: 'Role of Member 01' });
    await picker.selectOption('ADMIN');
    await expect.poll(() => picker.inputValue()).toBe('ADMIN');
    // The page's refetch, not the picker's own state: the class follows the role the server answered.
    await expect.poll(() => picker.getAttribute('class')).toContain('role-admin');
    const stored = await world.prisma.membership.findFirst({
      where: { organizationId: acme.id, user: { email: 'member1@example.com' } },
    });
    expect(stored?.role).toBe('ADMIN');
  });

  it('carol, in no organization of theirs, never sees acme: not in the switcher, not at its address', {
    timeout: 30_000,
  }, async () => {
    const page = await open('carol');
    const answers: string[] = [];
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname === '/graphql') answers.push(await response.text());
    });
    await signIn(page, 'carol');
    const choices = await page.getByLabel('Organization').locator('option').allTextContents();
    expect(choices).toEqual(['Choose an organization', 'Initech (owner)']);
    await page.goto(`${server.origin}/orgs/acme`);
    const notice = page.getByRole('alert');
    await notice.waitFor();
    expect(await notice.getAttribute('data-code')).toBe('NOT_FOUND');
    expect(await notice.textContent()).toContain('you are not a member');
    expect(await page.locator('.members, .flags').count()).toBe(0);
    // Nothing of acme reached the browser at all, not only the screen.
    const received = answers.join('\n');
    expect(received).toContain('"organization":null');
    for (const secret of ['Acme Inc', 'beta-search', alice.email, 'Member 01']) expect(received).not.toContain(secret);
    await screenshot(page, 'not-a-member');
  });

  it('carol signs out: the sign-in screen says so, and the token no longer works anywhere', { timeout: 30_000 }, async () => {
    const page = pages['carol']!;
    const token = await tokenOf(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${server.origin}/sign-in`);
    expect(await page.getByRole('status').getAttribute('data-reason')).toBe('signed-out');
    expect(await page.getByRole('status').textContent()).toBe('You have signed out.');
    expect(await tokenOf(page)).toBe('');
    // Ended on the server, for every instance, not only forgotten by the browser.
    const after = await world.server.gql(ViewerDocument, { token });
    expect(after.data).toEqual({ viewer: null });
  });

  it('dave, an ADMIN demoted to VIEWER while his page is open, is told FORBIDDEN when he uses a stale control', {
    timeout: 30_000,
  }, async () => {
    const page = await open('dave');
    await signIn(page, 'dave');
    await switchTo(page, 'acme', 'Acme Inc');
    expect(await page.getByRole('switch').count()).toBe(3);
    const membership = await world.prisma.membership.findFirstOrThrow({ where: { userId: dave.id, organizationId: acme.id } });
    const demoted = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: globalId('Membership', membership.id), role: 'VIEWER' } },
      token: await tokenOf(pages['alice']!),
    });
    expect(demoted.errors).toBeUndefined();
    await page.getByRole('switch', { name: 'dark-mode' }).click();
    const notice = page.locator('.flags [role="alert"]');
    await notice.waitFor();
    expect(await notice.getAttribute('data-code')).toBe('FORBIDDEN');
    expect(await notice.textContent()).toContain('Your role in this organization does not allow this.');
    expect((await world.prisma.featureFlag.findFirst({ where: { organizationId: acme.id, key: 'dark-mode' } }))?.enabled).toBe(
      true,
    );
    await screenshot(page, 'forbidden');
    // On the next load the page follows his new role.
    await page.reload();
    await page.getByRole('heading', { name: 'Acme Inc' }).waitFor();
    await expect.poll(() => page.locator('.flags li').count()).toBe(3);
    expect(await page.getByRole('switch').count()).toBe(0);
  });

  it('alice, over her mutation limit, is told RATE_LIMITED and when to retry', { timeout: 30_000 }, async () => {
    const page = pages['alice']!;
    const toggle = page.getByRole('switch', { name: 'new-billing' });
    const notice = page.locator('.flags [role="alert"]');
    // 4 mutations a minute on this instance, and alice has made 2: a few more clicks cross it.
    for (let click = 0; click < 6 && !(await notice.isVisible()); click++) {
      await toggle.click();
      await expect.poll(() => toggle.isEnabled()).toBe(true);
    }
    expect(await notice.getAttribute('data-code')).toBe('RATE_LIMITED');
    expect(await notice.textContent()).toMatch(/Too many requests: try again in \d+ s\./);
    await screenshot(page, 'rate-limited');
  });

  it('alice, whose session was ended elsewhere, is sent back to sign-in with a message', { timeout: 30_000 }, async () => {
    const page = pages['alice']!;
    const ended = await world.server.gql(LogOutDocument, { token: await tokenOf(page) });
    expect(ended.data?.logOut).toBe(true);
    await page.reload();
    await page.waitForURL(`${server.origin}/sign-in`);
    const message = page.getByRole('status');
    expect(await message.getAttribute('data-reason')).toBe('expired');
    expect(await message.textContent()).toContain('Your session has expired or was ended elsewhere');
    expect(await tokenOf(page)).toBe('');
    await screenshot(page, 'session-ended');
  });

  it('bob, whose session expired while the page was open, is sent back to sign-in at his next action', {
    timeout: 30_000,
  }, async () => {
    const page = pages['bob']!;
    clockOffsetMs = 31 * DAY_MS;
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(`${server.origin}/sign-in`);
    expect(await page.getByRole('status').getAttribute('data-reason')).toBe('expired');
  });

  it('sent every GraphQL request by its persisted hash, never as text, and its queries as GETs', () => {
    expect(sent.length).toBeGreaterThan(10);
    expect(sent.filter((r) => r.text)).toEqual([]);
    const kinds = sent.map((r) => ({
      method: r.method,
      kind: r.hash ? (MANIFEST.get(r.hash) ?? 'not in the manifest') : 'no hash',
    }));
    expect(kinds.filter((k) => k.kind !== 'query' && k.kind !== 'mutation')).toEqual([]);
    expect(new Set(kinds.filter((k) => k.kind === 'query').map((k) => k.method))).toEqual(new Set(['GET']));
    expect(kinds.some((k) => k.kind === 'mutation' && k.method === 'POST')).toBe(true);
  });

  it('sent nothing off the machine and raised no error in any page', () => {
    expect(leaving).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
