import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { EmulatorControl } from '../support/emulator-control.js';
import { freePort } from '../support/free-port.js';
import { startTestStack } from '../support/gateway-harness.js';
import type { TestStack } from '../support/gateway-harness.js';
import { until } from '../support/poll.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPED demo page browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`);

(haveChromium ? describe : describe.skip)('demo widget page in headless Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let emu: EmulatorControl;

  beforeAll(async () => {
    // The demo front end allows the gateway's own origin, so the port must be known up front.
    const port = await freePort();
    stack = await startTestStack({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    emu = new EmulatorControl(stack.emulator.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const texts = (page: Page): Promise<string[]> => page.locator('#items li').allTextContents();

  it('holds a whole chat: start, agent replies, typing, send, refresh keeps it, end', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.gateway.url);
    await page.fill('#name', 'Dana');
    await page.fill('#first', 'Hello from the demo');
    await page.click('#start-form button');
    await page.locator('#state.active').waitFor();
    const contactId = await until(async () => (await emu.contacts()).contacts[0]?.contactId, 'contact at the emulator');
    await emu.agentJoin(contactId, 'Sam');
    await emu.agentTyping(contactId);
    await page.locator('#typing:not([hidden])').waitFor();
    await emu.agentSay(contactId, 'Hi Dana, how can I help? <b>not bold</b>');
    await until(async () => (await texts(page)).some((t) => t.includes('how can I help? <b>not bold</b>')), 'agent message rendered as text');
    await page.fill('#message', 'My parcel is late');
    await page.click('#send-form button[type=submit]');
    await until(async () => (await emu.transcript(contactId)).some((i) => i.Content === 'My parcel is late'), 'message reached Connect');
    await until(async () => (await texts(page)).some((t) => t.includes('My parcel is late')), 'own message shown');

    await page.reload();
    await page.locator('#state.active').waitFor();
    await until(async () => {
      const all = await texts(page);
      return all.some((t) => t.includes('Hello from the demo')) && all.some((t) => t.includes('My parcel is late'));
    }, 'transcript after refresh');
    const afterReload = await texts(page);
    expect(afterReload.filter((t) => t.includes('My parcel is late'))).toHaveLength(1);

    await emu.agentSay(contactId, 'Found it, arriving tomorrow');
    await until(async () => (await texts(page)).some((t) => t.includes('arriving tomorrow')), 'live message after refresh');
    await page.click('#end');
    await page.locator('#state.ended').waitFor();
    expect((await emu.contacts()).contacts[0]!.status).toBe('ENDED');
    expect(errors).toEqual([]);
  });
});
