/**
 * How fast the web UI shows the queues page of a broker with many queues:
 *
 *   npx tsc -p . && node scripts/build-ui.mjs && node dist/bench/ui-queues.js [--queues N] [--runs N]
 *
 * Starts an in-process broker with its management port (10,000 queues by default, one in ten with
 * a message, two statistics samples so the rates exist), opens Debian's Chromium, logs in once,
 * then times, `--runs` times each (default 10):
 *   - a full page load of `<url>#/queues` until the first page (100 rows) is rendered, from the
 *     navigation's start to the rows in the DOM, measured in the page (Navigation Timing): in a
 *     new browser context each time (empty cache; the session the login stored is put back in
 *     sessionStorage, as in a reopened tab) and reloading one tab (bundle cached);
 *   - switching from `#/overview` to `#/queues` in the loaded app until the 100 rows are rendered;
 *   - the API alone, from Node: the exact `GET /api/queues?...` the page sent, the same sorted by
 *     the incoming rate (a sort that needs every queue's statistics), and the header's
 *     `GET /api/vhosts?columns=name`, which every page load sends along with the list.
 * Prints median/min/max of each. The whole run gives up after 5 minutes.
 */
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import type { Page } from 'playwright-core';
import { startManagedBroker } from '../test/management/support.js';
import { browserMissing, launchBrowser, login } from '../test/ui/browser.js';

const { values } = parseArgs({ options: { queues: { type: 'string' }, runs: { type: 'string' } } });
const QUEUES = Number(values.queues ?? 10_000);
const RUNS = Number(values.runs ?? 10);
const ROWS = Math.min(100, QUEUES);
const OVERALL_MS = 300_000;

// The little of the DOM the functions run in the page use (bench compiles without the DOM library).
declare const document: { querySelectorAll(sel: string): { readonly length: number }; querySelector(sel: string): unknown };
declare const location: { hash: string };
declare function requestAnimationFrame(cb: () => void): void;
declare const sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };

function summary(label: string, ms: readonly number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const median = s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  const f = (n: number): string => n.toFixed(0).padStart(6);
  return `${label.padEnd(58)} median ${f(median)} ms   min ${f(s[0]!)} ms   max ${f(s[s.length - 1]!)} ms   (${s.length} runs)`;
}

/** Resolves in the page once the queue list has `rows` rows; returns performance.now() then. */
function rowsRendered(page: Page, rows: number): Promise<number> {
  return page.evaluate(
    (n) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const check = (): void => {
          if (document.querySelectorAll('[data-list=queues] tbody tr[data-row]').length >= n) resolve(performance.now());
          else if (performance.now() - started > 30_000) reject(new Error('queue rows not rendered in 30 s'));
          else requestAnimationFrame(check);
        };
        check();
      }),
    rows,
  );
}

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing !== false) throw new Error(missing);
  const broker = await startManagedBroker();
  const browser = await launchBrowser().catch(async (err: unknown) => {
    await broker.close();
    throw err;
  });
  try {
    const v = broker.running.broker.vhosts.get('/')!;
    let t = performance.now();
    for (let i = 0; i < QUEUES; i++) {
      v.declareQueue({ name: `bench-${String(i).padStart(6, '0')}`, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: new Map() }, {});
    }
    const conn = await amqp.connect(broker.amqpUrl);
    const ch = await conn.createConfirmChannel();
    for (let i = 0; i < QUEUES; i += 10) ch.sendToQueue(`bench-${String(i).padStart(6, '0')}`, Buffer.from('x'));
    await ch.waitForConfirms();
    await conn.close();
    broker.sample();
    broker.sample();
    process.stdout.write(`${QUEUES} queues (${Math.ceil(QUEUES / 10)} with a message) ready in ${(performance.now() - t).toFixed(0)} ms\n`);

    const url = `${broker.running.managementUrl!}/`;
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    await page.goto(url);
    await login(page, 'guest', 'guest');

    // The API request the page makes for its first page of queues.
    let listQuery: string | undefined;
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/queues' && u.searchParams.get('page') === '1') listQuery ??= u.pathname + u.search;
    });

    // (i) Full page loads. Cold: a new browser context each time (empty cache), given the
    // session the login above stored, as a reopened tab would have it. Warm: reloads of one tab.
    const [storedAuth, storedSession] = await page.evaluate(() => [sessionStorage.getItem('warren.auth'), sessionStorage.getItem('warren.session')] as const);
    if (storedAuth === null || storedSession === null) throw new Error('the login stored no session (warren.auth, warren.session)');
    const stored: [string, string] = [storedAuth, storedSession];
    const cold: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const c = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      c.setDefaultTimeout(30_000);
      await c.addInitScript(([a, s]) => {
        sessionStorage.setItem('warren.auth', a);
        sessionStorage.setItem('warren.session', s);
      }, stored);
      const p = await c.newPage();
      await p.goto(`${url}#/queues`);
      cold.push(await rowsRendered(p, ROWS));
      await c.close();
    }
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto('about:blank');
      await page.goto(`${url}#/queues`);
      warm.push(await rowsRendered(page, ROWS));
    }

    // (ii) From the overview to the queues tab in the loaded app.
    const switches: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.evaluate(() => {
        location.hash = '#/overview';
      });
      await page.waitForSelector('[data-page=overview]');
      const started = await page.evaluate(() => {
        const now = performance.now();
        location.hash = '#/queues';
        return now;
      });
      switches.push((await rowsRendered(page, ROWS)) - started);
    }
    await context.close();

    // (iii) The same API request alone.
    if (listQuery === undefined) throw new Error('the page never asked for /api/queues?page=1');
    process.stdout.write(`the page's request: GET ${listQuery}\n`);
    const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
    const timeGet = async (path: string, items: number | undefined): Promise<number[]> => {
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        t = performance.now();
        const res = await fetch(`${broker.running.managementUrl!}${path}`, { headers: { authorization: auth }, signal: AbortSignal.timeout(30_000) });
        const body = (await res.json()) as { items?: unknown[] };
        ms.push(performance.now() - t);
        if (res.status !== 200 || (items !== undefined && body.items?.length !== items)) throw new Error(`GET ${path}: ${res.status}`);
      }
      return ms;
    };
    const api = await timeGet(listQuery, ROWS);
    const byRate = listQuery.replace('sort=vhost', 'sort=message_stats.publish_details.rate');
    const apiByRate = await timeGet(byRate, ROWS);
    // The header's list of vhosts, asked for on every page load along with the queues.
    const vhosts = await timeGet('/api/vhosts?columns=name', undefined);

    process.stdout.write(`${summary(`page load of #/queues, new context (cold cache)`, cold)}\n`);
    process.stdout.write(`${summary(`page load of #/queues, same tab (cached bundle)`, warm)}\n`);
    process.stdout.write(`${summary(`#/overview -> #/queues until ${ROWS} rows`, switches)}\n`);
    process.stdout.write(`${summary('GET /api/queues, first page (the query above)', api)}\n`);
    process.stdout.write(`${summary('same, sorted by incoming rate (all rows formatted)', apiByRate)}\n`);
    process.stdout.write(`${summary('GET /api/vhosts?columns=name (the header, in parallel)', vhosts)}\n`);
  } finally {
    await browser.close();
    await broker.close();
  }
}

const timer = setTimeout(() => {
  process.stderr.write(`ui-queues: gave up after ${OVERALL_MS / 1000} s\n`);
  process.exit(2);
}, OVERALL_MS);
timer.unref();

main().then(
  () => clearTimeout(timer),
  (err: unknown) => {
    process.stderr.write(`ui-queues: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
