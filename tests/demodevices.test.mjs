// The notes demo as `make demo` serves it: one device per browser context,
// syncing live through the real sync server. Clicked through on two devices:
// a note added on one shows on the other; one goes offline, its edits queue
// (its status says how many) and the other does not see them; back online,
// they flow. Screenshots in tests/output/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../web/serve.mjs';
import { outputDir, PNG } from './browser.mjs';
import { SyncServer } from './syncserverlib.mjs';

let srv;
let web;
let browser;
before(async () => {
  srv = await SyncServer.start();
  const config = JSON.stringify({ server: srv.url, token: srv.token, space: 'demo' });
  web = await serve({ routes: { '/demo/config.json': () => ({ type: 'application/json', body: config }) } });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--disable-gpu'] });
});
after(async () => {
  await browser?.close();
  await web?.close();
  await srv?.close();
});

/** A device: a fresh context on the demo, ready. */
async function device(tag) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${web.url}demo/`);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
  assert.equal(await page.getAttribute('body', 'data-view'), 'device', `${tag} is one device`);
  return { context, page };
}


const note = (title) => `#pane-a li.note .title:text-is("${title}")`;

test('two devices of the demo sync live through the server; offline edits queue and flow when back', { timeout: 120_000 }, async () => {
  const [a, b] = [await device('A'), await device('B')];
  try {
    await a.page.waitForSelector('#live[data-state="live"]', { timeout: 20_000 });
    await a.page.fill('#pane-a .note-title', 'hello from A');
    await a.page.fill('#pane-a .note-text', 'written on device A');
    await a.page.click('#pane-a .add');
    await b.page.waitForSelector(note('hello from A'), { timeout: 10_000 });

    // A note with an image on B: the image shows on A (its bytes went up
    // to the server before the note, and A fetched them to show it).
    await b.page.fill('#pane-a .note-title', 'picture from B');
    await b.page.setInputFiles('#pane-a .note-file', { name: 'gradient.png', mimeType: 'image/png', buffer: PNG });
    await b.page.click('#pane-a .add');
    const pic = a.page.locator('#pane-a li.note', { has: a.page.locator('.title:text-is("picture from B")') });
    await pic.waitFor({ timeout: 10_000 });
    assert.equal(await pic.locator('img.thumb').evaluate((img) => img.decode().then(() => img.naturalWidth), undefined, { timeout: 15_000 }), 16, 'B\'s image renders on A');
    assert.ok(await a.page.evaluate(() => globalThis.demo.device.engine.stats().then((s) => s.contents === 1)), 'A keeps the image it fetched');

    // A goes offline: its edit stays there, its status counts it.
    await a.page.click('#offline');
    await a.page.fill('#pane-a .note-title', 'written offline');
    await a.page.click('#pane-a .add');
    await a.page.waitForSelector('#live[data-pending="1"]', { timeout: 10_000 });
    assert.match(await a.page.textContent('#live'), /1 change waiting/);
    await a.page.screenshot({ path: path.join(outputDir, 'demo-device-a-offline.png'), fullPage: true });
    await b.page.waitForTimeout(1_000);
    assert.equal(await b.page.locator(note('written offline')).count(), 0, 'B does not see what A wrote offline');

    // Back online: it flows.
    await a.page.click('#offline');
    await b.page.waitForSelector(note('written offline'), { timeout: 15_000 });
    await a.page.waitForSelector('#live[data-state="live"][data-pending="0"]', { timeout: 15_000 });
    await b.page.screenshot({ path: path.join(outputDir, 'demo-device-b.png'), fullPage: true });
    const titles = async (p) => (await p.locator('#pane-a li.note .title').allTextContents()).sort();
    assert.deepEqual(await titles(a.page), await titles(b.page));
    assert.deepEqual([...a.page.errors, ...b.page.errors], []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
