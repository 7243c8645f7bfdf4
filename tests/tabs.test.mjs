// Many tabs, one database (DESIGN.md): two pages of one browser context
// share a database, its peer and its log, and hear each other's writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage, UUID, mode } from './lib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

/** Opens name in page and keeps the engine as globalThis.e. */
async function openIn(page, name) {
  return page.evaluate(async (name) => {
    const m = await T.load();
    globalThis.m = m;
    globalThis.e = await m.open({ name });
    return { peer: e.peer, instance: e.instance };
  }, name);
}

test('two tabs share the peer; a write in one is read and watched in the other', { timeout: 30_000 }, async () => {
  const context = await newContext(env);
  try {
    const [p1, p2] = [await openPage(env, context), await openPage(env, context)];
    const [o1, o2] = [await openIn(p1, 'tabs-share'), await openIn(p2, 'tabs-share')];
    assert.match(o1.peer, UUID);
    assert.equal(o2.peer, o1.peer, 'every tab on a database writes as its peer');
    if (mode === undefined) assert.equal(o2.instance, o1.instance, 'the tabs share one worker: one instance');
    else assert.notEqual(o2.instance, o1.instance, 'each tab is its own instance');

    await p2.evaluate(() => {
      globalThis.changes = [];
      globalThis.cursorsSeen = [];
      e.watch({ prefix: 't/' }, (cs) => changes.push(...cs.map((c) => ({ key: c.key, hasValue: 'value' in c, value: T.arr(c.value) }))));
      e.watchCursors((c) => cursorsSeen.push(T.cur(c)));
      return T.waitFor(() => cursorsSeen.length > 0, 'the snapshot');
    });
    const w = await p1.evaluate(() => e.exec([{ put: 't/1', value: 'from tab 1' }, { put: 'elsewhere', value: 'x' }]));
    assert.deepEqual(w, { peer: o1.peer, from: 0, to: 2 });

    const seen = await p2.evaluate(async (peer) => {
      await T.waitFor(() => changes.some((c) => c.key === 't/1'), 'the watch notice from the other tab');
      await T.waitFor(() => cursorsSeen.some((c) => c[peer] === 2), 'the cursors notice from the other tab');
      return { got: T.arr(await e.get('t/1')), cursors: T.cur(await e.cursors()), changes: changes.slice() };
    }, o1.peer);
    assert.deepEqual(seen.got, [...Buffer.from('from tab 1')], 'tab 2 reads tab 1\'s write without a reload');
    assert.deepEqual(seen.cursors, { [o1.peer]: 2 });
    assert.deepEqual(seen.changes, [{ key: 't/1', hasValue: true, value: [...Buffer.from('from tab 1')] }], 'only keys under the prefix');

    // A delete in tab 1 reaches tab 2's watcher as a key without a value.
    await p1.evaluate(() => e.exec([{ del: 't/1' }]));
    const del = await p2.evaluate(async () => {
      await T.waitFor(() => changes.some((c) => c.key === 't/1' && !c.hasValue), 'the delete notice');
      return { got: T.arr(await e.get('t/1')), last: changes.at(-1) };
    });
    assert.equal(del.got, undefined);
    assert.deepEqual(del.last, { key: 't/1', hasValue: false, value: undefined });

    // And the other way round: tab 2 writes, tab 1 reads it.
    const w2 = await p2.evaluate(() => e.exec([{ put: 't/2', value: 'from tab 2' }]));
    assert.deepEqual(w2, { peer: o1.peer, from: 3, to: 4 }, 'tab 2 continues the same log');
    assert.deepEqual(await p1.evaluate(async () => T.arr(await e.get('t/2'))), [...Buffer.from('from tab 2')]);
    assert.deepEqual([...p1.errors, ...p2.errors], []);
  } finally {
    await context.close();
  }
});

test('concurrent exec from two tabs never takes an index twice', { timeout: 45_000 }, async () => {
  const context = await newContext(env);
  try {
    const [p1, p2] = [await openPage(env, context), await openPage(env, context)];
    const [o1] = [await openIn(p1, 'tabs-race'), await openIn(p2, 'tabs-race')];
    const CALLS = 50;
    // Each tab fires CALLS execs at once (1 to 3 ops each), both tabs at once.
    const run = ({ tab, CALLS }) => Promise.all(Array.from({ length: CALLS }, (_, i) => {
      const ops = Array.from({ length: (i % 3) + 1 }, (_, j) => ({ put: `${tab}/${i}/${j}`, value: `${tab}:${i}:${j}` }));
      return T.outcome(() => e.exec(ops), 30_000).then((o) => ({ ...o, ops: ops.length, key: ops[0].put }));
    }));
    const [r1, r2] = await Promise.all([p1.evaluate(run, { tab: 'one', CALLS }), p2.evaluate(run, { tab: 'two', CALLS })]);
    const all = [...r1, ...r2];
    const failed = all.filter((o) => o.kind !== 'resolved');
    assert.deepEqual(failed, [], 'every exec resolves (a lost race reloads and retries)');

    const ranges = all.map((o) => ({ ...JSON.parse(o.value), ops: o.ops })).sort((a, b) => a.from - b.from);
    const N = ranges.reduce((n, r) => n + r.ops, 0);
    let at = 0;
    for (const r of ranges) {
      assert.equal(r.peer, o1.peer);
      assert.equal(r.from, at, `ranges cover 0..${N} once, in order: ${JSON.stringify(ranges.map((x) => [x.from, x.to]))}`);
      assert.equal(r.to - r.from, r.ops, 'one index per op');
      at = r.to;
    }
    assert.equal(at, N);

    const check = await p2.evaluate(async ({ peer, N }) => {
      const entries = m.decode(await e.readSince(peer, 0, N + 10));
      return {
        cursors: T.cur(await e.cursors()),
        idx: entries.map((x) => x.idx),
        keys: entries.map((x) => x.put).sort(),
        tsIncreasing: entries.every((x, i) => i === 0 || x.ts > entries[i - 1].ts),
        rows: (await e.scan()).length,
      };
    }, { peer: o1.peer, N });
    const cursors1 = await p1.evaluate(async () => T.cur(await e.cursors()));
    assert.deepEqual(check.cursors, { [o1.peer]: N }, 'cursors equal N');
    assert.deepEqual(cursors1, check.cursors, 'both tabs agree');
    assert.deepEqual(check.idx, Array.from({ length: N }, (_, i) => i), 'readSince shows N entries, no hole, no repeat');
    const written = [];
    for (const tab of ['one', 'two']) {
      for (let i = 0; i < CALLS; i++) for (let j = 0; j <= i % 3; j++) written.push(`${tab}/${i}/${j}`);
    }
    assert.deepEqual(check.keys, written.sort(), 'every op is in the log exactly once');
    assert.equal(check.tsIncreasing, true, 'the peer\'s timestamps strictly increase across tabs');
    assert.equal(check.rows, N);
  } finally {
    await context.close();
  }
});

test('a reload keeps the data, the peer and the cursors', { timeout: 30_000 }, async () => {
  const context = await newContext(env);
  try {
    const page = await openPage(env, context);
    const o = await openIn(page, 'tabs-reload');
    const snapshot = () => page.evaluate(async () => ({
      cursors: T.cur(await e.cursors()),
      rows: T.rows(await e.scan()),
      blob: T.arr(await e.getBlob('blob')),
    }));
    await page.evaluate(async () => {
      await e.exec([{ put: 'a', value: '1' }, { put: 'b', value: new Uint8Array([2, 0, 2]) }]);
      await e.exec([{ del: 'a' }, { put: 'c', value: '' }]);
      await e.putBlob('blob', 'kept');
    });
    const before = await snapshot();
    await page.reload();
    const o2 = await openIn(page, 'tabs-reload');
    const afterReload = await snapshot();
    assert.equal(o2.peer, o.peer, 'the peer belongs to the database');
    assert.notEqual(o2.instance, o.instance, 'a reloaded page is a new instance');
    assert.deepEqual(afterReload, before, 'data and cursors unchanged');
    assert.deepEqual(afterReload.cursors, { [o.peer]: 5 }, 'four writes and the attachment');
    const w = await page.evaluate(() => e.exec([{ put: 'd', value: 'after reload' }]));
    assert.deepEqual(w, { peer: o.peer, from: 5, to: 6 }, 'the log continues where it was');
  } finally {
    await context.close();
  }
});

test('a closed page frees its instance: instances do not grow', { timeout: 45_000 }, async (t) => {
  const context = await newContext(env);
  try {
    const keeper = await openPage(env, context);
    await openIn(keeper, 'tabs-instances');
    // What the keeper counts while it is the only engine: the base line
    // (Stats.instances is documented to count this open tab as well).
    const alone = await keeper.evaluate(() => e.stats());
    const seen = [{ alone }];
    for (let i = 0; i < 3; i++) {
      const page = await openPage(env, context);
      await openIn(page, 'tabs-instances');
      await page.evaluate((i) => e.exec([{ put: `visit/${i}`, value: 'x' }]), i);
      seen.push({ open: await keeper.evaluate(() => e.stats()) });
      await page.close();
    }
    const after = await keeper.evaluate(async () => ({
      recovered: await e.recover(),
      stats: await e.stats(),
      visits: (await e.scan({ prefix: 'visit/' })).length,
      // For the report: instance locks still held (the keeper's is one).
      locksHeld: (await navigator.locks.query()).held.filter((l) => l.name.startsWith('idbsync-instance-')).length,
    }));
    seen.push({ afterRecover: after });
    const report = JSON.stringify(seen);
    t.diagnostic(`stats seen: ${report}`);
    assert.equal(after.visits, 3, 'the closed pages\' writes stay');
    assert.ok(alone.instances <= 1, `one open engine counts at most itself: ${report}`);
    assert.ok(after.stats.instances <= alone.instances + 1,
      `after recover(): the open engine plus at most one closed page not yet deregistered (≤ 2 counting the open engine): ${report}`);
    assert.equal(after.stats.changes, 0, report);
  } finally {
    await context.close();
  }
});

test('a bad message on the database\'s BroadcastChannel is ignored: no error, every engine still hears real changes', { timeout: 30_000 }, async () => {
  const context = await newContext(env);
  try {
    const [p1, p2] = [await openPage(env, context), await openPage(env, context)];
    await openIn(p1, 'tabs-bad');
    await openIn(p2, 'tabs-bad');
    // Two engines of one page on the database share its channel.
    await p2.evaluate(async () => {
      globalThis.e2 = await m.open({ name: 'tabs-bad' });
      globalThis.heard = { e: [], e2: [] };
      globalThis.cursorsHeard = [];
      e.watch({ prefix: '' }, (cs) => heard.e.push(...cs.map((c) => c.key)));
      e2.watch({ prefix: '' }, (cs) => heard.e2.push(...cs.map((c) => c.key)));
      e2.watchCursors((c) => cursorsHeard.push(T.cur(c)));
      await T.waitFor(() => cursorsHeard.length > 0, 'the snapshot');
    });
    // Any context of the origin can post on the channel.
    await p1.evaluate(async () => {
      const ch = new BroadcastChannel('idbsync:tabs-bad');
      for (const bad of [
        { type: 'changed', keys: 5 }, { type: 'changed', keys: 't/x' }, { type: 'changed', keys: [1, 2] },
        { type: 'changed', keys: ['t/a', {}] }, { type: 'changed', keys: ['t/\uD800'] }, { type: 'changed', keys: { length: 1, 0: 't/b' } },
        { type: 'changed', keys: null }, { type: 'changed' }, null, 'changed', 42, [],
      ]) ch.postMessage(bad);
      ch.close();
      await T.settle(10);
      await e.exec([{ put: 't/real', value: 'yes' }]);
    });
    const r = await p2.evaluate(async (peer) => {
      await T.waitFor(() => heard.e.includes('t/real') && heard.e2.includes('t/real'), 'both engines hear the real change');
      await T.waitFor(() => cursorsHeard.some((c) => c[peer] === 1), 'the cursors of the real change');
      return { heard };
    }, (await p1.evaluate(() => e.peer)));
    assert.deepEqual(r.heard, { e: ['t/real'], e2: ['t/real'] }, 'only the real change was delivered');
    assert.deepEqual([...p1.errors, ...p2.errors], [], 'no uncaught error in either page');
  } finally {
    await context.close();
  }
});
