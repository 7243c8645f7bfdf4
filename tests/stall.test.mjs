// The page's main thread while idbsync works (DESIGN.md, "Where the engine
// runs in the browser"): with worker: 'shared' the engine runs in a
// SharedWorker and the page only packs, posts and unpacks; with worker:
// false the Go module runs on the page's thread. For each call below, in a
// fresh context per mode, a setTimeout(0) loop runs in the page and the
// longest gap between two of its turns is the call's stall (setTimeout is
// clamped to 4 ms once nested, so an idle page shows gaps of about 4-5 ms).
// Beside it, the longest task the page ran meanwhile (the Long Tasks API
// reports those of 50 ms or more): a gap with no long task in it is the
// page's thread waiting for a CPU (the worker, the browser's IndexedDB
// backend and whatever else runs on the machine), not the page's own work.
//
// The figures are printed (t.diagnostic), never asserted: they depend on the
// machine and on what else runs on it. What is asserted could fail: each
// call's result, the mode each engine runs in, and that in 'shared' mode the
// page never loaded the Go module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage } from './lib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

/** The calls' sizes. */
const N = {
  exec: 10_000, // ops in one exec
  apply: 2_000, // entries in one applied batch
  scan: 5_000, // rows one scan returns
  blob: 8 << 20, // bytes of one putBlob
  syncExecs: 5, // execs of syncPerExec ops that the sync carries
  syncPerExec: 10_000,
};

/**
 * In-page helpers (an init script): S.measure(fn) runs fn while a
 * setTimeout(0) loop ticks and resolves to {value, ms, stall, ticks,
 * longTask}: fn's result, how long it took, the longest gap between two
 * turns of the loop from just before fn was called until the loop's first
 * turn after it resolved, the loop's turns meanwhile, and the longest task
 * of 50 ms or more that overlapped the window (0: none).
 */
function installStall() {
  globalThis.S = {
    async measure(fn) {
      let on = true;
      let last;
      let max = 0;
      let ticks = 0;
      let wake = null;
      const tick = () => {
        const now = performance.now();
        if (last !== undefined) max = Math.max(max, now - last);
        last = now;
        ticks++;
        if (wake) {
          const w = wake;
          wake = null;
          w();
        }
        if (on) setTimeout(tick, 0);
      };
      const turn = () => new Promise((r) => { wake = r; });
      setTimeout(tick, 0);
      // Past the nesting clamp: the loop ticks as it will during the call.
      for (let i = 0; i < 6; i++) await turn();
      const longs = [];
      const observer = new PerformanceObserver((list) => longs.push(...list.getEntries()));
      observer.observe({ type: 'longtask' });
      max = 0;
      ticks = 0;
      const t0 = performance.now();
      try {
        const value = await fn();
        const ms = performance.now() - t0;
        await turn(); // a gap that ends after the call counts too
        const t1 = performance.now();
        longs.push(...observer.takeRecords());
        const mine = longs.filter((e) => e.startTime + e.duration >= t0 && e.startTime <= t1);
        return { value, ms, stall: max, ticks, longTask: Math.max(0, ...mine.map((e) => e.duration)) };
      } finally {
        on = false;
        observer.disconnect();
      }
    },

    /** The key of op i of an exec: zero-padded, so that keys sort as i does. */
    key: (prefix, i) => `${prefix}/${String(i).padStart(6, '0')}`,

    /** Did this page fetch idbsync.wasm, or run it (its global)? */
    moduleHere: () => ({
      global: globalThis.__idbsync !== undefined,
      fetched: performance.getEntriesByType('resource').some((e) => new URL(e.name).pathname.endsWith('.wasm')),
    }),
  };
}

/** The figures of each mode: {mode: [{call, stall, ms, ticks, longTask}]}. */
const figures = {};

/** A fresh context (its own IndexedDB, no worker running) and a page on it, with T and S. */
async function freshStallPage() {
  const context = await newContext(env);
  await context.addInitScript(installStall);
  const page = await openPage(env, context);
  return { context, page };
}

/** Runs every call in mode in a fresh context; records and checks each. */
async function measureMode(t, mode) {
  const label = mode === false ? 'false' : `'${mode}'`;
  const rows = [];
  figures[label] = rows;
  const note = (call, r) => {
    rows.push({ call, stall: r.stall, ms: r.ms, ticks: r.ticks, longTask: r.longTask });
    t.diagnostic(`worker: ${label}: ${call}: stall ${r.stall.toFixed(1)} ms, longest task ${r.longTask ? `${r.longTask.toFixed(0)} ms` : '< 50 ms'}, `
      + `call ${r.ms.toFixed(0)} ms, ${r.ticks} turns`);
  };
  const { context, page } = await freshStallPage();
  try {
    // Loading: the first open() of a fresh page. In worker mode the worker
    // starts and loads the module; in the page, open() loads it here.
    const load = await page.evaluate(async (mode) => {
      const m = await import('/idbsync.js'); // the ESM entry point itself is not what is measured
      globalThis.m = m;
      const r = await S.measure(() => m.open({ name: 'stall-a', worker: mode }));
      globalThis.a = r.value;
      return { ...r, value: { worker: a.worker, peer: a.peer } };
    }, mode);
    assert.equal(load.value.worker, mode, 'engine.worker is the mode open() was asked for');
    note('load (first open() of a fresh page)', load);

    const exec = await page.evaluate(async (n) => {
      const ops = Array.from({ length: n }, (_, i) => ({ put: S.key('x', i), value: T.bytes(100, i + 1) }));
      const r = await S.measure(() => a.exec(ops));
      return { ...r, value: { peer: r.value.peer, from: Number(r.value.from), to: Number(r.value.to) } };
    }, N.exec);
    assert.deepEqual(exec.value, { peer: load.value.peer, from: 0, to: N.exec }, 'exec: this peer\'s first indexes');
    note(`exec of ${N.exec.toLocaleString('en-US')} ops (100-byte values)`, exec);

    const apply = await page.evaluate(async ({ n, mode }) => {
      // The batch: a readSince page of another engine (untimed).
      const src = await m.open({ name: 'stall-src', worker: mode, durability: 'relaxed' });
      await src.exec(Array.from({ length: n }, (_, i) => ({ put: S.key('y', i), value: `remote ${i}` })));
      const batch = await src.readSince(src.peer, 0, n);
      await src.close();
      const r = await S.measure(() => a.apply(batch));
      const cursor = Number((await a.cursors())[src.peer]);
      const last = new TextDecoder().decode(await a.get(S.key('y', n - 1)));
      return { ...r, value: { ...r.value, cursor, last, bytes: batch.length } };
    }, { n: N.apply, mode });
    assert.deepEqual(apply.value, { applied: N.apply, skipped: 0, cursor: N.apply, last: `remote ${N.apply - 1}`, bytes: apply.value.bytes });
    note(`apply of a ${N.apply.toLocaleString('en-US')}-entry batch (${(apply.value.bytes / 1024).toFixed(0)} KiB)`, apply);

    const scan = await page.evaluate(async (n) => {
      const r = await S.measure(() => a.scan({ prefix: 'x/', limit: n }));
      const rows = r.value;
      let wrong = 0;
      for (let i = 0; i < rows.length; i++) {
        const want = T.bytes(100, i + 1);
        if (rows[i].key !== S.key('x', i) || rows[i].value.length !== 100 || rows[i].value.some((b, j) => b !== want[j])) wrong++;
      }
      return { ...r, value: { rows: rows.length, wrong } };
    }, N.scan);
    assert.deepEqual(scan.value, { rows: N.scan, wrong: 0 }, 'scan: the first rows of the exec, in key order, with their values');
    note(`scan of ${N.scan.toLocaleString('en-US')} rows`, scan);

    const blob = await page.evaluate(async (n) => {
      const bytes = T.bytes(n, 7);
      const want = await T.sha(bytes);
      const r = await S.measure(() => a.putBlob('blob/big', bytes));
      const got = await a.getBlob('blob/big');
      return { ...r, value: { length: got?.length, same: (await T.sha(got)) === want } };
    }, N.blob);
    assert.deepEqual(blob.value, { length: N.blob, same: true }, 'getBlob returns what putBlob wrote');
    note(`putBlob of ${N.blob >> 20} MiB`, blob);

    const sync = await page.evaluate(async ({ execs, per, mode }) => {
      // a: execs × per entries (untimed, relaxed); b: empty.
      const sa = await m.open({ name: 'stall-sync-a', worker: mode, durability: 'relaxed' });
      for (let e = 0; e < execs; e++) {
        await sa.exec(Array.from({ length: per }, (_, i) => ({ put: S.key(`z/${e}`, i), value: `entry ${e}.${i}` })));
      }
      const sb = await m.open({ name: 'stall-sync-b', worker: mode });
      const r = await S.measure(() => m.sync(sa, sb));
      const cursor = Number((await sb.cursors())[sa.peer]);
      const last = new TextDecoder().decode(await sb.get(S.key(`z/${execs - 1}`, per - 1)));
      const modes = [sa.worker, sb.worker];
      await sa.close();
      await sb.close();
      return { ...r, value: { toA: r.value.toA, toB: r.value.toB, cursor, last, modes } };
    }, { execs: N.syncExecs, per: N.syncPerExec, mode });
    const total = N.syncExecs * N.syncPerExec;
    assert.deepEqual(sync.value, {
      toA: 0, toB: total, cursor: total, last: `entry ${N.syncExecs - 1}.${N.syncPerExec - 1}`, modes: [mode, mode],
    }, 'sync: every entry of a reaches b, nothing goes back');
    note(`sync(a, b) of ${total.toLocaleString('en-US')} entries (a: ${N.syncExecs} execs of ${N.syncPerExec.toLocaleString('en-US')})`, sync);

    const here = await page.evaluate(async () => {
      await a.close();
      return S.moduleHere();
    });
    if (mode === false) {
      assert.deepEqual(here, { global: true, fetched: true }, 'worker: false runs the module in the page');
    } else {
      assert.deepEqual(here, { global: false, fetched: false }, `worker: ${label}: the page never fetched or ran the Go module`);
    }
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
}

// About 20 s each on the idle 2-core VM; the bound leaves room for a busy one.
test("stalls with worker: 'shared': the page packs and posts, the worker runs the module", { timeout: 120_000 }, async (t) => {
  await measureMode(t, 'shared');
});

test('stalls with worker: false: the module runs on the page\'s thread', { timeout: 120_000 }, async (t) => {
  await measureMode(t, false);
});

test('the stall table, both modes (printed, not asserted)', (t) => {
  const modes = Object.keys(figures);
  const calls = [...new Set(modes.flatMap((m) => figures[m].map((r) => r.call)))];
  const cell = (m, call) => {
    const r = figures[m].find((x) => x.call === call);
    return r ? `${r.stall.toFixed(1)} ms (task ${r.longTask ? r.longTask.toFixed(0) : '< 50'}, call ${r.ms.toFixed(0)})` : '—';
  };
  const head = ['call', ...modes.map((m) => `stall, worker: ${m}`)];
  const body = calls.map((c) => [c, ...modes.map((m) => cell(m, c))]);
  const width = head.map((_, i) => Math.max(...[head, ...body].map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  t.diagnostic('main-thread stall: the longest gap between two turns of a setTimeout(0) loop (4 ms clamp) while the call ran;');
  t.diagnostic('task: the longest task (Long Tasks API, >= 50 ms) in that window; call: how long the call took (all in ms)');
  for (const l of [line(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)]) t.diagnostic(l);
});
