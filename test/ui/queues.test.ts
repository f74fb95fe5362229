/**
 * The Queues tab in Chromium: the list follows the broker without a reload, sorts, filters and
 * pages through 250 queues, declares a queue with arguments; a queue's page publishes, gets,
 * purges and deletes, and its charts show the rates the broker sampled.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import type { Page } from 'playwright-core';
import { browserMissing, screenshot, startUi, type UiFixture } from './browser.js';

const skip = browserMissing();

// The little of the DOM the functions run in the page use (tests compile without the DOM library).
interface El {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: { querySelector(sel: string): El | null; querySelectorAll(sel: string): Iterable<El> };
declare const location: { hash: string };

/** Goes to a route of the loaded app (`#/queues/%2F/name`) without reloading it. */
async function open(page: Page, ...segments: string[]): Promise<void> {
  const hash = `#/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
}

/** The list row of a queue (rows are keyed by the encoded vhost and name). */
function row(name: string, vhost = '/'): string {
  return `[data-list=queues] tr[data-row="${encodeURIComponent(vhost)}/${encodeURIComponent(name)}"]`;
}

/** Waits until the element's text is exactly `want` (bounded by the page's default timeout). */
async function waitText(page: Page, selector: string, want: string): Promise<void> {
  try {
    await page.waitForFunction(([sel, w]) => document.querySelector(sel!)?.textContent?.trim() === w, [selector, want]);
  } catch (err) {
    const got = await page.textContent(selector).catch(() => null);
    throw new Error(`${selector}: wanted "${want}", last saw ${JSON.stringify(got)}: ${String(err)}`);
  }
}

/** The queue names of the list's rows, in order. */
async function rowNames(page: Page): Promise<string[]> {
  return page.$$eval('[data-list=queues] tbody tr[data-row] a[data-queue]', (as) => as.map((a) => a.getAttribute('data-queue') ?? ''));
}

/** Waits until the list's rows are exactly `names`'s first entries (the page has refreshed). */
async function waitRows(page: Page, first: readonly string[], count?: number): Promise<void> {
  try {
    await page.waitForFunction(
      ([want, n]) => {
        const got = [...document.querySelectorAll('[data-list=queues] tbody tr[data-row] a[data-queue]')].map((a) => a.getAttribute('data-queue'));
        return (n === null || got.length === n) && want.every((w, i) => got[i] === w);
      },
      [first, count ?? null] as const,
    );
  } catch (err) {
    throw new Error(`rows: wanted ${JSON.stringify(first)} (${count ?? 'any'} rows), got ${JSON.stringify(await rowNames(page))}: ${String(err)}`);
  }
}

async function openSection(page: Page, title: string): Promise<void> {
  await page.click(`[data-section="${title}"] > summary`);
}

describe('web UI: queues', { skip, timeout: 180_000 }, () => {
  let ui: UiFixture;
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;

  before(async () => {
    ui = await startUi();
    conn = await amqp.connect(ui.broker.amqpUrl);
    ch = await conn.createChannel();
  });
  after(async () => {
    await conn?.close().catch(() => undefined);
    await ui?.close();
  });

  it('shows a queue\'s new message count without a reload', async () => {
    await ch.assertQueue('qa-count', { durable: false });
    const page = await ui.loggedIn();
    await open(page, 'queues');
    await page.waitForSelector('[data-page=queues]');
    await waitText(page, `${row('qa-count')} [data-col=ready]`, '0');
    for (let i = 0; i < 3; i++) ch.sendToQueue('qa-count', Buffer.from(`m${i}`));
    // Counts are live; a sample makes the rates current too.
    ui.broker.sample();
    await waitText(page, `${row('qa-count')} [data-col=ready]`, '3');
    await waitText(page, `${row('qa-count')} [data-col=total]`, '3');
    await waitText(page, `${row('qa-count')} [data-col=unacked]`, '0');
    await page.context().close();
  });

  it('publishes from the queue page through the default exchange', async () => {
    await ch.assertQueue('qb-publish', { durable: false });
    const page = await ui.loggedIn();
    await open(page, 'queues', '/', 'qb-publish');
    await page.waitForSelector('[data-page=queue][data-queue=qb-publish]');
    await openSection(page, 'Publish message');
    const form = 'form[data-form=publish]';
    await page.selectOption(`${form} select[name=delivery_mode]`, '2');
    await page.fill(`${form} textarea[name=headers]`, 'x-origin=web-ui');
    await page.fill(`${form} input[name=content_type]`, 'text/plain');
    await page.fill(`${form} input[name=message_id]`, 'id-42');
    await page.fill(`${form} textarea[name=payload]`, 'hello from the browser');
    await page.click(`${form} button[type=submit]`);
    await waitText(page, `${form} [role=status]`, 'Message published.');
    const msg = await ch.get('qb-publish', { noAck: true });
    assert.ok(msg !== false, 'a message is in the queue');
    assert.equal(msg.content.toString(), 'hello from the browser');
    assert.equal(msg.fields.exchange, '');
    assert.equal(msg.fields.routingKey, 'qb-publish');
    assert.equal(msg.properties.contentType, 'text/plain');
    assert.equal(msg.properties.messageId, 'id-42');
    assert.equal(msg.properties.deliveryMode, 2);
    assert.equal(String(msg.properties.headers?.['x-origin']), 'web-ui');
    await page.context().close();
  });

  it('lists a queue\'s consumers, linked to their channels', async () => {
    await ch.assertQueue('qb-consumed', { durable: false });
    const consumerChannel = await conn.createChannel();
    await consumerChannel.prefetch(7);
    const { consumerTag } = await consumerChannel.consume('qb-consumed', () => undefined, { noAck: false, exclusive: true, arguments: { 'x-priority': 3 } });
    const page = await ui.loggedIn();
    await open(page, 'queues', '/', 'qb-consumed');
    const consumer = `[data-page=queue] tr[data-consumer="${consumerTag}"]`;
    await page.waitForSelector(consumer);
    const cells = await page.$$eval(`${consumer} > td`, (tds) => tds.map((td) => td.textContent));
    assert.match(cells[0] ?? '', /^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ \(2\)$/);
    assert.deepEqual(cells.slice(1), [consumerTag, 'yes', 'yes', '7', 'yes', 'up', 'x-priority:3']);
    const link = await page.getAttribute(`${consumer} > td > a`, 'href');
    assert.equal(link, `#/channels/${encodeURIComponent(cells[0] ?? '')}`);
    assert.equal(await page.textContent('[data-page=queue] [data-value=consumers]'), '1');
    await consumerChannel.close();
    await page.context().close();
  });

  it('gets messages published over AMQP, with the redelivered flag', async () => {
    await ch.assertQueue('qc-get', { durable: false });
    ch.sendToQueue('qc-get', Buffer.from('first message'), { headers: { colour: 'blue' }, contentType: 'text/plain' });
    ch.sendToQueue('qc-get', Buffer.from([0xff, 0x00, 0xfe]));
    const page = await ui.loggedIn();
    await open(page, 'queues', '/', 'qc-get');
    await waitText(page, '[data-page=queue] [data-value=messages_ready]', '2');
    await openSection(page, 'Get messages');
    const form = 'form[data-form=get]';
    // Nack with requeue: the message stays, and comes back redelivered.
    await page.click(`${form} button[type=submit]`);
    await waitText(page, '[data-message="1"] [data-value=payload]', 'first message');
    assert.equal(await page.textContent('[data-message="1"] [data-value=redelivered]'), 'no');
    assert.equal(await page.textContent('[data-message="1"] [data-value=message_count]'), '1');
    assert.match((await page.textContent('[data-message="1"]')) ?? '', /colour:\s*blue/);
    await page.click(`${form} button[type=submit]`);
    await waitText(page, '[data-message="1"] [data-value=redelivered]', 'yes');
    // Two at once, removing them: the binary one comes base64-encoded.
    await page.selectOption(`${form} select[name=ackmode]`, 'ack_requeue_false');
    await page.fill(`${form} input[name=count]`, '5');
    await page.click(`${form} button[type=submit]`);
    await page.waitForSelector('[data-message="2"]');
    assert.equal(await page.textContent('[data-message="2"] [data-value=payload]'), '/wD+');
    assert.match((await page.textContent('[data-message="2"] [data-value=payload-meta]')) ?? '', /3 bytes, encoding: base64/);
    assert.equal(await page.textContent('[data-message="2"] [data-value=message_count]'), '0');
    await screenshot(page, 'queue-get');
    await waitText(page, '[data-page=queue] [data-value=messages]', '0');
    // An empty queue says so.
    await page.click(`${form} button[type=submit]`);
    await waitText(page, `${form} [role=status]`, 'Queue is empty');
    await page.context().close();
  });

  it('purges and deletes a queue from its page, and shows a deleted queue as not found', async () => {
    await ch.assertQueue('qd-delete', { durable: false });
    for (let i = 0; i < 5; i++) ch.sendToQueue('qd-delete', Buffer.from('x'));
    const page = await ui.loggedIn();
    page.on('dialog', (d) => void d.accept());
    await open(page, 'queues', '/', 'qd-delete');
    await waitText(page, '[data-page=queue] [data-value=messages_ready]', '5');
    await openSection(page, 'Purge');
    await page.click('[data-action="Purge Messages"]');
    await waitText(page, '[data-form=purge-queue] [role=status]', 'Queue purged.');
    await waitText(page, '[data-page=queue] [data-value=messages_ready]', '0');
    assert.equal((await ch.checkQueue('qd-delete')).messageCount, 0);

    // "Only if empty" refuses a queue with a message, with the API's reason.
    ch.sendToQueue('qd-delete', Buffer.from('y'));
    await waitText(page, '[data-page=queue] [data-value=messages_ready]', '1');
    await openSection(page, 'Delete');
    await page.check('[data-form=delete-queue] input[name=if-empty]');
    await page.click('[data-action="Delete Queue"]');
    await waitText(page, '[data-form=delete-queue] [role=alert]', "queue 'qd-delete' in vhost '/' not empty");
    assert.equal((await ch.checkQueue('qd-delete')).messageCount, 1);

    await page.uncheck('[data-form=delete-queue] input[name=if-empty]');
    await page.click('[data-action="Delete Queue"]');
    await page.waitForSelector('[data-page=queues]');
    const res = await ui.broker.api.get('/api/queues/%2F/qd-delete');
    assert.equal(res.status, 404);

    await open(page, 'queues', '/', 'qd-delete');
    await page.waitForSelector('[data-page=queue][data-missing]');
    assert.match((await page.textContent('[data-page=queue] [role=alert]')) ?? '', /^Object Not Found/);
    await page.context().close();
  });

  it('declares a queue with arguments from the form', async () => {
    const page = await ui.loggedIn();
    await open(page, 'queues');
    await page.waitForSelector('[data-page=queues]');
    await openSection(page, 'Add a new queue');
    const form = 'form[data-form=add-queue]';
    await page.fill(`${form} input[name=name]`, 'qe-args');
    await page.selectOption(`${form} select[name=durable]`, 'true');
    // The quick-add links add a line for their argument.
    await page.click(`${form} button[data-arg=x-message-ttl]`);
    await page.click(`${form} button[data-arg=x-overflow]`);
    assert.equal(await page.inputValue(`${form} textarea[name=arguments]`), 'x-message-ttl=\nx-overflow=reject-publish');
    await page.fill(
      `${form} textarea[name=arguments]`,
      'x-message-ttl=60000\nx-max-length=10\nx-overflow=reject-publish\nx-dead-letter-exchange=dlx\nx-max-priority=5\nx-custom=abc',
    );
    await page.click(`${form} button[type=submit]`);
    await waitText(page, `${form} [role=status]`, 'Queue qe-args added.');
    // The list refreshes at once, with RabbitMQ's feature badges.
    await page.waitForSelector(row('qe-args'));
    const badges = await page.$$eval(`${row('qe-args')} [data-feature]`, (els) => els.map((e) => `${e.textContent}=${e.getAttribute('title')}`));
    assert.deepEqual(badges, [
      'D=durable: true',
      'TTL=x-message-ttl: 60000',
      'Lim=x-max-length: 10',
      'Ovfl=x-overflow: reject-publish',
      'DLX=x-dead-letter-exchange: dlx',
      'Pri=x-max-priority: 5',
      'Args=x-custom: abc',
    ]);

    // Over AMQP: the queue exists, and a declaration with the same (integer) arguments is equivalent.
    await ch.checkQueue('qe-args');
    const same = await ch.assertQueue('qe-args', {
      durable: true,
      arguments: { 'x-message-ttl': 60000, 'x-max-length': 10, 'x-overflow': 'reject-publish', 'x-dead-letter-exchange': 'dlx', 'x-max-priority': 5, 'x-custom': 'abc' },
    });
    assert.equal(same.queue, 'qe-args');
    const res = await ui.broker.api.get('/api/queues/%2F/qe-args');
    assert.equal(res.status, 200);
    const q = res.json as { durable: boolean; auto_delete: boolean; arguments: Record<string, unknown> };
    assert.equal(q.durable, true);
    assert.equal(q.auto_delete, false);
    assert.deepEqual(q.arguments, {
      'x-message-ttl': 60000,
      'x-max-length': 10,
      'x-overflow': 'reject-publish',
      'x-dead-letter-exchange': 'dlx',
      'x-max-priority': 5,
      'x-custom': 'abc',
    });

    // A bad value is refused in the form, before the API.
    await page.fill(`${form} input[name=name]`, 'qe-bad');
    await page.fill(`${form} textarea[name=arguments]`, 'x-message-ttl=soon');
    await page.click(`${form} button[type=submit]`);
    await waitText(page, `${form} [role=alert]`, 'Argument x-message-ttl must be a whole number, not "soon"');
    // And the API's reason for an argument it refuses is shown as it is.
    await page.fill(`${form} textarea[name=arguments]`, 'x-overflow=sideways');
    await page.click(`${form} button[type=submit]`);
    await page.waitForSelector(`${form} [role=alert]`);
    await page.waitForFunction((sel) => /x-overflow/.test(document.querySelector(sel)?.textContent ?? ''), `${form} [role=alert]`);
    assert.equal((await ui.broker.api.get('/api/queues/%2F/qe-bad')).status, 404);
    await screenshot(page, 'queues');
    await page.context().close();
  });

  it('sorts, filters and pages through 250 queues', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `pf-${String(i).padStart(3, '0')}`);
    await Promise.all(names.map((n) => ch.assertQueue(n, { durable: false })));
    for (let i = 0; i < 9; i++) ch.sendToQueue('pf-123', Buffer.from('x'));
    for (let i = 0; i < 5; i++) ch.sendToQueue('pf-007', Buffer.from('x'));
    await ch.checkQueue('pf-007');
    const page = await ui.loggedIn();
    await open(page, 'queues');
    await page.waitForSelector('[data-page=queues]');

    await page.check('[data-list=queues] input[name=regex]');
    await page.fill('[data-list=queues] input[name=filter]', '^pf-');
    await page.waitForSelector('[data-list=queues] [data-count="250"]');
    await waitRows(page, ['pf-000', 'pf-001'], 100);
    assert.match((await page.textContent('[data-list=queues] .paged-count')) ?? '', /^100 of 250 queues \(filtered from \d+\)$/);

    await page.click('[data-list=queues] .pager button:has-text("Next")');
    await waitRows(page, ['pf-100', 'pf-101'], 100);
    await page.selectOption('[data-list=queues] select[name=page]', '3');
    await waitRows(page, ['pf-200'], 50);

    // Name descending (first click ascending, second descending), still on page 3.
    await page.click('[data-list=queues] th:has-text("Name")');
    await waitRows(page, ['pf-200'], 50);
    await page.click('[data-list=queues] th:has-text("Name")');
    await waitRows(page, ['pf-049', 'pf-048'], 50);
    await page.selectOption('[data-list=queues] select[name=page]', '1');
    await waitRows(page, ['pf-249', 'pf-248'], 100);

    // Most ready messages first.
    await page.click('[data-list=queues] th:has-text("Ready")');
    await page.click('[data-list=queues] th:has-text("Ready")');
    await waitRows(page, ['pf-123', 'pf-007'], 100);
    assert.equal(await page.textContent(`${row('pf-123')} [data-col=ready]`), '9');

    // Smaller pages; a plain (not regex) filter matches part of the name.
    await page.selectOption('[data-list=queues] select[name=page_size]', '20');
    await waitRows(page, ['pf-123', 'pf-007'], 20);
    assert.equal(await page.$$eval('[data-list=queues] select[name=page] option', (o) => o.length), 13);
    await page.uncheck('[data-list=queues] input[name=regex]');
    await page.fill('[data-list=queues] input[name=filter]', 'pf-12');
    await page.waitForSelector('[data-list=queues] [data-count="10"]');
    await waitRows(page, ['pf-123'], 10);
    await page.context().close();
  });

  it('shows a management user only the queues of its vhosts, and lets it declare one there', async () => {
    const api = ui.broker.api;
    assert.equal((await api.put('/api/vhosts/qh-team', {})).status, 201);
    assert.equal((await api.put('/api/users/qh-user', { password: 'qh-pass', tags: 'management' })).status, 201);
    assert.equal((await api.put('/api/permissions/qh-team/qh-user', { configure: '.*', write: '.*', read: '.*' })).status, 201);
    assert.equal((await api.put('/api/queues/qh-team/qh-team-q', { durable: false })).status, 201);
    const page = await ui.loggedIn('qh-user', 'qh-pass');
    await open(page, 'queues');
    await page.waitForSelector('[data-list=queues] [data-count="1"]');
    await waitRows(page, ['qh-team-q'], 1);
    // All vhosts shown: the list has a Virtual host column; the form offers only the user's vhost.
    assert.equal(await page.textContent(`${row('qh-team-q', 'qh-team')} td:first-child`), 'qh-team');
    await openSection(page, 'Add a new queue');
    const form = 'form[data-form=add-queue]';
    assert.deepEqual(await page.$$eval(`${form} select[name=vhost] option`, (o) => o.map((e) => e.textContent)), ['qh-team']);
    await page.fill(`${form} input[name=name]`, 'qh-second');
    await page.selectOption(`${form} select[name=durable]`, 'false');
    await page.click(`${form} button[type=submit]`);
    await waitText(page, `${form} [role=status]`, 'Queue qh-second added.');
    await waitRows(page, ['qh-second', 'qh-team-q'], 2);
    // One vhost chosen in the header: no Virtual host column.
    await page.selectOption('header select[name=vhost]', 'qh-team');
    await page.waitForFunction(() => document.querySelector('[data-list=queues] thead th')?.textContent === 'Name');
    await waitRows(page, ['qh-second', 'qh-team-q'], 2);
    await page.context().close();
  });

  it('draws the rates of a queue that is published to and consumed from', async () => {
    const q = 'qg-rates';
    await ch.assertQueue(q, { durable: false });
    const page = await ui.loggedIn();
    await open(page, 'queues', '/', q);
    await page.waitForSelector('[data-page=queue] [data-chart="Message rates"] canvas');
    // Sampled by the test alone: with the 5 s timer running too, the page (polling every 5 s) can
    // keep landing just after a timer sample that saw no traffic since the test's, and show 0.
    const stats = ui.broker.running.broker.management!.stats;
    stats.stop();
    try {
      ui.broker.sample();
      // Traffic until the page shows it: the chart plots the rate between samples 5 s apart (the
      // history is aligned to 5 s), so this lasts until the clock has crossed a 5 s boundary with
      // traffic on both sides and the page has polled again: ~10 s at most.
      const seen = async (): Promise<boolean> => {
        try {
          await page.waitForFunction(
            () => {
              const num = (sel: string): number => Number((document.querySelector(sel)?.textContent ?? '').replace(/[^0-9.]/g, ''));
              const peak = (title: string): number => Number(document.querySelector(`.chart-peak:has([data-chart="${title}"])`)?.getAttribute('data-peak'));
              const points = (title: string): number => Number(document.querySelector(`[data-chart="${title}"]`)?.getAttribute('data-points'));
              return (
                points('Message rates') > 0 &&
                peak('Message rates') > 0 &&
                num('[data-chart="Message rates"] [data-legend="Publish"]') > 0 &&
                points('Queued messages') > 0 &&
                peak('Queued messages') > 0
              );
            },
            undefined,
            { timeout: 400 },
          );
          return true;
        } catch {
          return false;
        }
      };
      const deadline = Date.now() + 25_000;
      let published = 0;
      for (;;) {
        // Each round: 10 in, 5 out with acks, so the queue grows and every rate moves.
        for (let i = 0; i < 10; i++) ch.sendToQueue(q, Buffer.from(`r${published++}`));
        for (let i = 0; i < 5; i++) {
          const m = await ch.get(q, { noAck: false });
          if (m !== false) ch.ack(m);
        }
        await ch.checkQueue(q);
        ui.broker.sample();
        if (await seen()) break;
        if (Date.now() > deadline) assert.fail(`the charts stayed empty: ${await page.innerHTML('.charts')}`);
      }
      const legend = async (series: string): Promise<number> =>
        Number(((await page.textContent(`[data-chart="Message rates"] [data-legend="${series}"]`)) ?? '').replace(/[^0-9.]/g, ''));
      assert.ok((await legend('Publish')) > 0);
      assert.ok(Number(await page.textContent('[data-page=queue] [data-value=messages_ready]')) > 0);
      await screenshot(page, 'queue');
    } finally {
      stats.start();
    }
    await page.context().close();
  });
});
