/**
 * The administrator's tabs in Chromium: users (add with tags and password, permissions, update,
 * clear, delete, deleting yourself), virtual hosts (add, permissions, messages, delete), and what
 * users with other tags see: no admin tabs, the API's refusal when they open them by URL, "Not
 * management user" at the login form, and a monitoring user seeing other users' connections.
 * Every effect is checked through the API or over AMQP as well as on screen.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import type { Page } from 'playwright-core';
import { list, obj } from '../management/http.js';
import { enc, PROTOCOL_HEADER, RawClient } from '../support/raw-client.js';
import { waitFor } from '../support/wait.js';
import { browserMissing, screenshot, startUi, type UiFixture } from './browser.js';

const skip = browserMissing();
const T = { timeout: 60_000 };

describe('web UI: users, virtual hosts and permissions', { skip, timeout: 300_000 }, () => {
  let ui: UiFixture;
  let admin: Page;

  before(async () => {
    ui = await startUi();
    admin = await ui.loggedIn();
    admin.on('dialog', (d) => void d.accept());
  });
  after(async () => {
    await ui?.close();
  });

  const amqpUrl = (user: string, password: string, vhost: string): string =>
    ui.broker.amqpUrl.replace('guest:guest', `${encodeURIComponent(user)}:${encodeURIComponent(password)}`) + '/' + encodeURIComponent(vhost);

  /** Connects and closes again; the error's message when the broker refuses. */
  async function tryConnect(user: string, password: string, vhost: string): Promise<string> {
    try {
      const c = await amqp.connect(amqpUrl(user, password, vhost));
      await c.close();
      return 'ok';
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /**
   * Logs in over a raw AMQP socket and opens the vhost: the reply code and text of the server's
   * connection.close (amqplib does not tell them when the close answers connection.open).
   */
  async function openRefused(user: string, password: string, vhost: string): Promise<string> {
    const c = await RawClient.connect(Number(new URL(ui.broker.amqpUrl).port));
    try {
      c.write(PROTOCOL_HEADER);
      await c.expectMethod(10, 10, 0);
      c.sendMethod(0, 10, 11, Buffer.concat([enc.table({}), enc.shortstr('PLAIN'), enc.longstr(`\u0000${user}\u0000${password}`), enc.shortstr('en_US')]));
      await c.expectMethod(10, 30, 0);
      c.sendMethod(0, 10, 31, Buffer.concat([enc.short(2047), enc.long(131072), enc.short(0)]));
      c.sendMethod(0, 10, 40, Buffer.concat([enc.shortstr(vhost), enc.shortstr(''), enc.bits(false)]));
      const close = await c.expectConnectionClose();
      return `${close.replyCode} ${close.replyText}`;
    } finally {
      c.destroy();
    }
  }

  /** A page of its own (own sessionStorage) logged in as the user, with confirm dialogs accepted. */
  async function loggedInAs(user: string, password: string): Promise<Page> {
    const page = await ui.loggedIn(user, password);
    page.on('dialog', (d) => void d.accept());
    return page;
  }

  async function open(page: Page, hash: string, pageName: string): Promise<void> {
    await page.goto(`${ui.url}${hash}`);
    await page.waitForSelector(`[data-page="${pageName}"]`);
  }

  /** Opens a collapsed section (RabbitMQ's hidden ones: update, delete). */
  async function expand(page: Page, title: string): Promise<void> {
    if ((await page.getAttribute(`[data-section="${title}"]`, 'open')) === null) await page.click(`[data-section="${title}"] > summary`);
  }

  /**
   * Sets the form's selects and fills its inputs (by name), submits it and waits for the API to
   * answer its change (not the GETs a form may make first); returns the notice or error shown.
   */
  async function submit(page: Page, form: string, inputs: Record<string, string>, selects: Record<string, string> = {}): Promise<string> {
    const f = `form[data-form=${form}]`;
    for (const [name, value] of Object.entries(selects)) await page.selectOption(`${f} select[name=${name}]`, value);
    for (const [name, value] of Object.entries(inputs)) await page.fill(`${f} input[name=${name}]`, value);
    const answered = page.waitForResponse((r) => r.url().includes('/api/') && r.request().method() !== 'GET');
    await page.click(`${f} button[type=submit]`);
    await answered;
    return (await page.textContent(`${f} :is([role=status], [role=alert])`)) ?? '';
  }

  /** Deletes with the (confirmed) button of the object's page: back on the list, without its row; the API says 404. */
  async function deleteFromPage(tab: 'users' | 'vhosts', name: string, section: string, button: string): Promise<void> {
    await open(admin, `#/${tab}/${encodeURIComponent(name)}`, tab === 'users' ? 'user' : 'vhost');
    await expand(admin, section);
    await admin.click(`[data-section="${section}"] [data-action="${button}"]`);
    await admin.waitForSelector(`[data-page=${tab}]`);
    await admin.waitForSelector(`[data-list=${tab}] [data-row="${name}"]`, { state: 'detached' });
    assert.equal((await ui.broker.api.get(`/api/${tab}/${encodeURIComponent(name)}`)).status, 404);
  }

  async function addUser(name: string, password: string | null, tagLinks: readonly string[]): Promise<void> {
    await open(admin, '#/users', 'users');
    for (const label of tagLinks) await admin.click(`form[data-form=add-user] [data-add-tag="${label}"]`);
    const notice =
      password === null
        ? await submit(admin, 'add-user', { username: name }, { 'has-password': 'no-password' })
        : await submit(admin, 'add-user', { username: name, password, password_confirm: password });
    assert.equal(notice, `User '${name}' added.`);
    await admin.waitForSelector(`[data-list=users] [data-row="${name}"]`);
  }

  /** Waits (15 s at most) until the element's text passes the check. */
  async function waitForText(page: Page, selector: string, check: (text: string) => boolean, label: string): Promise<void> {
    await waitFor(
      async () => check((await page.locator(selector).textContent({ timeout: 1_000 }).catch(() => null)) ?? ''),
      15_000,
      label,
      100,
    );
  }

  async function tagsOf(user: string): Promise<string[]> {
    return (obj(await ui.broker.api.json(`/api/users/${encodeURIComponent(user)}`))['tags'] as string[]).slice().sort();
  }

  it('adds a user with a password and the management tag; mismatched passwords are refused', T, async () => {
    await open(admin, '#/users', 'users');
    const form = 'form[data-form=add-user]';
    await admin.fill(`${form} input[name=username]`, 'ui-typo');
    await admin.fill(`${form} input[name=password]`, 'one');
    await admin.fill(`${form} input[name=password_confirm]`, 'two');
    await admin.click(`${form} button[type=submit]`);
    assert.equal(await admin.textContent(`${form} [role=alert]`), 'Passwords do not match.');
    assert.equal((await ui.broker.api.get('/api/users/ui-typo')).status, 404);

    // The quick links add tags to the field; None empties it.
    await admin.click(`${form} [data-add-tag=Admin]`);
    await admin.click(`${form} [data-add-tag=None]`);
    await admin.click(`${form} [data-add-tag=Management]`);
    assert.equal(await admin.inputValue(`${form} input[name=tags]`), 'management');

    await addUser('ui-alice', 'alice-pw', ['Management']);
    assert.deepEqual(await tagsOf('ui-alice'), ['management']);
    const row = '[data-list=users] [data-row="ui-alice"]';
    assert.equal(await admin.textContent(`${row} [data-tag]`), 'management');
    assert.equal(await admin.textContent(`${row} [data-col=has-password]`), 'yes');
    assert.match((await admin.textContent(row)) ?? '', /No access/);
    // A password-less user: "Has password" says no.
    await addUser('ui-nopass', null, ['Monitoring']);
    assert.equal(await admin.textContent('[data-list=users] [data-row="ui-nopass"] [data-col=has-password]'), 'no');
    assert.equal(obj(await ui.broker.api.json('/api/users/ui-nopass'))['password_hash'], '');
  });

  it("sets the user's permissions on / from its page; the users list then shows its vhost", T, async () => {
    await open(admin, '#/users', 'users');
    await admin.click('[data-list=users] a[data-user-link="ui-alice"]');
    await admin.waitForSelector('[data-page=user][data-name="ui-alice"]');
    await admin.waitForSelector('[data-permissions=user] [data-no-permissions]');
    const form = 'form[data-form=set-permission]';
    await admin.waitForSelector(`${form} select[name=vhost] option:text-is("/")`, { state: 'attached' });
    assert.equal(await submit(admin, 'set-permission', { configure: '^alice-.*' }, { vhost: '/' }), "Permission of user 'ui-alice' in virtual host '/' set.");
    await admin.waitForSelector('[data-permissions=user] tr[data-row="/"]');
    assert.deepEqual(obj(await ui.broker.api.json('/api/permissions/%2F/ui-alice')), { user: 'ui-alice', vhost: '/', configure: '^alice-.*', write: '.*', read: '.*' });
    assert.equal(await admin.textContent('[data-permissions=user] tr[data-row="/"] td:nth-child(2)'), '^alice-.*');
    // An invalid regexp: the API's reason under the form.
    assert.match(await submit(admin, 'set-permission', { read: '(' }), /invalid_regexp/);
    assert.match(await submit(admin, 'set-permission', { read: '.*' }), /set\.$/);
    await screenshot(admin, 'user');

    await open(admin, '#/users', 'users');
    await waitForText(admin, '[data-list=users] [data-row="ui-alice"]', (t) => t.includes('/') && !t.includes('No access'), "ui-alice's vhosts in the list");
    await screenshot(admin, 'users');
  });

  it('the management user logs in: no admin tabs, the API refusal on #/users and #/vhosts, and AMQP works', T, async () => {
    const page = await loggedInAs('ui-alice', 'alice-pw');
    try {
      await page.waitForSelector('[data-tab=overview]');
      assert.equal(await page.locator('[data-tab=users]').count(), 0);
      assert.equal(await page.locator('[data-tab=vhosts]').count(), 0);
      await page.goto(`${ui.url}#/users`);
      await page.waitForSelector('[data-page=users] [role=alert]');
      assert.equal(await page.textContent('[data-page=users] [role=alert]'), 'Not authorised: Not administrator user');
      assert.equal(await page.locator('form[data-form=add-user]').count(), 0);
      await screenshot(page, 'users-not-authorised');
      await page.goto(`${ui.url}#/vhosts`);
      await page.waitForSelector('[data-page=vhosts] [role=alert]');
      assert.equal(await page.textContent('[data-page=vhosts] [role=alert]'), 'Not authorised: Not administrator user');
      await page.goto(`${ui.url}#/users/guest`);
      await page.waitForSelector('[data-page=user] [role=alert]');
      // Still logged in: a refusal for one resource is no logout.
      assert.ok(await page.isVisible('[data-user="ui-alice"]'));
    } finally {
      await page.context().close();
    }
    assert.equal(await tryConnect('ui-alice', 'alice-pw', '/'), 'ok');
  });

  it('a user without tags is told "Not management user" at the login form', T, async () => {
    await addUser('ui-notags', 'notags-pw', ['None']);
    assert.deepEqual(await tagsOf('ui-notags'), []);
    const context = await ui.browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(ui.url);
      await page.fill('form[data-form=login] input[name=username]', 'ui-notags');
      await page.fill('form[data-form=login] input[name=password]', 'notags-pw');
      await page.click('form[data-form=login] button[type=submit]');
      await page.waitForSelector('form[data-form=login] [role=alert]');
      assert.equal(await page.textContent('form[data-form=login] [role=alert]'), 'Not management user');
      await screenshot(page, 'login');
    } finally {
      await context.close();
    }
  });

  it("updates a user's tags from its page, keeping its password; a monitoring user sees other users' connections", T, async () => {
    await open(admin, '#/users/ui-alice', 'user');
    await expand(admin, 'Update this user');
    const form = 'form[data-form=update-user]';
    assert.equal(await admin.inputValue(`${form} input[name=tags]`), 'management');
    await admin.click(`${form} [data-add-tag=Monitoring]`);
    assert.equal(await submit(admin, 'update-user', {}), 'User updated.');
    assert.deepEqual(await tagsOf('ui-alice'), ['management', 'monitoring']);
    await admin.waitForSelector('[data-section=Overview] [data-tag=monitoring]');
    // "Keep password" sent the stored hash back: the old password still works.
    assert.equal((await ui.broker.api.as({ user: 'ui-alice', password: 'alice-pw' }).get('/api/whoami')).status, 200);

    // guest's AMQP connection, seen by the monitoring user on the Connections page.
    const conn = await amqp.connect(ui.broker.amqpUrl);
    const page = await loggedInAs('ui-alice', 'alice-pw');
    try {
      await waitFor(async () => list(await ui.broker.api.json('/api/connections')).length === 1, 10_000, 'the connection in the API');
      const name = list(await ui.broker.api.json('/api/connections'))[0]!['name'] as string;
      await page.click('[data-tab=connections]');
      await page.waitForSelector(`[data-page=connections] [data-row="${name}"]`);
      assert.match((await page.textContent(`[data-page=connections] [data-row="${name}"]`)) ?? '', /guest/);
      assert.equal(await page.locator('[data-tab=users]').count(), 0);
    } finally {
      await page.context().close();
      await conn.close();
    }

    // A new password from the page: the old one stops working.
    await expand(admin, 'Update this user');
    assert.equal(await submit(admin, 'update-user', { password: 'alice-pw2', password_confirm: 'alice-pw2' }, { 'has-password': 'password' }), 'User updated.');
    assert.equal((await ui.broker.api.as({ user: 'ui-alice', password: 'alice-pw' }).get('/api/whoami')).status, 401);
    assert.equal((await ui.broker.api.as({ user: 'ui-alice', password: 'alice-pw2' }).get('/api/whoami')).status, 200);
  });

  it('clearing a permission refuses the user\'s AMQP connections with 530', T, async () => {
    assert.equal(await tryConnect('ui-alice', 'alice-pw2', '/'), 'ok');
    await open(admin, '#/users/ui-alice', 'user');
    await admin.click('[data-permissions=user] tr[data-row="/"] [data-action=Clear]');
    await admin.waitForSelector('[data-permissions=user] [data-no-permissions]');
    assert.equal((await ui.broker.api.get('/api/permissions/%2F/ui-alice')).status, 404);
    assert.equal(await openRefused('ui-alice', 'alice-pw2', '/'), "530 NOT_ALLOWED - access to vhost '/' refused for user 'ui-alice'");
  });

  it('deletes a user from its page and goes back to the list', T, async () => {
    await deleteFromPage('users', 'ui-notags', 'Delete this user', 'Delete');
  });

  it('an administrator who changes their own password stays logged in; deleting themselves logs them out', T, async () => {
    assert.equal((await ui.broker.api.put('/api/users/ui-root', { password: 'root-pw', tags: 'administrator' })).status, 201);
    const page = await loggedInAs('ui-root', 'root-pw');
    try {
      await open(page, '#/users/ui-root', 'user');
      await expand(page, 'Update this user');
      assert.equal(await submit(page, 'update-user', { password: 'root-pw2', password_confirm: 'root-pw2' }, { 'has-password': 'password' }), 'User updated.');
      assert.equal((await ui.broker.api.as({ user: 'ui-root', password: 'root-pw2' }).get('/api/whoami')).status, 200);
      // The UI logged in again with the new password: a reload of the list still works.
      await open(page, '#/users', 'users');
      await page.waitForSelector('[data-list=users] [data-row="ui-root"]');
      await open(page, '#/users/ui-root', 'user');
      await expand(page, 'Delete this user');
      assert.match((await page.textContent('[data-section="Delete this user"]')) ?? '', /logs you out/);
      await page.click('[data-section="Delete this user"] [data-action=Delete]');
      await page.waitForSelector('form[data-form=login]');
      assert.equal((await ui.broker.api.get('/api/users/ui-root')).status, 404);
    } finally {
      await page.context().close();
    }
  });

  it('adds a virtual host; the header offers it; permissions and messages on its page; deletes it', T, async () => {
    await open(admin, '#/vhosts', 'vhosts');
    assert.equal(await submit(admin, 'add-vhost', { name: 'ui-vh', description: 'UI test vhost', tags: 'blue, green' }), "Virtual host 'ui-vh' added; you have full permissions in it.");
    await admin.waitForSelector('[data-list=vhosts] [data-row="ui-vh"]');
    const v = obj(await ui.broker.api.json('/api/vhosts/ui-vh'));
    assert.equal(v['description'], 'UI test vhost');
    assert.deepEqual(v['tags'], ['blue', 'green']);
    // The header's vhost filter is refreshed every 5 s.
    await admin.waitForSelector('select[name=vhost] option:text-is("ui-vh")', { state: 'attached', timeout: 15_000 });
    // The creator (guest) has full permissions in it, as RabbitMQ gives.
    await waitForText(admin, '[data-list=vhosts] [data-row="ui-vh"]', (t) => t.includes('guest'), "ui-vh's users in the list");

    await admin.click('[data-list=vhosts] a[data-vhost-link="ui-vh"]');
    await admin.waitForSelector('[data-page=vhost][data-name="ui-vh"]');
    await admin.waitForSelector('[data-permissions=vhost] tr[data-row="guest"]');
    await admin.click('[data-permissions=vhost] tr[data-row="guest"] [data-action=Clear]');
    await admin.waitForSelector('[data-permissions=vhost] [data-no-permissions]');
    assert.equal(await openRefused('guest', 'guest', 'ui-vh'), "530 NOT_ALLOWED - access to vhost 'ui-vh' refused for user 'guest'");

    // Edit its description and tags.
    await expand(admin, 'Edit this virtual host');
    assert.equal(await submit(admin, 'edit-vhost', { description: 'Edited from the UI', tags: 'red' }), 'Virtual host updated.');
    const edited = obj(await ui.broker.api.json('/api/vhosts/ui-vh'));
    assert.equal(edited['description'], 'Edited from the UI');
    assert.deepEqual(edited['tags'], ['red']);

    const perm = 'form[data-form=set-permission]';
    await admin.waitForSelector(`${perm} select[name=username] option:text-is("guest")`, { state: 'attached' });
    await submit(admin, 'set-permission', {}, { username: 'guest' });
    await admin.waitForSelector('[data-permissions=vhost] tr[data-row="guest"]');
    assert.deepEqual(list(await ui.broker.api.json('/api/vhosts/ui-vh/permissions')), [{ user: 'guest', vhost: 'ui-vh', configure: '.*', write: '.*', read: '.*' }]);

    // Messages in the vhost show in its charts and in the list.
    const conn = await amqp.connect(amqpUrl('guest', 'guest', 'ui-vh'));
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue('ui-vh-q');
      for (let i = 0; i < 7; i++) ch.sendToQueue('ui-vh-q', Buffer.from(`m${i}`));
      await ch.waitForConfirms();
      ui.broker.sample();
      await waitForText(admin, '[data-chart="Queued messages"] [data-legend="Total"]', (t) => t === '7', 'the vhost chart legend to count 7 messages');
      ui.broker.sample();
      await admin.waitForSelector('[data-chart="Message rates"]');
      await screenshot(admin, 'vhost');
      await open(admin, '#/vhosts', 'vhosts');
      await admin.waitForSelector('[data-list=vhosts] [data-row="ui-vh"] [data-col=total]');
      assert.equal(await admin.textContent('[data-list=vhosts] [data-row="ui-vh"] [data-col=total]'), '7');
      await screenshot(admin, 'vhosts');
    } finally {
      await conn.close();
    }

    await deleteFromPage('vhosts', 'ui-vh', 'Delete this vhost', 'Delete this virtual host');
    assert.match(await openRefused('guest', 'guest', 'ui-vh'), /^530 NOT_ALLOWED - vhost ui-vh not found/);
  });
});
