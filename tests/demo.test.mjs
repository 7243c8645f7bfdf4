// The notes demo (web/demo/) end to end: two devices in one page, sync,
// attachments, reloads and a second tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, outputDir, PNG } from './browser.mjs';


let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

/** A new page on the demo, ready; errors collects its uncaught errors. */
async function openDemo(context, errors) {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.url}demo/`);
  await ready(page);
  return page;
}

async function ready(page) {
  await page.locator('body:not([data-state="loading"])').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('body').getAttribute('data-state'), 'ready',
    `demo failed: ${await page.locator('#status').textContent()}`);
}

/** The notes of a pane, or the one with key. */
const notes = (page, pane) => page.locator(`#pane-${pane} li.note`);
const noteOf = (page, pane, key) => page.locator(`#pane-${pane} li.note[data-key="${key}"]`);

/** Adds a note through pane's form; resolves to its key. */
async function addNote(page, pane, { title, text, image = false }) {
  const form = page.locator(`#pane-${pane} form.add-note`);
  const before = await notes(page, pane).evaluateAll((els) => els.map((e) => e.dataset.key));
  await form.locator('.note-title').fill(title);
  await form.locator('.note-text').fill(text);
  if (image) await form.locator('.note-file').setInputFiles({ name: 'gradient.png', mimeType: 'image/png', buffer: PNG });
  await form.locator('.add').click();
  await notes(page, pane).nth(before.length).waitFor();
  const keys = await notes(page, pane).evaluateAll((els) => els.map((e) => e.dataset.key));
  const added = keys.filter((k) => !before.includes(k));
  assert.equal(added.length, 1, `one note added to ${pane}`);
  assert.match(added[0], /^note\/[0-9a-f-]{36}$/);
  assert.equal(await form.locator('.note-title').inputValue(), '', 'the form is cleared');
  return added[0];
}

/** Waits until note's attachment has loaded; resolves to its natural width. */
async function imageWidth(note) {
  return note.locator('img.thumb').evaluate((img) => img.decode().then(() => img.naturalWidth));
}

/** Clicks Sync and resolves to what the page reports once it finished. */
async function syncNow(page) {
  const result = page.locator('#sync-result');
  const n = Number(await result.getAttribute('data-syncs'));
  await page.locator('#sync').click();
  await page.locator(`#sync-result[data-syncs="${n + 1}"]`).waitFor();
  const [toA, toB] = await Promise.all(['data-to-a', 'data-to-b'].map((a) => result.getAttribute(a)));
  return { toA: Number(toA), toB: Number(toB) };
}

async function peerOf(page, pane) {
  return page.locator(`#pane-${pane} .peer-id`).getAttribute('title');
}

/** Waits until pane's cursor table shows exactly want (peer -> next index). */
async function waitCursors(page, pane, want) {
  const read = () => page.locator(`#pane-${pane} table.cursors tr[data-peer]`).evaluateAll(
    (rows) => Object.fromEntries(rows.map((r) => [r.dataset.peer, Number(r.querySelector('.next').textContent)])));
  const deadline = Date.now() + 10_000;
  let got;
  while (Date.now() < deadline) {
    got = await read();
    if (JSON.stringify(got, Object.keys(got).sort()) === JSON.stringify(want, Object.keys(want).sort())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(got, want, `cursors of pane ${pane}`);
}

test('notes and their attachments sync between two devices and survive a reload', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  const page = await openDemo(context, errors);
  const peerA = await peerOf(page, 'a');
  const peerB = await peerOf(page, 'b');
  assert.match(peerA, /^[0-9a-f-]{36}$/);
  assert.notEqual(peerA, peerB, 'two devices, two peers');
  assert.equal(await notes(page, 'a').count(), 0);

  // A note with an image on A: shown on A, not on B.
  const key = await addNote(page, 'a', { title: 'Groceries', text: 'eggs, milk', image: true });
  const inA = noteOf(page, 'a', key);
  assert.equal(await inA.locator('.title').textContent(), 'Groceries');
  assert.equal(await inA.locator('.text').textContent(), 'eggs, milk');
  assert.equal(await imageWidth(inA), 16);
  assert.equal(await notes(page, 'b').count(), 0, 'B has not synced yet');
  await waitCursors(page, 'a', { [peerA]: 2 }); // the image's attachment, then the note
  await waitCursors(page, 'b', {});

  // Sync: the note reaches B, and the sync carries its image.
  assert.deepEqual(await syncNow(page), { toA: 0, toB: 2 });
  const inB = noteOf(page, 'b', key);
  await inB.waitFor();
  assert.equal(await inB.locator('.title').textContent(), 'Groceries');
  assert.equal(await imageWidth(inB), 16, 'the attachment renders on B');
  await waitCursors(page, 'b', { [peerA]: 2 });

  // Edited on B; A sees the edit after a sync, its image kept.
  await inB.locator('.edit').click();
  await inB.locator('.edit-title').fill('Groceries (B)');
  await inB.locator('.edit-text').fill('eggs, milk, bread');
  await inB.locator('.save').click();
  await inB.locator('.title', { hasText: 'Groceries (B)' }).waitFor();
  assert.equal(await inA.locator('.title').textContent(), 'Groceries', 'A has not synced yet');
  assert.deepEqual(await syncNow(page), { toA: 1, toB: 0 });
  await inA.locator('.title', { hasText: 'Groceries (B)' }).waitFor();
  assert.equal(await inA.locator('.text').textContent(), 'eggs, milk, bread');
  assert.equal(await imageWidth(inA), 16);

  // A second note with an image, on B: its image goes the other way.
  const kept = await addNote(page, 'b', { title: 'Keep me', text: 'across reloads', image: true });

  // Deleted on A; gone on both after a sync, the image too.
  await inA.locator('.delete').click();
  await inA.waitFor({ state: 'detached' });
  assert.equal(await inB.count(), 1, 'B has not synced yet');
  assert.deepEqual(await syncNow(page), { toA: 2, toB: 2 }, 'B\'s note and image; A\'s deletes of the note and of its image');
  await inB.waitFor({ state: 'detached' });
  assert.equal(await notes(page, 'a').count(), 1);
  assert.equal(await notes(page, 'b').count(), 1);
  assert.equal(await imageWidth(noteOf(page, 'a', kept)), 16, 'the second image reached A');
  const att = `att/${key.slice('note/'.length)}`;
  await page.waitForFunction(async (att) => (await globalThis.demo.a.engine.getBlob(att)) === undefined
    && (await globalThis.demo.b.engine.getBlob(att)) === undefined, att);
  const both = { [peerA]: 4, [peerB]: 3 };
  await waitCursors(page, 'a', both);
  await waitCursors(page, 'b', both);

  // Everything is in IndexedDB: a reload shows the same notes, images and cursors.
  await page.reload();
  await ready(page);
  assert.equal(await peerOf(page, 'a'), peerA);
  assert.equal(await peerOf(page, 'b'), peerB);
  for (const pane of ['a', 'b']) {
    assert.deepEqual(await notes(page, pane).evaluateAll((els) => els.map((e) => e.dataset.key)), [kept]);
    const note = noteOf(page, pane, kept);
    assert.equal(await note.locator('.title').textContent(), 'Keep me');
    assert.equal(await imageWidth(note), 16);
    await waitCursors(page, pane, both);
  }
  await page.screenshot({ path: path.join(outputDir, 'demo.png'), fullPage: true });

  assert.equal(await page.locator('#status').getAttribute('data-kind'), 'info');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a second tab on the same databases sees changes live', async () => {
  const context = await env.browser.newContext();
  const errors = [];
  const one = await openDemo(context, errors);
  const two = await openDemo(context, errors);
  assert.equal(await peerOf(two, 'a'), await peerOf(one, 'a'), 'a database has one peer, whichever tab');

  // Written in tab 1, shown in tab 2 without a reload: watch across tabs.
  const key = await addNote(one, 'a', { title: 'From tab 1', text: 'hello', image: true });
  const inTwo = noteOf(two, 'a', key);
  await inTwo.waitFor({ timeout: 10_000 });
  assert.equal(await inTwo.locator('.text').textContent(), 'hello');
  assert.equal(await imageWidth(inTwo), 16);
  await waitCursors(two, 'a', { [await peerOf(one, 'a')]: 2 });

  // A sync in tab 2 shows up in tab 1's Device B, image included.
  assert.deepEqual(await syncNow(two), { toA: 0, toB: 2 });
  const inOneB = noteOf(one, 'b', key);
  await inOneB.waitFor({ timeout: 10_000 });
  assert.equal(await imageWidth(inOneB), 16);

  // Deleted in tab 2, gone from tab 1.
  await inTwo.locator('.delete').click();
  await noteOf(one, 'a', key).waitFor({ state: 'detached', timeout: 10_000 });

  assert.deepEqual(errors, []);
  await context.close();
});

test('a failing call shows its error code in the status line', async () => {
  const context = await env.browser.newContext();
  const errors = [];
  const page = await openDemo(context, errors);
  await page.evaluate(() => globalThis.demo.a.engine.close());
  await page.locator('#pane-a .note-title').fill('Too late');
  await page.locator('#pane-a .add').click();
  const status = page.locator('#status[data-kind="error"]');
  await status.waitFor();
  assert.equal(await status.getAttribute('data-code'), 'CLOSED');
  assert.match(await status.textContent(), /Adding a note on Device A failed: \[CLOSED\]/);
  assert.equal(await page.locator('#pane-a .add').isDisabled(), false, 'the form can be used again');
  assert.deepEqual(errors, []);
  await context.close();
});
