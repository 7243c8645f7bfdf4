// Attachments through the real sync server (dist/idbsync-server): a blob
// put on one device (a browser context with its own storage) is read on
// another byte for byte; an upload cut short by the page crashing or by the
// server being SIGKILLed resumes from the parts the server kept, leaving no
// orphan on the server; a download cut short either way is fetched again by
// the next read; a deleted attachment is collected on the server once
// nothing references it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage } from './lib.mjs';
import { SyncServer } from './syncserverlib.mjs';

let env;
let srv; // default grace: what an upload cut short left stays for its resume
let quick; // sweeps every 200 ms with a grace of 2 s (shorter than the time between an upload and its entry would lose it)
before(async () => {
  [env, srv, quick] = await Promise.all([
    start(), SyncServer.start(), SyncServer.start({ args: ['-blob-grace', '2s', '-blob-sweep', '200ms'] }),
  ]);
});
after(async () => {
  await env?.stop();
  await srv?.close();
  await quick?.close();
});

const MiB = 1 << 20;

/**
 * In page: opens name and runs live() to space as globalThis.dev = {m, e,
 * t, sync, net, progress}. net.stallAt(pred) makes the first request
 * pred(url, init) accepts hang for good (and sets net.stalled); net.log
 * lists every request as "METHOD path".
 */
function setUp(page, { name, space, server, timeout = 60_000 }) {
  return page.evaluate(async ({ url, name, space, token, timeout }) => {
    const m = await T.load();
    const e = await m.open({ name });
    const net = { log: [], stalled: false, stall: null };
    net.stallAt = (pred) => { net.stall = pred; };
    const wrapped = (u, init = {}) => {
      const path = new URL(u).pathname.replace(/^\/v1\/spaces\/[^/]+\//, '');
      net.log.push(`${init.method ?? 'GET'} ${path}${init.headers?.range ? ` ${init.headers.range}` : ''}`);
      if (net.stall && net.stall(path, init)) {
        net.stall = null;
        net.stalled = true;
        return new Promise(() => {});
      }
      return fetch(u, init);
    };
    const progress = [];
    const t = m.fetchTransport(url, { space, token, fetch: wrapped, timeout, onProgress: (p) => progress.push(p) });
    const sync = m.live(e, t, { minBackoff: 100, maxBackoff: 1_000 });
    globalThis.dev = { m, e, t, sync, net, progress };
    return { peer: e.peer };
  }, { url: server.url, name, space, token: server.token, timeout });
}

/** Kills page's renderer (CDP Page.crash), as a crashed tab dies: no unload, nothing more runs. */
async function crash(context, page) {
  const crashed = new Promise((ok) => page.once('crash', () => ok(true)));
  const cdp = await context.newCDPSession(page);
  cdp.send('Page.crash').catch(() => {});
  assert.ok(await Promise.race([crashed, new Promise((r) => setTimeout(() => r(false), 10_000))]), 'the page crashed');
  await page.close().catch(() => {});
}

/** In page: waits until the server holds every entry of the page's own peer. */
function pushed(page, what) {
  return page.evaluate((what) => T.waitFor(async () => {
    const [server, local] = await Promise.all([dev.t.cursors(), dev.e.cursors()]);
    const mine = Number(local[dev.e.peer] ?? 0);
    if (mine > 0 && Number(server[dev.e.peer] ?? 0) >= mine) return true;
    await new Promise((r) => setTimeout(r, 100));
    return false;
  }, what, 30_000), what);
}

/** In page: n random bytes as dev.bytes, and their SHA-256 in hex. */
function randomBlob(page, n) {
  return page.evaluate(async (n) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65536)));
    dev.bytes = b;
    return await T.sha(b);
  }, n);
}

/** The server's count of a space's blobs: {contents, parts, ...}. */
async function serverBlobs(server, space) {
  const res = await fetch(`${server.url}v1/spaces/${space}/blobs`, { headers: { authorization: `Bearer ${server.token}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

/** Polls pred() (async) until true, at most ms. */
async function eventually(pred, what, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** In page: waits until the engine holds the attachment key's entry (its bytes here or not). */
function waitForAttachment(page, key) {
  return page.evaluate(async (key) => {
    await T.waitFor(async () => {
      const missing = await dev.e.missingBlobs();
      if (missing.some((x) => x.key === key)) return true;
      return (await dev.e.stats()).contents > 0 && (await dev.e.getBlob(key)) !== undefined;
    }, `attachment ${key}`, 20_000);
  }, key);
}

/** In page: reads key with getBlob and answers its SHA-256 and size. */
function readBlob(page, key) {
  return page.evaluate(async (key) => {
    const b = await dev.e.getBlob(key);
    return b === undefined ? null : { size: b.length, hash: await T.sha(b) };
  }, key);
}

test('a 5 MiB image put on one device is read on the other byte for byte, fetched in parts with progress', { timeout: 120_000 }, async () => {
  const space = 'att-basic';
  const [ca, cb] = [await newContext(env), await newContext(env)];
  try {
    const a = await openPage(env, ca);
    const b = await openPage(env, cb);
    await setUp(a, { name: 'att-a', space, server: srv });
    await setUp(b, { name: 'att-b', space, server: srv });
    const hash = await randomBlob(a, 5 * MiB);
    const ref = await a.evaluate(() => dev.e.putBlob('img/1', dev.bytes));
    assert.deepEqual(ref, { hash, size: 5 * MiB });
    await pushed(a, 'pushed');
    const ups = await a.evaluate(() => dev.net.log.filter((l) => l.startsWith('PUT ')));
    assert.equal(ups.length, 5, `five parts went up: ${ups.join(', ')}`);
    assert.ok(ups.every((l) => l.startsWith(`PUT blobs/${hash}/parts/`)), ups.join(', '));
    assert.deepEqual(await serverBlobs(srv, space).then((s) => [s.contents, s.parts]), [1, 0], 'stored once, no part left');

    await waitForAttachment(b, 'img/1');
    assert.deepEqual(await b.evaluate(() => dev.e.missingBlobs()), [{ key: 'img/1', hash, size: 5 * MiB }]);
    assert.deepEqual(await readBlob(b, 'img/1'), { hash, size: 5 * MiB });
    const down = await b.evaluate(() => dev.progress.filter((p) => p.direction === 'down').map((p) => p.done));
    assert.deepEqual(down, [0, 1, 2, 3, 4, 5].map((n) => n * MiB), 'progress after each part');
    assert.deepEqual(await b.evaluate(() => dev.e.missingBlobs()), [], 'kept: nothing missing now');
    const gets = await b.evaluate(() => dev.net.log.filter((l) => l.startsWith('GET blobs/')).length);
    assert.deepEqual(await readBlob(b, 'img/1'), { hash, size: 5 * MiB }, 'read again');
    assert.equal(await b.evaluate(() => dev.net.log.filter((l) => l.startsWith('GET blobs/')).length), gets, 'the second read is local');
    // A small one goes up and down whole.
    const small = await a.evaluate(() => dev.e.putBlob('img/small', 'tiny').then((r) => r.hash));
    await waitForAttachment(b, 'img/small');
    assert.equal(await b.evaluate(async () => new TextDecoder().decode(await dev.e.getBlob('img/small'))), 'tiny');
    assert.ok(await b.evaluate((h) => dev.net.log.includes(`GET blobs/${h}`), small));
    for (const p of [a, b]) assert.deepEqual(p.errors, []);
  } finally {
    await ca.close();
    await cb.close();
  }
});

test('a page killed mid-upload (Page.crash): reopened, the upload resumes from the parts the server has and completes; no orphan stays', { timeout: 120_000 }, async () => {
  const space = 'att-resume';
  const ca = await newContext(env);
  const cb = await newContext(env);
  try {
    let a = await openPage(env, ca);
    await setUp(a, { name: 'att-a', space, server: srv });
    await a.evaluate(() => dev.net.stallAt((path, init) => init.method === 'PUT' && path.endsWith('/parts/2')));
    const hash = await randomBlob(a, 5 * MiB);
    await a.evaluate(() => dev.e.putBlob('img/big', dev.bytes));
    await a.evaluate(() => T.waitFor(() => dev.net.stalled, 'the upload stalled at part 2', 30_000));
    assert.deepEqual(await serverBlobs(srv, space).then((s) => [s.contents, s.parts]), [0, 2], 'parts 0 and 1 staged');
    await crash(ca, a);

    a = await openPage(env, ca);
    await setUp(a, { name: 'att-a', space, server: srv });
    await pushed(a, 'pushed after reopening');
    const ups = await a.evaluate(() => dev.net.log.filter((l) => l.startsWith('PUT ')));
    assert.deepEqual(ups, [2, 3, 4].map((n) => `PUT blobs/${hash}/parts/${n}`), 'only the parts the server lacked');
    assert.deepEqual(await serverBlobs(srv, space).then((s) => [s.contents, s.parts]), [1, 0], 'assembled, parts dropped');

    const b = await openPage(env, cb);
    await setUp(b, { name: 'att-b', space, server: srv });
    await waitForAttachment(b, 'img/big');
    assert.deepEqual(await readBlob(b, 'img/big'), { hash, size: 5 * MiB });
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
  } finally {
    await ca.close();
    await cb.close();
  }
});

test('a page killed mid-download (Page.crash): the next getBlob fetches it whole', { timeout: 120_000 }, async () => {
  const space = 'att-download';
  const ca = await newContext(env);
  const cb = await newContext(env);
  try {
    const a = await openPage(env, ca);
    await setUp(a, { name: 'att-a', space, server: srv });
    const hash = await randomBlob(a, 3 * MiB + 12345);
    await a.evaluate(() => dev.e.putBlob('doc', dev.bytes));
    await pushed(a, 'pushed');

    let b = await openPage(env, cb);
    await setUp(b, { name: 'att-b', space, server: srv });
    await waitForAttachment(b, 'doc');
    await b.evaluate(() => {
      dev.net.stallAt((path, init) => path.startsWith('blobs/') && init.headers?.range === `bytes=${1 << 21}-${(3 << 20) - 1}`);
      dev.e.getBlob('doc').catch(() => {});
    });
    await b.evaluate(() => T.waitFor(() => dev.net.stalled, 'the download stalled at its third part', 30_000));
    await crash(cb, b);

    b = await openPage(env, cb);
    await setUp(b, { name: 'att-b', space, server: srv });
    assert.deepEqual(await b.evaluate(() => dev.e.missingBlobs().then((m) => m.map((x) => x.key))), ['doc'], 'nothing half-fetched was kept');
    assert.deepEqual(await readBlob(b, 'doc'), { hash, size: 3 * MiB + 12345 });
    assert.deepEqual(await b.evaluate(() => dev.e.stats().then((s) => s.contents)), 1);
    assert.deepEqual(b.errors, []);
  } finally {
    await ca.close();
    await cb.close();
  }
});

test('the server SIGKILLed mid-upload and mid-download: the upload resumes from the parts it had kept, the read is retried', { timeout: 120_000 }, async () => {
  const space = 'att-server-kill';
  const own = await SyncServer.start();
  const ca = await newContext(env);
  const cb = await newContext(env);
  try {
    const a = await openPage(env, ca);
    const b = await openPage(env, cb);
    // A short timeout: the request the kill cut (stalled here) gives up soon.
    await setUp(a, { name: 'att-a', space, server: own, timeout: 3_000 });
    await setUp(b, { name: 'att-b', space, server: own, timeout: 3_000 });
    await a.evaluate(() => dev.net.stallAt((path, init) => init.method === 'PUT' && path.endsWith('/parts/2')));
    const hash = await randomBlob(a, 5 * MiB);
    await a.evaluate(() => dev.e.putBlob('img/k', dev.bytes));
    await a.evaluate(() => T.waitFor(() => dev.net.stalled, 'the upload stalled at part 2', 30_000));
    await own.kill('SIGKILL');
    await own.restart();
    await pushed(a, 'pushed after the restart');
    const ups = await a.evaluate(() => dev.net.log.filter((l) => l.startsWith('PUT ')));
    assert.deepEqual(ups, [0, 1, 2, 2, 3, 4].map((n) => `PUT blobs/${hash}/parts/${n}`),
      'parts 0 and 1 outlived the kill: after it only 2 (again), 3 and 4');
    assert.deepEqual(await serverBlobs(own, space).then((s) => [s.contents, s.parts]), [1, 0]);

    await waitForAttachment(b, 'img/k');
    await b.evaluate(() => {
      dev.net.stallAt((path, init) => path.startsWith('blobs/') && init.headers?.range === `bytes=${1 << 21}-${(3 << 20) - 1}`);
      globalThis.first = dev.e.getBlob('img/k').then(() => 'resolved', (err) => err.code);
    });
    await b.evaluate(() => T.waitFor(() => dev.net.stalled, 'the download stalled at its third part', 30_000));
    await own.kill('SIGKILL');
    await own.restart();
    assert.equal(await b.evaluate(() => globalThis.first), 'UNAVAILABLE', 'the read the kill cut rejects UNAVAILABLE');
    assert.deepEqual(await readBlob(b, 'img/k'), { hash, size: 5 * MiB }, 'read again: whole');
    for (const p of [a, b]) assert.deepEqual(p.errors, []);
  } finally {
    await ca.close();
    await cb.close();
    await own.close();
  }
});

test('deleting the attachment on one device frees it on the server once no replica references it', { timeout: 120_000 }, async () => {
  const space = 'att-delete';
  const ca = await newContext(env);
  const cb = await newContext(env);
  try {
    const a = await openPage(env, ca);
    const b = await openPage(env, cb);
    await setUp(a, { name: 'att-a', space, server: quick });
    await setUp(b, { name: 'att-b', space, server: quick });
    const hash = await randomBlob(a, 2 * MiB);
    await a.evaluate(() => Promise.all([dev.e.putBlob('img/x', dev.bytes), dev.e.putBlob('img/copy', dev.bytes)]));
    await pushed(a, 'pushed');
    await waitForAttachment(b, 'img/copy');
    assert.deepEqual(await readBlob(b, 'img/copy'), { hash, size: 2 * MiB });
    // Sweeps come and go: the bytes stay while a key references them.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal((await serverBlobs(quick, space)).contents, 1, 'two keys, one content');

    await a.evaluate(() => dev.e.deleteBlob('img/x'));
    await pushed(a, 'delete pushed');
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal((await serverBlobs(quick, space)).contents, 1, 'img/copy still references it');
    assert.equal(await a.evaluate(() => dev.e.stats().then((s) => s.contents)), 1, 'kept on a too');

    await b.evaluate(() => dev.e.deleteBlob('img/copy'));
    await eventually(async () => (await serverBlobs(quick, space)).contents === 0, 'the server to collect the bytes');
    await a.evaluate(() => T.waitFor(async () => (await dev.e.getBlob('img/copy')) === undefined, 'a hears of the delete', 20_000));
    assert.equal(await b.evaluate(() => dev.e.stats().then((s) => s.contents)), 0, 'b dropped its copy when it deleted');
    const res = await fetch(`${quick.url}v1/spaces/${space}/blobs/${hash}`, { headers: { authorization: `Bearer ${quick.token}` } });
    assert.equal(res.status, 404);
    for (const p of [a, b]) assert.deepEqual(p.errors, []);
  } finally {
    await ca.close();
    await cb.close();
  }
});
