// The engine off the page's thread: tabs that share one worker (one Go
// runtime, one instance, exactly-once writes, watches in every tab, the first
// tab closing changes nothing), a worker that dies under its pages, and a
// page of another build that must not join an older worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage } from './lib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

/**
 * Opens name in page with open()'s default (no Go module in the page), keeps
 * the engine as globalThis.e and collects what its watch hears in
 * globalThis.heard.
 */
async function openIn(page, name) {
  return page.evaluate(async (name) => {
    const m = await import('/idbsync.js');
    globalThis.m = m;
    globalThis.e = await m.open({ name });
    globalThis.heard = new Set();
    globalThis.lostWith = null;
    e.onclose = (err) => { globalThis.lostWith = { code: err.code, message: err.message }; };
    e.watch({ prefix: '' }, (changes) => { for (const c of changes) heard.add(c.key); });
    return { peer: e.peer, instance: e.instance, worker: e.worker, goInPage: globalThis.__idbsync !== undefined };
  }, name);
}

/** Writes n puts tab/i in page's engine, in batches of 50; resolves to the index ranges each exec took. */
function writeIn(page, tab, n) {
  return page.evaluate(async ({ tab, n }) => {
    const ranges = [];
    for (let i = 0; i < n; i += 50) {
      const ops = [];
      for (let j = i; j < Math.min(n, i + 50); j++) ops.push({ put: `${tab}/${String(j).padStart(4, '0')}`, value: `${tab} ${j}` });
      const r = await e.exec(ops);
      ranges.push([r.from, r.to]);
    }
    return ranges;
  }, { tab, n });
}

/** Checks that ranges ([from, to) pairs) tile [0, total) exactly: no index taken twice, none skipped. */
function assertTiles(ranges, total) {
  const sorted = ranges.slice().sort((x, y) => x[0] - y[0]);
  let next = 0;
  for (const [from, to] of sorted) {
    assert.equal(from, next, `indexes ${JSON.stringify(sorted)} must tile 0..${total}`);
    next = to;
  }
  assert.equal(next, total);
}

test('four tabs on one database share one worker: one instance, every write once, watches in every tab; the first tab closing changes nothing', { timeout: 90_000 }, async () => {
  const context = await newContext(env);
  try {
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await openPage(env, context));
    const opened = [];
    for (const p of pages) opened.push(await openIn(p, 'four-tabs'));
    for (const o of opened) {
      assert.equal(o.worker, 'shared');
      assert.equal(o.peer, opened[0].peer, 'one peer');
      assert.equal(o.instance, opened[0].instance, 'one instance: the worker');
      assert.equal(o.goInPage, false, 'no Go module in the page');
    }
    const stats = await pages[3].evaluate(() => e.stats());
    assert.equal(stats.instances, 1, JSON.stringify(stats));

    const perTab = 200;
    const ranges = (await Promise.all(pages.map((p, i) => writeIn(p, `t${i}`, perTab)))).flat();
    assertTiles(ranges, 4 * perTab);
    for (const [i, p] of pages.entries()) {
      const seen = await p.evaluate(({ total }) => T.waitFor(() => heard.size === total && heard, `${total} keys heard`, 20_000).then(() => heard.size), { total: 4 * perTab });
      assert.equal(seen, 4 * perTab, `tab ${i} heard every write`);
    }
    const counts = await pages[2].evaluate(async () => ({ rows: (await e.scan()).length, cursors: await e.cursors() }));
    assert.equal(counts.rows, 4 * perTab);
    assert.deepEqual(counts.cursors, { [opened[0].peer]: 4 * perTab });

    // The tab that started the worker goes; the others carry on, on the same worker.
    await pages[0].close();
    const late = await Promise.all(pages.slice(1).map((p, i) => writeIn(p, `late${i}`, 50)));
    assertTiles([...ranges, ...late.flat()], 4 * perTab + 150);
    for (const p of pages.slice(1)) {
      const r = await p.evaluate(async () => {
        await T.waitFor(() => heard.has('late0/0049') && heard.has('late2/0049'), 'the late writes heard');
        return { v: new TextDecoder().decode(await e.get('late1/0000')), stats: await e.stats(), instance: e.instance, closed: lostWith };
      });
      assert.equal(r.v, 'late1 0');
      assert.equal(r.instance, opened[0].instance, 'still the one worker');
      assert.equal(r.stats.instances, 1);
      assert.equal(r.closed, null, 'no engine was closed');
    }
    for (const p of pages.slice(1)) assert.deepEqual(p.errors, []);
  } finally {
    await context.close();
  }
});

/** The targets of the shared workers of the browser (CDP). */
async function sharedWorkers(cdp) {
  const { targetInfos } = await cdp.send('Target.getTargets');
  return targetInfos.filter((t) => t.type === 'shared_worker');
}

test('a shared worker killed under its pages: pending calls reject with CLOSED, onclose fires, and the next open() starts a new worker that has everything', { timeout: 90_000 }, async (t) => {
  const context = await newContext(env);
  const cdp = await env.browser.newBrowserCDPSession();
  try {
    const [p1, p2] = [await openPage(env, context), await openPage(env, context)];
    const first = await openIn(p1, 'killed-worker');
    await openIn(p2, 'killed-worker');
    await writeIn(p1, 'before', 100);
    // A long exec in flight when the worker dies.
    await p1.evaluate(() => {
      const ops = [];
      for (let i = 0; i < 20_000; i++) ops.push({ put: `big/${i}`, value: 'x'.repeat(20) });
      globalThis.pending = e.exec(ops).then(() => ({ ok: true }), (err) => ({ code: err.code, message: err.message, isError: err instanceof m.IdbsyncError }));
    });
    const workers = await sharedWorkers(cdp);
    assert.equal(workers.length, 1, `one shared worker: ${JSON.stringify(workers)}`);
    await cdp.send('Target.closeTarget', { targetId: workers[0].targetId });

    for (const p of [p1, p2]) {
      const r = await p.evaluate(async () => {
        await T.waitFor(() => lostWith, 'onclose', 20_000);
        const later = await e.get('before/0000').then(() => 'resolved', (err) => err.code);
        return { closed: lostWith, later, pending: globalThis.pending ? await globalThis.pending : undefined };
      });
      assert.equal(r.closed.code, 'CLOSED', JSON.stringify(r.closed));
      assert.equal(r.later, 'CLOSED', 'a call after the death');
      if (r.pending) {
        t.diagnostic(`the exec in flight when the worker was killed: ${JSON.stringify(r.pending)}`);
        // The exec either committed before the kill or is rejected: never left hanging.
        assert.ok(r.pending.ok || (r.pending.code === 'CLOSED' && r.pending.isError), JSON.stringify(r.pending));
      }
    }

    // Both pages open again: one new worker, a new instance, the data whole.
    const again = [await openIn(p1, 'killed-worker'), await openIn(p2, 'killed-worker')];
    assert.equal(again[0].instance, again[1].instance, 'the pages share the new worker');
    assert.notEqual(again[0].instance, first.instance, 'a new instance');
    assert.equal(again[0].peer, first.peer);
    const r = await p2.evaluate(async () => {
      const rows = await e.scan({ prefix: 'before/' });
      const big = (await e.scan({ prefix: 'big/' })).length;
      const c = await e.cursors();
      await e.exec([{ put: 'after', value: 'yes' }]);
      return { rows: rows.length, big, cursors: c, after: new TextDecoder().decode(await e.get('after')) };
    });
    assert.equal(r.rows, 100);
    assert.ok(r.big === 0 || r.big === 20_000, `the exec is all or nothing: ${r.big}`);
    assert.deepEqual(r.cursors, { [first.peer]: 100 + r.big });
    assert.equal(r.after, 'yes');
    assert.equal((await sharedWorkers(cdp)).length, 1);
  } finally {
    await cdp.detach().catch(() => {});
    await context.close();
  }
});

test('a page of another build starts its own worker: it never talks to an older one', { timeout: 60_000 }, async (t) => {
  const context = await newContext(env);
  try {
    const p1 = await openPage(env, context);
    const p2 = await context.newPage();
    // p2's idbsync.js is of another version: its worker has another name.
    await p2.route('**/version.js', (r) => r.fulfill({ contentType: 'text/javascript', body: "export const version = 'another-build';" }));
    await p2.goto(`${env.url}test/`);
    const a = await openIn(p1, 'two-builds');
    const b = await p2.evaluate(async () => {
      const m = await import('/idbsync.js');
      return m.open({ name: 'two-builds' }).then((e) => ({ instance: e.instance, worker: e.worker }), (err) => ({ code: err.code, message: err.message }));
    });
    // page.route does not reach the worker's own requests: it loads this
    // build's version.js and module, under the other build's name.
    t.diagnostic(`the other build's open: ${JSON.stringify(b)}`);
    assert.equal(b.worker, 'shared', JSON.stringify(b));
    assert.notEqual(b.instance, a.instance, 'another worker, another instance');
    const stats = await p1.evaluate(() => e.stats());
    assert.equal(stats.instances, 2, 'two live instances on the database');
  } finally {
    await context.close();
  }
});
