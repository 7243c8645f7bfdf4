// The built module, the IndexedDB store and the demo page, end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, outputDir } from './browser.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

/** Waits for the demo to settle and returns its visit count. */
async function visits(page) {
  const status = page.locator('#status:not([data-state="loading"])');
  await status.waitFor({ timeout: 30_000 });
  const state = await status.getAttribute('data-state');
  assert.equal(state, 'ready', `demo failed: ${await status.textContent()}`);
  return Number(await status.getAttribute('data-visits'));
}

test('the demo counts visits durably across reloads and tabs', async () => {
  const context = await env.browser.newContext();
  const errors = [];
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${env.url}demo/`);
  assert.equal(await visits(page), 1, 'a fresh profile starts at one');
  await page.screenshot({ path: path.join(outputDir, 'demo.png') });

  await page.reload();
  assert.equal(await visits(page), 2, 'the count survives a reload');

  // Two tabs counting at once: compare-and-set loses no visit.
  const second = await context.newPage();
  const [a, b] = await Promise.all([
    page.reload().then(() => visits(page)),
    second.goto(`${env.url}demo/`).then(() => visits(second)),
  ]);
  assert.deepEqual([a, b].sort(), [3, 4]);

  assert.deepEqual(errors, []);
  await context.close();
});

test('a new browser context has its own storage', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.url}demo/`);
  assert.equal(await visits(page), 1);
  await context.close();
});

test('a wrong call from JavaScript rejects with a readable error', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.url}demo/`);
  await visits(page);
  const err = await page.evaluate(() => globalThis.idbsyncModule.visit(42).then(
    () => 'resolved', (e) => ({ message: e.message, code: e.code, isError: e instanceof Error })));
  assert.equal(err.isError, true);
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.match(err.message, /name must be a non-empty string/);
  await context.close();
});
