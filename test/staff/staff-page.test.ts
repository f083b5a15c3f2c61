import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, StaffFixtures, startStaffGateway } from '../support/staff-fixtures.js';
import type { StaffGateway } from '../support/staff-fixtures.js';

// Browser globals for the functions Playwright runs inside the page (the project's lib has no DOM types).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const location: any;
declare const sessionStorage: any;
declare const localStorage: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPED staff page browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`);
const describeIfChromium = haveChromium ? describe : describe.skip;

const PAYLOADS = [
  '<script>window.__pwned = "script"; alert("script")</script>',
  '<img src=x onerror="window.__pwned = \'img\'; alert(\'img\')">',
  'javascript:alert("js-url")',
  '[click me](javascript:alert("md"))',
  '<a href="javascript:alert(\'a\')">link</a> <svg onload=alert("svg")></svg>',
];

describeIfChromium('staff page in headless Chromium', () => {
  let gw: StaffGateway;
  let fx: StaffFixtures;
  let browser: Browser;
  let chatId: string;
  let otherChat: string;
  const dialogs: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    gw = await startStaffGateway();
    fx = new StaffFixtures(gw.databaseUrl);
    const frontendId = await fx.frontend();
    chatId = await fx.chat({ frontendId, displayName: '<b onmouseover=alert("name")>Mallory</b>', customerId: 'cust-x', startedAt: new Date('2026-11-25T10:00:00Z') });
    await fx.items(chatId, [
      { type: 'EVENT', contentType: 'application/vnd.amazonaws.connect.event.participant.joined', role: 'CUSTOMER', displayName: '<b onmouseover=alert("name")>Mallory</b>' },
      ...PAYLOADS.map((content) => ({ content, displayName: '<b onmouseover=alert("name")>Mallory</b>' })),
      { content: 'my kettle <img src=x onerror=alert("snippet")> is broken', displayName: 'Mallory', readAt: new Date('2026-11-25T10:05:00Z') },
      { content: 'Sorry to hear that!', role: 'AGENT', displayName: 'Sam' },
    ]);
    otherChat = await fx.chat({ frontendId, displayName: 'Ann', startedAt: new Date('2026-11-24T10:00:00Z') });
    await fx.items(otherChat, [{ content: 'I need a refund', displayName: 'Ann' }]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    await fx?.close();
    await gw?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      const w = window as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; sample: string }) => w.__csp.push(`${e.violatedDirective} ${e.sample}`));
    });
    return page;
  }

  async function signIn(page: Page): Promise<void> {
    await page.locator('#sign-in-view').waitFor({ state: 'visible' });
    await page.fill('#token', ADMIN);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#who').waitFor({ state: 'visible' });
  }

  it('signs in, searches, opens a hostile transcript as text, and nothing executes', async () => {
    const page = await newPage();
    const response = await page.goto(`${gw.url}/admin/`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await signIn(page);
    expect(await page.textContent('#who')).toBe('admin (admin)');
    await page.locator('#results tbody tr').first().waitFor();
    expect(await page.locator('#results tbody tr').count()).toBe(2);

    await page.fill('#search-form input[name=q]', 'kettle');
    await page.click('#search-form button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 1);
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe('#/search?q=kettle');
    expect(await page.textContent('#results tbody tr mark')).toBe('kettle');
    expect(await page.textContent('#results tbody tr .snippet')).toContain('<img src=x onerror=alert("snippet")>');

    await page.click('#results tbody tr a');
    await page.waitForFunction(() => document.querySelectorAll('#transcript li').length === 8);
    expect(new URL(page.url()).hash).toBe(`#/chats/${chatId}`);
    const texts = await page.locator('#transcript li .content').allTextContents();
    for (const payload of PAYLOADS) expect(texts).toContain(payload);
    expect(await page.textContent('#chat-title')).toContain('<b onmouseover=alert("name")>Mallory</b>');
    expect(await page.textContent('#transcript')).toContain('participant.joined');
    expect(await page.textContent('#transcript')).toContain('read ');

    // Hover everything that a payload would have attached handlers to, then look for any effect.
    await page.hover('#chat-title');
    await page.hover('#transcript li:nth-child(2)');
    const injected = await page.evaluate(() => ({
      pwned: (window as { __pwned?: string }).__pwned ?? null,
      elements: document.querySelectorAll('main script, main img, main svg, main iframe, #transcript a, #transcript b, #chat-title *, #results b, #results img').length,
      scripts: [...document.scripts].map((s: { src: string }) => new URL(s.src || 'inline:', location.href).pathname),
      csp: (window as { __csp: string[] }).__csp,
    }));
    expect(injected).toEqual({ pwned: null, elements: 0, scripts: ['/admin/admin.js'], csp: [] });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);

    // The token lives only in sessionStorage.
    const storage = await page.evaluate(() => ({
      session: sessionStorage.getItem('staffToken'), local: localStorage.length, cookie: document.cookie, url: location.href,
    }));
    expect(storage.session).toBe(ADMIN);
    expect(storage.local).toBe(0);
    expect(storage.cookie).toBe('');
    expect(storage.url).not.toContain(ADMIN);

    // Export downloads through fetch with the token header.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.exports button[data-format=csv]')]);
    expect(download.suggestedFilename()).toBe(`chat-${chatId}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('seq,absoluteTime,participantRole,displayName,type,contentType,content');
    expect(csv).toContain('<script>window.__pwned');
    const exports = await fx.auditEntries({ action: 'chat.export', chatId });
    expect(exports.map((e) => e.details?.format)).toContain('csv');
    await page.context().close();
  });

  it('opens deep links after signing in, in a fresh tab', async () => {
    const page = await newPage();
    await page.goto(`${gw.url}/admin/#/chats/${otherChat}`);
    await signIn(page);
    await page.waitForFunction(() => document.querySelectorAll('#transcript li').length === 1);
    expect(await page.textContent('#transcript li .content')).toBe('I need a refund');

    await page.goto(`${gw.url}/admin/#/search?q=${encodeURIComponent('"need a refund"')}`);
    await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 1);
    expect(await page.inputValue('#search-form input[name=q]')).toBe('"need a refund"');
    expect(await page.textContent('#results tbody tr .snippet')).toContain('refund');

    // Signing out forgets the token.
    await page.click('#sign-out');
    expect(await page.evaluate(() => sessionStorage.getItem('staffToken'))).toBeNull();
    await page.locator('#sign-in-view').waitFor({ state: 'visible' });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('serves only its own files, with the CSP on each', async () => {
    const bare = await fetch(`${gw.url}/admin`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/admin/');
    for (const file of ['', 'index.html', 'admin.js', 'admin.css']) {
      const res = await fetch(`${gw.url}/admin/${file}`);
      expect([file, res.status]).toEqual([file, 200]);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    for (const file of ['nope.js', '..%2Fpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json']) {
      expect((await fetch(`${gw.url}/admin/${file}`)).status).toBe(404);
    }
    // No inline script, event-handler attribute or style attribute: the CSP would refuse them.
    expect(readFileSync(new URL('../../public/admin/index.html', import.meta.url), 'utf8')).not.toMatch(/<script>|\son[a-z]+=|\sstyle=/i);
  });

  it('refuses a wrong token and stays on the sign-in form', async () => {
    const page = await newPage();
    await page.goto(`${gw.url}/admin/`);
    await page.fill('#token', 'not-a-token');
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').includes('refused'));
    expect(await page.isVisible('#sign-in-view')).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('staffToken'))).toBeNull();
    await page.context().close();
  });
});
