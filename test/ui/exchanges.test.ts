/**
 * The Exchanges tab in Chromium: the list (default exchange, feature badges, sorting, filtering),
 * declaring an exchange from the form (it exists for AMQP clients), its page (bindings from it,
 * publishing through it to a bound queue read back over AMQP, the publish rate chart), deleting it
 * (with if-unused refused as the API says), and the default and amq.* exchanges, which the UI
 * does not offer to delete.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/wait.js';
import { browserMissing, screenshot, startUi, type UiFixture } from './browser.js';

const skip = browserMissing();

/** The exchange names in the list, in the order shown. */
function listedNames(page: Page): Promise<string[]> {
  return page.locator('[data-list=exchanges] tbody a[data-exchange]').evaluateAll((els) => els.map((e) => e.getAttribute('data-exchange') ?? ''));
}

async function openSection(page: Page, title: string): Promise<void> {
  const section = page.locator(`details[data-section="${title}"]`);
  await section.waitFor();
  if ((await section.getAttribute('open')) === null) await section.locator('> summary').click();
}

describe('web UI: exchanges', { skip, timeout: 120_000 }, () => {
  let ui: UiFixture;
  let conn: amqp.ChannelModel;
  let page: Page;

  before(async () => {
    ui = await startUi();
    conn = await amqp.connect(ui.broker.amqpUrl);
    page = await ui.loggedIn();
    page.on('dialog', (d) => void d.accept());
  });
  after(async () => {
    await conn?.close().catch(() => undefined);
    await ui?.close();
  });

  /** Opens the route in a freshly loaded app (no list state kept from an earlier visit). */
  async function visit(hash: string): Promise<void> {
    await page.goto('about:blank');
    await page.goto(`${ui.url}${hash}`);
  }

  /** Whether the exchange exists for an AMQP client (a failed check closes its channel). */
  async function exchangeExists(name: string): Promise<boolean> {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    try {
      await ch.checkExchange(name);
      await ch.close();
      return true;
    } catch (err) {
      assert.match(String(err), /404/);
      return false;
    }
  }

  it('lists the exchanges, the default one as "(AMQP default)" linked as amq.default', async () => {
    await visit('#/exchanges');
    await page.waitForSelector('[data-page=exchanges] [data-list=exchanges] a[data-exchange="amq.topic"]');
    const link = page.locator('[data-list=exchanges] a[data-exchange=""]');
    assert.equal(await link.textContent(), '(AMQP default)');
    assert.equal(await link.getAttribute('href'), '#/exchanges/%2F/amq.default');
    // Durable built-in exchanges carry the D badge; the types are shown.
    const topicRow = page.locator('[data-list=exchanges] tr', { has: page.locator('a[data-exchange="amq.topic"]') });
    assert.equal(await topicRow.locator('[data-feature=D]').count(), 1);
    assert.match((await topicRow.textContent()) ?? '', /topic/);
  });

  it('declares an exchange from the form, with an alternate exchange, and AMQP clients see it', async () => {
    await visit('#/exchanges');
    await openSection(page, 'Add a new exchange');
    const form = page.locator('form[data-form=add-exchange]');
    await form.locator('input[name=name]').fill('ui-x');
    await form.locator('select[name=type]').selectOption('topic');
    await form.locator('select[name=durable]').selectOption('true');
    await form.locator('[data-action=add-alternate-exchange]').click();
    const args = form.locator('textarea[name=arguments]');
    assert.equal(await args.inputValue(), 'alternate-exchange=');
    await args.fill('alternate-exchange=amq.fanout');
    await form.locator('button[type=submit]').click();
    await form.locator('[role=status]').waitFor();
    assert.match((await form.locator('[role=status]').textContent()) ?? '', /ui-x/);

    assert.ok(await exchangeExists('ui-x'), 'the exchange exists over AMQP');
    const x = (await ui.broker.api.json('/api/exchanges/%2F/ui-x')) as Record<string, unknown>;
    assert.equal(x['type'], 'topic');
    assert.equal(x['durable'], true);
    assert.deepEqual(x['arguments'], { 'alternate-exchange': 'amq.fanout' });

    // The list shows it at once (the form refreshes it), with D and AE badges.
    const row = page.locator('[data-list=exchanges] tr', { has: page.locator('a[data-exchange="ui-x"]') });
    await row.waitFor();
    assert.equal(await row.locator('[data-feature=D]').count(), 1);
    assert.equal(await row.locator('[data-feature=AE]').getAttribute('title'), 'alternate-exchange: amq.fanout');
    await screenshot(page, 'exchanges');
  });

  it('refuses a declaration the broker refuses, with its reason', async () => {
    const form = page.locator('form[data-form=add-exchange]');
    await form.locator('input[name=name]').fill('ui-x');
    await form.locator('select[name=type]').selectOption('fanout');
    await form.locator('button[type=submit]').click();
    const alert = form.locator('[role=alert]');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /inequivalent arg 'type'/);
  });

  it('sorts and filters the list through the API', async () => {
    for (const [name, type] of [
      ['ui-sort-b', 'fanout'],
      ['ui-sort-a', 'headers'],
      ['ui-sort-c', 'direct'],
    ] as const) {
      assert.equal((await ui.broker.api.put(`/api/exchanges/%2F/${name}`, { type })).status, 201);
    }
    await visit('#/exchanges');
    const filter = page.locator('[data-list=exchanges] input[name=filter]');
    await filter.fill('ui-sort');
    await page.waitForSelector('[data-list=exchanges] .paged-count[data-count="3"]');
    await page.locator('[data-list=exchanges] th', { hasText: /^Name$/ }).click();
    await waitFor(async () => (await listedNames(page)).join() === 'ui-sort-a,ui-sort-b,ui-sort-c', 15_000, 'names ascending');
    await page.locator('[data-list=exchanges] th', { hasText: /^Name$/ }).click();
    await waitFor(async () => (await listedNames(page)).join() === 'ui-sort-c,ui-sort-b,ui-sort-a', 15_000, 'names descending');
    await page.locator('[data-list=exchanges] th', { hasText: /^Type$/ }).click();
    // direct < fanout < headers
    await waitFor(async () => (await listedNames(page)).join() === 'ui-sort-c,ui-sort-b,ui-sort-a', 15_000, 'types ascending');
    await page.locator('[data-list=exchanges] th', { hasText: /^Type$/ }).click();
    await waitFor(async () => (await listedNames(page)).join() === 'ui-sort-a,ui-sort-b,ui-sort-c', 15_000, 'types descending');

    await filter.fill('^ui-sort-[ab]$');
    await page.locator('[data-list=exchanges] input[name=regex]').check();
    await page.waitForSelector('[data-list=exchanges] .paged-count[data-count="2"]');
    assert.deepEqual((await listedNames(page)).sort(), ['ui-sort-a', 'ui-sort-b']);
  });

  it('shows the exchanges of the virtual host chosen in the header, and declares there', async () => {
    const broker = ui.broker.running.broker;
    broker.addVhost('ui-vh');
    broker.users.setPermissions({ user: 'guest', vhost: 'ui-vh', configure: '.*', write: '.*', read: '.*' });
    const builtIn = ((await ui.broker.api.json('/api/exchanges/ui-vh')) as unknown[]).length;
    await visit('#/exchanges');
    await page.locator('header select[name=vhost] option', { hasText: /^ui-vh$/ }).waitFor({ state: 'attached' });
    await page.selectOption('header select[name=vhost]', 'ui-vh');
    await page.waitForSelector(`[data-list=exchanges] .paged-count[data-count="${builtIn}"]`);
    assert.equal(await page.locator('[data-list=exchanges] th', { hasText: 'Virtual host' }).count(), 0);
    assert.equal(await page.getAttribute('[data-list=exchanges] a[data-exchange=""]', 'href'), '#/exchanges/ui-vh/amq.default');

    await openSection(page, 'Add a new exchange');
    const form = page.locator('form[data-form=add-exchange]');
    assert.equal(await form.locator('select[name=vhost]').inputValue(), 'ui-vh');
    await form.locator('input[name=name]').fill('ui-vh-x');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector(`[data-list=exchanges] .paged-count[data-count="${builtIn + 1}"]`);
    assert.equal((await ui.broker.api.get('/api/exchanges/ui-vh/ui-vh-x')).status, 200);
    assert.equal((await ui.broker.api.get('/api/exchanges/%2F/ui-vh-x')).status, 404);
    await page.selectOption('header select[name=vhost]', '');
  });

  it('binds a queue from the exchange page and publishes through it to that queue', async () => {
    const ch = await conn.createChannel();
    await ch.assertQueue('ui-q', { durable: false });
    await visit('#/exchanges');
    await page.click('[data-list=exchanges] a[data-exchange="ui-x"]');
    await page.waitForSelector('[data-page=exchange][data-exchange="ui-x"]');
    assert.equal(new URL(page.url()).hash, '#/exchanges/%2F/ui-x');

    const bind = page.locator('[data-bindings-of=source] form[data-form=bind]');
    await bind.locator('select[name=destination_type]').selectOption('queue');
    await bind.locator('input[name=destination]').fill('ui-q');
    await bind.locator('input[name=routing_key]').fill('orders.*');
    await bind.locator('button[type=submit]').click();
    await page.waitForSelector('[data-bindings-of=source] tr[data-binding="ui-x->ui-q:orders.*"]');
    const bindings = (await ui.broker.api.json('/api/bindings/%2F/e/ui-x/q/ui-q')) as { routing_key: string }[];
    assert.deepEqual(
      bindings.map((b) => b.routing_key),
      ['orders.*'],
    );

    // The statistics are sampled by the test alone here, so that the rate shown is the one between
    // the sample before the publishes and the one after.
    const stats = ui.broker.running.broker.management?.stats;
    assert.ok(stats !== undefined);
    stats.stop();
    ui.broker.sample();
    await openSection(page, 'Publish message');
    const publish = page.locator('form[data-form=publish]');
    await publish.locator('input[name=routing_key]').fill('orders.new');
    await publish.locator('textarea[name=payload]').fill('hello from the exchange page');
    await publish.locator('button[type=submit]').click();
    await publish.locator('[role=status]').waitFor();
    assert.equal(await publish.locator('[role=status]').textContent(), 'Message published.');

    let got: amqp.GetMessage | false = false;
    await waitFor(
      async () => {
        got = await ch.get('ui-q', { noAck: true });
        return got !== false;
      },
      15_000,
      'the published message in ui-q',
      100,
    );
    const msg = got as amqp.GetMessage | false;
    assert.ok(msg !== false);
    assert.equal(msg.content.toString(), 'hello from the exchange page');
    assert.equal(msg.fields.exchange, 'ui-x');
    assert.equal(msg.fields.routingKey, 'orders.new');
    await ch.close();

    // A routing key that matches no binding: published, not routed (and said so).
    await publish.locator('input[name=routing_key]').fill('invoices.new');
    await publish.locator('button[type=submit]').click();
    await waitFor(async () => (await publish.locator('[role=status]').textContent()) === 'Message published, but not routed.', 15_000, 'the unrouted notice');

    // The publish rate: with a sample after the publishes, the page's next refresh shows it.
    ui.broker.sample();
    await waitFor(
      async () => Number(((await page.textContent('[data-chart="Message rates"] [data-legend="Publish (In)"]')) ?? '').replace(/[^0-9.]/g, '')) > 0,
      20_000,
      'a publish-in rate on the exchange page',
      200,
    );
    stats.start();
    // Histories are aligned to 5 s: once the publishes are in one, the chart draws them.
    await waitFor(
      async () => {
        const x = (await ui.broker.api.json('/api/exchanges/%2F/ui-x?msg_rates_age=60&msg_rates_incr=5')) as {
          message_stats?: { publish_in_details?: { samples?: { sample: number }[] } };
        };
        const values = (x.message_stats?.publish_in_details?.samples ?? []).map((v) => v.sample);
        return values.length > 1 && Math.max(...values) > Math.min(...values);
      },
      15_000,
      'the publishes in the exchange\'s sample history',
      250,
    );
    await page.reload();
    await page.waitForSelector('[data-page=exchange] [data-chart="Message rates"] canvas');
    await screenshot(page, 'exchange');
  });

  it('deletes the exchange after confirmation; if-unused is refused with the API\'s reason', async () => {
    await visit('#/exchanges/%2F/ui-x');
    await openSection(page, 'Delete this exchange');
    const form = page.locator('[data-form=delete-exchange]');
    await form.locator('input[name=if-unused]').check();
    await form.locator('button[data-action=Delete]').click();
    await form.locator('[role=alert]').waitFor();
    assert.equal(await form.locator('[role=alert]').textContent(), "exchange 'ui-x' in vhost '/' in use");
    assert.ok(await exchangeExists('ui-x'));

    await form.locator('input[name=if-unused]').uncheck();
    await form.locator('button[data-action=Delete]').click();
    await page.waitForSelector('[data-page=exchanges]');
    assert.equal(await exchangeExists('ui-x'), false);
    await page.waitForSelector('[data-list=exchanges] a[data-exchange="amq.topic"]');
    assert.equal(await page.locator('[data-list=exchanges] a[data-exchange="ui-x"]').count(), 0);
  });

  it('shows the default exchange and amq.* without a delete button; publishing through the default exchange reaches the queue', async () => {
    await visit('#/exchanges');
    await page.click('[data-list=exchanges] a[data-exchange=""]');
    await page.waitForSelector('[data-page=exchange][data-exchange=""]');
    assert.match((await page.textContent('[data-page=exchange] h1')) ?? '', /\(AMQP default\)/);
    assert.ok(await page.isVisible('[data-explain=default-exchange]'));
    assert.equal(await page.locator('[data-section="Delete this exchange"]').count(), 0);

    await openSection(page, 'Publish message');
    const publish = page.locator('form[data-form=publish]');
    await publish.locator('input[name=routing_key]').fill('ui-q');
    await publish.locator('textarea[name=payload]').fill('via the default exchange');
    await publish.locator('button[type=submit]').click();
    await waitFor(async () => (await publish.locator('[role=status]').textContent().catch(() => null)) === 'Message published.', 15_000, 'published');
    const ch = await conn.createChannel();
    const msg = await ch.get('ui-q', { noAck: true });
    assert.ok(msg !== false);
    assert.equal(msg.content.toString(), 'via the default exchange');
    await ch.close();

    await visit('#/exchanges/%2F/amq.direct');
    await page.waitForSelector('[data-page=exchange][data-exchange="amq.direct"] [data-bindings-of=source]');
    assert.equal(await page.locator('[data-section="Delete this exchange"]').count(), 0);
  });

  it('says so when an exchange does not exist', async () => {
    await visit('#/exchanges/%2F/no-such-exchange');
    const alert = page.locator('[data-page=exchange] [role=alert]');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /does not exist/);
  });
});
