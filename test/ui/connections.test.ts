/**
 * The Connections and Channels tabs in Chromium, with amqplib clients: the list (user, client
 * product from the client properties), a connection's page (details, its channels), the channels
 * list (prefetch, confirm mode, message rates sorted by the API) and a channel's page (its
 * consumers, its message rates chart), closing a connection from
 * the UI (the client gets 320 CONNECTION_FORCED with the reason typed), and what each tag sees: a
 * `management` user only its own connections and channels, a `monitoring` user all of them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import type { Page } from 'playwright-core';
import { waitFor, withTimeout } from '../support/wait.js';
import { browserMissing, screenshot, startUi, type UiFixture } from './browser.js';

const skip = browserMissing();

interface Row {
  readonly name: string;
  readonly user: string;
}

describe('web UI: connections and channels', { skip, timeout: 180_000 }, () => {
  let ui: UiFixture;
  let guestConn: amqp.ChannelModel;
  let mgmtConn: amqp.ChannelModel;
  let guestName: string;
  let mgmtName: string;
  let confirmCh: amqp.ConfirmChannel;
  const pages: Page[] = [];

  function amqpUrl(user: string, password: string): string {
    return ui.broker.amqpUrl.replace('guest:guest', `${user}:${password}`);
  }

  /** The API's name of the only connection of `user` opened since `known`. */
  async function connectionOf(user: string, known: readonly string[] = []): Promise<string> {
    let name: string | undefined;
    await waitFor(
      async () => {
        const rows = (await ui.broker.api.json('/api/connections')) as Row[];
        name = rows.find((r) => r.user === user && !known.includes(r.name))?.name;
        return name !== undefined;
      },
      15_000,
      `a connection of ${user}`,
      50,
    );
    return name!;
  }

  /** A connection of guest with one channel, to be closed from the UI: its name and its close. */
  async function victim(): Promise<{ name: string; closed: Promise<Error & { code?: number }> }> {
    const conn = await amqp.connect(ui.broker.amqpUrl);
    const closed = new Promise<Error & { code?: number }>((resolve) => conn.on('close', (err: Error & { code?: number }) => resolve(err)));
    conn.on('error', () => undefined);
    await conn.createChannel();
    return { name: await connectionOf('guest', [guestName]), closed };
  }

  async function pageAs(user: string, password: string): Promise<Page> {
    const page = await ui.loggedIn(user, password);
    page.on('dialog', (d) => void d.accept());
    pages.push(page);
    return page;
  }

  async function visit(page: Page, hash: string): Promise<void> {
    await page.goto('about:blank');
    await page.goto(`${ui.url}${hash}`);
  }

  /** The connection names listed, once the list shows `count` of them. */
  async function listed(page: Page, list: string, count: number): Promise<string[]> {
    await page.waitForSelector(`[data-list=${list}] .paged-count[data-count="${count}"]`);
    return page.locator(`[data-list=${list}] tbody tr[data-row]`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row') ?? ''));
  }

  before(async () => {
    ui = await startUi();
    const users = ui.broker.running.broker.users;
    users.putUser('ui-mgmt', 'mgmt-pw', ['management']);
    users.setPermissions({ user: 'ui-mgmt', vhost: '/', configure: '.*', write: '.*', read: '.*' });
    users.putUser('ui-mon', 'mon-pw', ['monitoring']);
    users.setPermissions({ user: 'ui-mon', vhost: '/', configure: '.*', write: '.*', read: '.*' });

    guestConn = await amqp.connect(ui.broker.amqpUrl, { clientProperties: { connection_name: 'ui-orders' } });
    guestConn.on('error', () => undefined);
    const ch = await guestConn.createChannel();
    await ch.prefetch(7);
    await ch.assertQueue('ui-cq', { durable: false });
    await ch.consume('ui-cq', () => undefined, { consumerTag: 'ui-ctag' });
    confirmCh = await guestConn.createConfirmChannel();
    guestName = await connectionOf('guest');

    mgmtConn = await amqp.connect(amqpUrl('ui-mgmt', 'mgmt-pw'));
    mgmtConn.on('error', () => undefined);
    await mgmtConn.createChannel();
    mgmtName = await connectionOf('ui-mgmt');
  });
  after(async () => {
    for (const p of pages) await p.context().close().catch(() => undefined);
    await guestConn?.close().catch(() => undefined);
    await mgmtConn?.close().catch(() => undefined);
    await ui?.close();
  });

  it('lists every connection for an administrator, with its user, client product and channels', async () => {
    const page = await pageAs('guest', 'guest');
    await visit(page, '#/connections');
    assert.deepEqual((await listed(page, 'connections', 2)).sort(), [guestName, mgmtName].sort());
    const row = page.locator(`[data-list=connections] tr[data-row="${guestName}"]`);
    const cells = await row.locator('td').allTextContents();
    assert.ok(cells.includes('guest'), `user in ${cells.join(' | ')}`);
    assert.ok(cells.includes('2'), `2 channels in ${cells.join(' | ')}`);
    assert.match(await row.locator('[data-client]').textContent() ?? '', /^amqplib \d+\.\d+\.\d+$/);
    assert.match((await row.textContent()) ?? '', /ui-orders/);
    assert.match((await row.textContent()) ?? '', /AMQP 0-9-1/);
    const mgmtRow = page.locator(`[data-list=connections] tr[data-row="${mgmtName}"]`);
    assert.ok((await mgmtRow.locator('td').allTextContents()).includes('ui-mgmt'));
    // The virtual host chosen in the header: its connections (vhosts/{vhost}/connections).
    await page.locator('header select[name=vhost] option', { hasText: /^\/$/ }).waitFor({ state: 'attached' });
    await page.selectOption('header select[name=vhost]', '/');
    await waitFor(async () => (await page.locator('[data-list=connections] th').count()) === 10, 15_000, 'the list without its Virtual host column');
    assert.deepEqual((await listed(page, 'connections', 2)).sort(), [guestName, mgmtName].sort());
    await page.selectOption('header select[name=vhost]', '');
    await screenshot(page, 'connections');
  });

  it('shows a connection\'s page with its details, client properties and channels', async () => {
    // Traffic between two statistics samples: the connection's data rates have a history.
    ui.broker.sample();
    for (let i = 0; i < 20; i++) confirmCh.publish('', 'ui-nowhere', Buffer.alloc(1000));
    await confirmCh.waitForConfirms();
    ui.broker.sample();
    // Histories are aligned to 5 s: wait until the traffic is in one (the chart then draws it).
    await waitFor(
      async () => {
        const c = (await ui.broker.api.json(`/api/connections/${encodeURIComponent(guestName)}?data_rates_age=600&data_rates_incr=5`)) as {
          recv_oct_details?: { samples?: { sample: number }[] };
        };
        const values = (c.recv_oct_details?.samples ?? []).map((x) => x.sample);
        return values.length > 1 && Math.max(...values) > Math.min(...values);
      },
      15_000,
      'the connection\'s traffic in its sample history',
      250,
    );

    const page = await pageAs('guest', 'guest');
    await visit(page, '#/connections');
    await page.click(`[data-list=connections] a[data-connection="${guestName}"]`);
    await page.waitForSelector('[data-page=connection][data-state=running]');
    assert.equal(await page.textContent('[data-field=user]'), 'guest');
    assert.match((await page.textContent('[data-field=client]')) ?? '', /^amqplib /);
    const props = (await page.textContent('[data-client-properties]')) ?? '';
    assert.match(props, /product\s*amqplib/);
    assert.match(props, /publisher_confirms\s*yes/);
    assert.ok(await page.isVisible('[data-chart="Data rates"] canvas'));
    assert.ok(Number(await page.getAttribute('[data-chart="Data rates"]', 'data-points')) >= 1, 'the data rates chart has points');
    const channels = await listed(page, 'connection-channels', 2);
    assert.deepEqual(channels.sort(), [`${guestName} (1)`, `${guestName} (2)`]);
    // Bytes were exchanged: the data rates chart counts in bytes.
    assert.match((await page.textContent('[data-chart="Data rates"] [data-legend="From client"]')) ?? '', /B\/s$/);
    await screenshot(page, 'connection');

    await page.click(`[data-list=connection-channels] a[data-channel="${guestName} (1)"]`);
    await page.waitForSelector('[data-page=channel] [data-consumers]');
    assert.equal(await page.textContent('[data-field=prefetch]'), '7');
    const consumer = page.locator('[data-consumers] tr[data-row="ui-ctag"]');
    assert.equal(await consumer.locator('a[data-queue]').getAttribute('href'), '#/queues/%2F/ui-cq');
    assert.equal(await page.getAttribute('[data-page=channel] a[data-connection]', 'href'), `#/connections/${encodeURIComponent(guestName)}`);
    assert.match((await page.textContent('[data-section="Close this channel\'s connection"]')) ?? '', /cannot close a single channel/);
    await screenshot(page, 'channel');
  });

  it('lists the channels with their prefetch and confirm mode', async () => {
    const page = await pageAs('guest', 'guest');
    await visit(page, '#/channels');
    const rows = await listed(page, 'channels', 3);
    assert.deepEqual(rows.sort(), [`${guestName} (1)`, `${guestName} (2)`, `${mgmtName} (1)`].sort());
    const first = page.locator(`[data-list=channels] tr[data-row="${guestName} (1)"]`);
    assert.equal(await first.locator('[data-prefetch]').textContent(), '7');
    assert.equal(await first.locator('[data-mode]').getAttribute('data-mode'), '');
    const confirm = page.locator(`[data-list=channels] tr[data-row="${guestName} (2)"]`);
    assert.equal(await confirm.locator('[data-mode]').getAttribute('data-mode'), 'C');
    assert.equal(await confirm.locator('[data-prefetch]').textContent(), '');
    // The consumer count of the first channel.
    assert.equal(await first.locator('[data-col=consumers]').textContent(), '1');
    await screenshot(page, 'channels');
  });

  it('shows a channel\'s message rates: in the channels list, sorted by rate, and charted on its page', async () => {
    const publisher = `${guestName} (2)`;
    const rateIn = async (row: ReturnType<Page['locator']>, col: string): Promise<number> =>
      Number(((await row.locator(`[data-col=${col}]`).textContent()) ?? '').replace(/[^0-9.]/g, ''));
    const stats = ui.broker.running.broker.management?.stats;
    assert.ok(stats !== undefined);
    const page = await pageAs('guest', 'guest');
    // Sampled by the test alone here, so that the rates shown are those between the samples
    // taken before and after the publishes (routed nowhere: confirmed and dropped): with the 5 s
    // timer running too, a page polling every 5 s may keep landing just after a timer sample
    // that saw no new traffic, and show 0.
    stats.stop();
    try {
      ui.broker.sample();
      for (let i = 0; i < 50; i++) confirmCh.publish('', 'ui-nowhere', Buffer.from('x'));
      await withTimeout(confirmCh.waitForConfirms(), 10_000, 'confirms');
      ui.broker.sample();
      await visit(page, '#/channels');
      await listed(page, 'channels', 3);
      const row = page.locator(`[data-list=channels] tr[data-row="${publisher}"]`);
      await waitFor(async () => (await rateIn(row, 'publish')) > 0, 15_000, 'a publish rate in the channels list', 100);
      assert.ok((await rateIn(row, 'confirm')) > 0, 'a confirm rate');
      assert.ok((await rateIn(row, 'drop_unroutable')) > 0, 'an unroutable (drop) rate');
      assert.match((await row.locator('[data-col=publish]').textContent()) ?? '', /\/s$/);
      assert.equal(await row.locator('[data-col=ack]').textContent(), '', 'no deliveries, no ack rate');
      // Sorting by the publish rate (the API's message_stats.publish_details.rate): the publishing
      // channel last, then first.
      const header = page.locator('[data-list=channels] th', { hasText: /^publish$/ });
      const order = (): Promise<string[]> => page.locator('[data-list=channels] tbody tr[data-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row') ?? ''));
      await header.click();
      await waitFor(async () => (await order()).at(-1) === publisher && (await header.getAttribute('class'))?.includes('sorted-asc') === true, 15_000, 'publish rate ascending', 100);
      await header.click();
      await waitFor(async () => (await order())[0] === publisher && (await header.getAttribute('class'))?.includes('sorted-desc') === true, 15_000, 'publish rate descending', 100);
      await screenshot(page, 'channels-rates');

      // The channel's page charts the rates between samples aligned to 5 s: publish (and sample)
      // until the clock has crossed a boundary with traffic on both sides and the page has polled
      // (~10 s).
      await visit(page, `#/channels/${encodeURIComponent(publisher)}`);
      const chart = '[data-page=channel] [data-chart="Message rates"]';
      await page.waitForSelector(`${chart} canvas`);
      const legends = await page.locator(`${chart} [data-legend]`).evaluateAll((cells) => cells.map((c) => c.getAttribute('data-legend') ?? ''));
      assert.deepEqual(legends, ['Publish', 'Publisher confirm', 'Deliver / get', 'Redelivered', 'Consumer ack']);
      const legend = async (series: string): Promise<number> => Number(((await page.textContent(`${chart} [data-legend="${series}"]`)) ?? '').replace(/[^0-9.]/g, ''));
      const drawn = async (): Promise<boolean> =>
        Number(await page.getAttribute(chart, 'data-points')) > 0 &&
        Number(await page.getAttribute(chart, 'data-max')) > 0 &&
        (await legend('Publish')) > 0 &&
        (await legend('Publisher confirm')) > 0;
      const deadline = Date.now() + 25_000;
      for (;;) {
        for (let i = 0; i < 10; i++) confirmCh.publish('', 'ui-nowhere', Buffer.from('x'));
        await withTimeout(confirmCh.waitForConfirms(), 10_000, 'confirms');
        ui.broker.sample();
        if (await drawn()) break;
        if (Date.now() > deadline) {
          const api = await ui.broker.api.json(`/api/channels/${encodeURIComponent(publisher)}?msg_rates_age=60&msg_rates_incr=5`);
          assert.fail(
            `the channel's chart stayed empty: points ${await page.getAttribute(chart, 'data-points')}, max ${await page.getAttribute(chart, 'data-max')}, ` +
              `legend ${await page.textContent(`${chart} .chart-legend`)}; the API: ${JSON.stringify(api)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      await screenshot(page, 'channel-rates');
    } finally {
      stats.start();
    }
  });

  it('shows a management user only its own connections and channels, and refuses it others\' pages', async () => {
    const page = await pageAs('ui-mgmt', 'mgmt-pw');
    await visit(page, '#/connections');
    assert.deepEqual(await listed(page, 'connections', 1), [mgmtName]);
    assert.ok(await page.isVisible('[data-page=connections] .explain'));
    await visit(page, '#/channels');
    assert.deepEqual(await listed(page, 'channels', 1), [`${mgmtName} (1)`]);
    await visit(page, `#/connections/${encodeURIComponent(guestName)}`);
    const alert = page.locator('[data-page=connection] [role=alert]');
    await alert.waitFor();
    assert.equal(await alert.textContent(), 'User not authorised to access object');
    // Its own connection it may close: the form is there.
    await visit(page, `#/connections/${encodeURIComponent(mgmtName)}`);
    await page.waitForSelector('[data-page=connection] [data-form=close-connection]');
  });

  it('shows a monitoring user every connection and channel, without closing others\'', async () => {
    const page = await pageAs('ui-mon', 'mon-pw');
    await visit(page, '#/connections');
    assert.deepEqual((await listed(page, 'connections', 2)).sort(), [guestName, mgmtName].sort());
    await visit(page, '#/channels');
    await listed(page, 'channels', 3);
    await visit(page, `#/connections/${encodeURIComponent(guestName)}`);
    await page.waitForSelector('[data-page=connection][data-state=running]');
    assert.equal(await page.locator('[data-form=close-connection]').count(), 0);
  });

  it('closes a connection from its page: the client gets 320 CONNECTION_FORCED with the reason typed', async () => {
    const { name, closed } = await victim();

    const page = await pageAs('guest', 'guest');
    await visit(page, `#/connections/${encodeURIComponent(name)}`);
    const form = page.locator('[data-form=close-connection]');
    await form.locator('input[name=reason]').fill('maintenance window (ui test)');
    await form.locator('button[data-action="Force Close"]').click();
    const err = await withTimeout(closed, 15_000, 'the client to be closed');
    assert.equal(err.code, 320);
    assert.match(err.message, /CONNECTION_FORCED - maintenance window \(ui test\)/);
    await page.waitForSelector('[data-page=connection] [data-gone]');
    await visit(page, '#/connections');
    assert.deepEqual((await listed(page, 'connections', 2)).sort(), [guestName, mgmtName].sort());
  });

  it('closes a channel\'s connection from the channel page', async () => {
    const { name, closed } = await victim();

    const page = await pageAs('guest', 'guest');
    await visit(page, `#/channels/${encodeURIComponent(`${name} (1)`)}`);
    const form = page.locator('[data-form=close-connection]');
    await form.locator('button[data-action="Close connection"]').click();
    const err = await withTimeout(closed, 15_000, 'the client to be closed');
    assert.equal(err.code, 320);
    assert.match(err.message, /CONNECTION_FORCED - Closed via management plugin/);
    await page.waitForSelector('[data-page=channel] [data-gone]');
  });
});
