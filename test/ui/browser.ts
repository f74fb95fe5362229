/**
 * The web UI under test: an in-process broker with its management port, and Debian's Chromium
 * driven by playwright-core (no browser download). Without /usr/bin/chromium the UI tests are
 * skipped with a message, unless WARREN_REQUIRE_BROWSER=1 (as .ci/run sets) makes that a failure.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startManagedBroker, type ManagedBroker } from '../management/support.js';
import type { BrokerOptions } from '../../src/server/config.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** Where screenshots go (not committed: test-output/ is ignored). */
export const SCREENSHOTS = join(process.cwd(), 'test-output', 'ui-screenshots');

/** `false` when the tests can run, else the reason to skip them. */
export function browserMissing(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env['WARREN_REQUIRE_BROWSER'] === '1') throw new Error(`${CHROMIUM} not found (apt-get install -y chromium)`);
  return `${CHROMIUM} not found: install Debian's chromium to run the web UI tests`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface UiFixture {
  readonly broker: ManagedBroker;
  readonly browser: Browser;
  /** The management URL, e.g. http://127.0.0.1:PORT/ */
  readonly url: string;
  /** A new page (its own context: own sessionStorage), logged in as the user given. */
  loggedIn(user?: string, password?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startUi(options: BrokerOptions = {}): Promise<UiFixture> {
  const broker = await startManagedBroker(options);
  const url = `${broker.running.managementUrl!}/`;
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await broker.close();
    throw err;
  }
  return {
    broker,
    browser,
    url,
    async loggedIn(user = 'guest', password = 'guest') {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      await page.goto(url);
      await login(page, user, password);
      return page;
    },
    async close() {
      await browser.close();
      await broker.close();
    },
  };
}

export async function login(page: Page, user: string, password: string): Promise<void> {
  await page.fill('form[data-form=login] input[name=username]', user);
  await page.fill('form[data-form=login] input[name=password]', password);
  await page.click('form[data-form=login] button[type=submit]');
  await page.waitForSelector(`[data-user="${user}"]`);
}

/** Saves a full-page screenshot as test-output/ui-screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
