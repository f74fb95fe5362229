import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { browserMissing, screenshot, startUi, type UiFixture } from './browser.js';

const skip = browserMissing();

describe('web UI: login and overview', { skip }, () => {
  let ui: UiFixture;
  before(async () => {
    ui = await startUi();
  });
  after(async () => {
    await ui?.close();
  });

  it('refuses a wrong password with RabbitMQ\'s message', async () => {
    const page = await ui.browser.newPage();
    await page.goto(ui.url);
    await page.fill('input[name=username]', 'guest');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    const text = await page.textContent('[role=alert]');
    assert.equal(text, 'Login failed');
    await page.close();
  });

  it('logs in and shows the overview with totals and both charts', async () => {
    const page = await ui.loggedIn();
    await page.waitForSelector('[data-page=overview]');
    assert.ok(await page.isVisible('[data-chart="Message rates"] canvas'));
    assert.ok(await page.isVisible('[data-chart="Queued messages"] canvas'));
    await screenshot(page, 'overview');
    await page.context().close();
  });
});
