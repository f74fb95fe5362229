/**
 * The everyday scenario, end to end: start `bin/warren` as a user would (its own data directory),
 * run a producer and a slower consumer with amqplib, open the web UI in Chromium, and see the
 * queue's counts and the in/out rates over time, from the broker's own 5 s statistics.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../src/perf/broker-child.js';
import { makeDataDir, removeDataDir } from '../support/broker-process.js';
import { waitFor } from '../support/wait.js';
import { browserMissing, launchBrowser, login, screenshot } from './browser.js';

const WARREN_BIN = fileURLToPath(new URL('../../../bin/warren', import.meta.url));
const QUEUE = 'everyday';
const skip = browserMissing();

/** The number in a chart legend cell ("1,234/s", "12") as a number. */
async function legend(page: Page, chart: string, series: string): Promise<number> {
  const text = await page.textContent(`[data-chart="${chart}"] [data-legend="${series}"]`);
  return Number((text ?? '').replace(/[^0-9.]/g, ''));
}

async function points(page: Page, chart: string): Promise<number> {
  return Number(await page.getAttribute(`[data-chart="${chart}"]`, 'data-points'));
}

/** The largest value the chart draws (0 while its lines are flat). */
async function chartMax(page: Page, chart: string): Promise<number> {
  return Number(await page.getAttribute(`[data-chart="${chart}"]`, 'data-max'));
}

describe('everyday scenario: bin/warren, a producer, a consumer and the web UI', { skip, timeout: 120_000 }, () => {
  let child: ChildProcess;
  let dataDir: string;
  let url: string;
  let connection: amqp.ChannelModel;
  let browser: Browser;
  let producer: NodeJS.Timeout | undefined;
  let stopped = false;

  before(async () => {
    dataDir = makeDataDir('warren-ui-');
    const port = await freePort();
    const mgmt = await freePort();
    child = spawn(
      process.execPath,
      [WARREN_BIN, '--port', String(port), '--management-port', String(mgmt), '--prometheus-port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
      { stdio: 'ignore' },
    );
    url = `http://127.0.0.1:${mgmt}/`;
    await waitFor(
      async () => {
        try {
          connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
          return true;
        } catch {
          return false;
        }
      },
      20_000,
      'bin/warren to accept AMQP connections',
      100,
    );
    const pub = await connection.createConfirmChannel();
    await pub.assertQueue(QUEUE, { durable: true });
    // Producer: about 200 persistent messages/s with confirms.
    producer = setInterval(() => {
      for (let i = 0; i < 4; i++) pub.sendToQueue(QUEUE, Buffer.from(`order ${Date.now()}`), { persistent: true });
    }, 20);
    // Consumer: about 100 messages/s, so the queue grows while both run.
    const sub = await connection.createChannel();
    await sub.prefetch(1);
    await sub.consume(QUEUE, (msg) => {
      if (msg !== null) {
        setTimeout(() => {
          if (!stopped) sub.ack(msg);
        }, 10);
      }
    });
    browser = await launchBrowser();
  });

  after(async () => {
    stopped = true;
    if (producer !== undefined) clearInterval(producer);
    await browser?.close();
    await connection?.close().catch(() => undefined);
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    removeDataDir(dataDir);
  });

  it('shows message rates on the overview and the queue\'s counts and rates over time', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    await page.goto(url);
    await login(page, 'guest', 'guest');

    // The broker samples every 5 s and a rate needs two samples: within about 10 s the overview
    // (refreshing every 5 s) shows publish and deliver rates, and the charts have points.
    await page.waitForSelector('[data-page=overview]');
    await waitFor(async () => (await legend(page, 'Message rates', 'Publish')) > 0, 30_000, 'a publish rate on the overview', 250);
    await waitFor(async () => (await legend(page, 'Message rates', 'Deliver / get')) > 0, 30_000, 'a deliver rate on the overview', 250);
    await waitFor(async () => (await chartMax(page, 'Message rates')) > 0, 30_000, 'the overview rate chart to draw a rate', 250);
    await waitFor(async () => (await chartMax(page, 'Queued messages')) > 0, 30_000, 'the overview length chart to draw a length', 250);
    assert.ok((await points(page, 'Message rates')) >= 1, 'the overview rate chart has points');
    await waitFor(async () => (await legend(page, 'Message rates', 'Consumer ack')) > 0, 30_000, 'acks on the overview', 250);
    assert.ok((await legend(page, 'Queued messages', 'Ready')) > 0, 'messages wait in the queue');
    await screenshot(page, 'everyday-overview');

    // The queue's own page: its counts and both charts.
    await page.goto(`${url}#/queues/%2F/${QUEUE}`);
    await waitFor(async () => (await chartMax(page, 'Queued messages').catch(() => 0)) > 0, 30_000, 'the queue\'s length chart to draw', 250);
    await waitFor(async () => (await chartMax(page, 'Message rates').catch(() => 0)) > 0, 30_000, 'the queue\'s rate chart to draw', 250);
    assert.ok((await legend(page, 'Queued messages', 'Ready')) > 0);
    assert.ok((await legend(page, 'Queued messages', 'Unacked')) >= 0);
    await waitFor(async () => (await legend(page, 'Message rates', 'Publish').catch(() => 0)) > 0, 30_000, 'the queue\'s publish rate', 250);
    assert.ok((await legend(page, 'Message rates', 'Consumer ack')) > 0);
    await screenshot(page, 'everyday-queue');

    // The queues list shows it with a non-zero ready count.
    await page.goto(`${url}#/queues`);
    const row = page.locator('tr', { has: page.locator(`a:text-is("${QUEUE}")`) });
    await row.waitFor();
    await screenshot(page, 'everyday-queues');
    await context.close();
  });
});
