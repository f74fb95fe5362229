/** The overview's definitions export and import (administrators only), in Chromium. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserMissing, screenshot, startUi, type UiFixture } from './browser.js';

const skip = browserMissing();

describe('web UI: definitions on the overview', { skip }, () => {
  let ui: UiFixture;
  let dir: string;
  before(async () => {
    ui = await startUi();
    dir = mkdtempSync(join(tmpdir(), 'warren-ui-defs-'));
  });
  after(async () => {
    await ui?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('downloads the broker definitions as RabbitMQ exports them', async () => {
    await ui.broker.api.put('/api/queues/%2F/ov-exported', { durable: true });
    const page = await ui.loggedIn();
    await page.click('[data-section="Export and import definitions"] > summary');
    const downloaded = page.waitForEvent('download');
    await page.click('[data-action="Download broker definitions"]');
    const file = await downloaded;
    assert.match(file.suggestedFilename(), /^warren-definitions-\d{4}-\d\d-\d\d\.json$/);
    const path = join(dir, 'export.json');
    await file.saveAs(path);
    const defs = JSON.parse(readFileSync(path, 'utf8')) as { queues: { name: string }[]; users: { name: string }[] };
    assert.ok(defs.queues.some((q) => q.name === 'ov-exported'));
    assert.ok(defs.users.some((u) => u.name === 'guest'));
    await screenshot(page, 'overview-definitions');
    await page.context().close();
  });

  it('imports a definitions file; an invalid one shows the broker\'s reason and changes nothing', async () => {
    const page = await ui.loggedIn();
    await page.click('[data-section="Export and import definitions"] > summary');
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ queues: [{ name: 'ov-imported', vhost: '/', durable: true, auto_delete: false, arguments: {} }] }));
    await page.setInputFiles('form[data-form=import-definitions] input[type=file]', good);
    await page.click('form[data-form=import-definitions] button[type=submit]');
    assert.equal(await page.textContent('form[data-form=import-definitions] [role=status]'), 'Definitions imported from good.json.');
    assert.equal((await ui.broker.api.get('/api/queues/%2F/ov-imported')).status, 200);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ queues: [{ name: 'ov-never', vhost: '/', durable: true, auto_delete: false, arguments: {} }], exchanges: [{ name: 'ov-x', vhost: '/', type: 'no-such-type', durable: true, auto_delete: false, internal: false, arguments: {} }] }));
    await page.setInputFiles('form[data-form=import-definitions] input[type=file]', bad);
    await page.click('form[data-form=import-definitions] button[type=submit]');
    const alert = await page.waitForSelector('form[data-form=import-definitions] [role=alert]');
    assert.ok(((await alert.textContent()) ?? '').length > 0);
    assert.equal((await ui.broker.api.get('/api/queues/%2F/ov-never')).status, 404);

    const notJson = join(dir, 'notes.txt');
    writeFileSync(notJson, 'not json');
    await page.setInputFiles('form[data-form=import-definitions] input[type=file]', notJson);
    await page.click('form[data-form=import-definitions] button[type=submit]');
    await page.waitForSelector('form[data-form=import-definitions] [role=alert]:text("notes.txt is not a JSON file.")');
    await page.context().close();
  });

  it('is not offered to users who are not administrators', async () => {
    await ui.broker.api.put('/api/users/ov-monitor', { password: 'pw', tags: 'monitoring' });
    const page = await ui.loggedIn('ov-monitor', 'pw');
    await page.waitForSelector('[data-page=overview]');
    assert.equal(await page.locator('[data-section="Export and import definitions"]').count(), 0);
    await page.context().close();
  });
});
