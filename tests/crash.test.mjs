// Crash safety, tested by really killing things: a renderer killed with CDP
// Page.crash in a shared context, a whole browser SIGKILLed on a persistent
// profile, in the middle of an exec of 10,000 ops, of a chunked putBlob, and of
// execs that make the paged layout merge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './browser.mjs';
import { mode } from './lib.mjs';
import {
  sleep, withHelpers, testPage, crashPage, profileDir, removeProfile, launchProfile, killProfile,
} from './crashlib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

const BIG = 10_000;
let dbSeq = 0;
const fresh = (tag) => `crash-${tag}-${process.pid}-${Date.now()}-${dbSeq++}`;

// ---------------------------------------------------------------- exec ----

/** In page: opens name as globalThis.db and execs the baseline (300 ops, with dels). */
async function baseline(page, name) {
  return page.evaluate(async (name) => {
    const m = await H.mod();
    globalThis.db = await m.open({ name });
    for (let b = 0; b < 3; b++) {
      const ops = [];
      for (let i = 0; i < 100; i++) {
        ops.push(i % 10 === 9 ? { del: `base/${b}/${i - 1}` } : { put: `base/${b}/${i}`, value: `v${b}.${i}.`.repeat(1 + (i % 7)) });
      }
      await db.exec(ops);
    }
    const st = await H.state(db);
    return { peer: db.peer, cursor: st.cursors[db.peer], digest: st.digest };
  }, name);
}

/** In page: starts the exec of the 10,000 big/ ops, without waiting for it. */
async function startBigExec(page) {
  await page.evaluate((n) => {
    const ops = H.bigOps(n);
    globalThis.bigDone = undefined;
    const t0 = performance.now();
    globalThis.bigExec = db.exec(ops).then((r) => {
      globalThis.bigDone = { from: Number(r.from), to: Number(r.to), ms: performance.now() - t0 };
      return globalThis.bigDone;
    });
  }, BIG);
}

/**
 * In a page on the same storage: opens name again and reads what is there,
 * then execs again. Returns what the assertions need.
 */
async function reopenAndCheck(page, name) {
  return page.evaluate(async ({ name, n }) => {
    const m = await H.mod();
    const db = await m.open({ name });
    const cursor = Number((await db.cursors())[db.peer] ?? 0);
    const big = await db.scan({ prefix: 'big/' });
    let wrong = 0;
    const dec = new TextDecoder();
    for (let i = 0; i < big.length; i++) {
      if (big[i].key !== H.bigKey(i) || dec.decode(big[i].value) !== H.bigValue(i)) wrong++;
    }
    const gets = [];
    for (const i of [0, 1, n / 2, n - 1]) {
      const v = await db.get(H.bigKey(i));
      gets.push(v === undefined ? null : dec.decode(v) === H.bigValue(i));
    }
    const rest = (await db.scan()).filter((r) => !r.key.startsWith('big/'));
    const baseDigest = await H.digestRows(rest);
    const stats = await db.stats();
    // The reopened engine execs again: its indexes continue without a gap.
    const w = await db.exec([{ put: 'after/1', value: 'again' }, { del: 'base/0/0' }]);
    const after = Number((await db.cursors())[db.peer]);
    const idx = [];
    let bigInLog = 0;
    for (let from = 0; from < after;) {
      const batch = m.decode(await db.readSince(db.peer, from, 5000));
      if (batch.length === 0) break;
      for (const e of batch) {
        idx.push(Number(e.idx));
        if (e.put?.startsWith('big/')) bigInLog++;
      }
      from += batch.length;
    }
    const contiguous = idx.every((v, i) => v === i);
    const again = await db.get('after/1');
    await db.close();
    return {
      peer: db.peer, layout: db.layout, rows: rest.length + big.length, cursor, bigRows: big.length, wrong, gets, baseDigest, stats,
      w: { from: Number(w.from), to: Number(w.to) }, after, logLength: idx.length, contiguous, bigInLog,
      again: again === undefined ? null : dec.decode(again),
    };
  }, { name, n: BIG });
}

/** The all-or-nothing assertions of one kill run; returns 'all' or 'none'. */
function checkAllOrNone(label, base, got) {
  // What the database held says whether the browser lost it whole (no rows,
  // a fresh peer) or the store lost its peer row.
  assert.equal(got.peer, base.peer, `${label}: the database keeps its peer (found ${got.rows} rows, cursor ${got.cursor}, `
    + `layout ${got.layout}, ${JSON.stringify(got.stats)})`);
  const all = got.cursor === base.cursor + BIG;
  assert.ok(all || got.cursor === base.cursor,
    `${label}: cursor ${got.cursor} is neither the baseline ${base.cursor} nor baseline + ${BIG}`);
  assert.equal(got.bigRows, all ? BIG : 0, `${label}: cursor ${got.cursor} but ${got.bigRows} big/ rows`);
  assert.equal(got.wrong, 0, `${label}: big/ rows with a wrong key or value`);
  assert.deepEqual(got.gets, all ? [true, true, true, true] : [null, null, null, null], `${label}: get() of big/ keys`);
  assert.equal(got.baseDigest, base.digest, `${label}: the baseline rows changed`);
  assert.equal(got.stats.changes, 0, `${label}: change log entries outstanding`);
  assert.deepEqual(got.w, { from: got.cursor, to: got.cursor + 2 }, `${label}: the next exec continues at the cursor`);
  assert.equal(got.after, got.cursor + 2);
  assert.equal(got.logLength, got.after, `${label}: the log holds every index once`);
  assert.ok(got.contiguous, `${label}: the log has a gap`);
  assert.equal(got.bigInLog, all ? BIG : 0, `${label}: big/ entries in the log`);
  assert.equal(got.again, 'again');
  return all ? 'all' : 'none';
}

let execMs; // how long the exec of 10,000 ops took, measured in the first run

test('exec of 10,000 ops killed by Page.crash: all or none, baseline intact, indexes continue', async () => {
  const context = await withHelpers(await env.browser.newContext());
  const outcomes = [];
  // The first run measures the exec and kills after it resolved; the others
  // kill at fixed moments and at fractions of the measured duration.
  const moments = ['resolved', 0, 300, 0.7];
  for (const moment of moments) {
    const name = fresh('exec');
    const page1 = await testPage(context, env.url, 'writer');
    const base = await baseline(page1, name);
    let delay = null;
    if (moment === 'resolved') {
      const r = await page1.evaluate(async (n) => {
        const ops = H.bigOps(n);
        // A 20 ms timer notes how long the page's event loop went without a turn.
        let last = performance.now();
        let stall = 0;
        const timer = setInterval(() => {
          const now = performance.now();
          stall = Math.max(stall, now - last);
          last = now;
        }, 20);
        const t0 = performance.now();
        const w = await db.exec(ops);
        const ms = performance.now() - t0;
        clearInterval(timer);
        stall = Math.max(stall, performance.now() - last);
        return { ms, stall, from: Number(w.from), to: Number(w.to) };
      }, BIG);
      execMs = r.ms;
      console.log(`measure: exec of ${BIG} ops (100-byte values) in one batch took ${r.ms.toFixed(0)} ms; `
        + `the page's event loop went up to ${r.stall.toFixed(0)} ms without a turn meanwhile`);
      assert.deepEqual([r.from, r.to], [base.cursor, base.cursor + BIG]);
    } else {
      delay = moment < 1 && moment > 0 ? Math.round(moment * execMs) : moment;
      await startBigExec(page1);
      await sleep(delay);
    }
    const t0 = Date.now();
    await crashPage(context, page1);
    const crashLag = Date.now() - t0;
    const page2 = await testPage(context, env.url, 'reader');
    const got = await reopenAndCheck(page2, name);
    const label = `Page.crash ${moment === 'resolved' ? 'after exec resolved' : `${delay} ms after exec started`}`;
    const outcome = checkAllOrNone(label, base, got);
    if (moment === 'resolved') assert.equal(outcome, 'all', 'an exec that resolved is durable');
    outcomes.push(`${label} (crash landed ${crashLag} ms after it was sent): ${outcome}`);
    assert.deepEqual(page2.errors, []);
    await page2.close();
    await page1.close().catch(() => {});
  }
  console.log(`exec kill runs (Page.crash):\n  ${outcomes.join('\n  ')}`);
  await context.close();
});

test('exec of 10,000 ops killed by SIGKILL of the browser (persistent profile): all or none after relaunch', async () => {
  // One profile; each run's database is checked in the browser relaunched
  // after its kill, which then starts the next run.
  const outcomes = [];
  const moments = [0.3, 0.55, 0.8, 'resolved'];
  const dir = await profileDir('exec');
  let context = await launchProfile(dir);
  try {
    let pending = null;
    for (let run = 0; run <= moments.length; run++) {
      const page = await testPage(context, env.url, `run ${run}`);
      if (pending) {
        const got = await reopenAndCheck(page, pending.name);
        const outcome = checkAllOrNone(pending.label, pending.base, got);
        if (pending.resolved) assert.equal(outcome, 'all', 'an exec that resolved survives a browser SIGKILL');
        outcomes.push(`${pending.label}: ${outcome}`);
        assert.deepEqual(page.errors, []);
      }
      if (run === moments.length) break;
      const name = fresh('sigkill');
      const base = await baseline(page, name);
      execMs ??= 4000; // when run alone
      const moment = moments[run];
      await startBigExec(page);
      let label;
      if (moment === 'resolved') {
        const done = await page.evaluate(() => globalThis.bigExec);
        label = `SIGKILL after exec resolved (in ${done.ms.toFixed(0)} ms)`;
      } else {
        const delay = Math.round(moment * execMs);
        await sleep(delay);
        label = `SIGKILL ${delay} ms after exec started (${moment} of ${execMs.toFixed(0)} ms)`;
      }
      await killProfile(context, dir);
      context = await launchProfile(dir);
      pending = { name, base, label, resolved: moment === 'resolved' };
    }
  } finally {
    await context.close().catch(() => {});
    await removeProfile(dir);
  }
  console.log(`exec kill runs (browser SIGKILL):\n  ${outcomes.join('\n  ')}`);
});

// ---------------------------------------------------------------- blobs ----

const MiB = 1 << 20;

/** In page1: opens name, writes the 1 MiB baseline blob; returns the digests of old and new values. */
async function blobBaseline(page, name, newSize) {
  return page.evaluate(async ({ name, newSize }) => {
    const m = await H.mod();
    globalThis.db = await m.open({ name });
    const old = H.bytes(1 << 20, 1);
    await db.putBlob('att', old);
    const back = await db.getBlob('att');
    globalThis.newBlob = H.bytes(newSize, 2);
    return {
      old: await H.sha(old), back: await H.sha(back), new: await H.sha(globalThis.newBlob),
      stats: await db.stats(),
    };
  }, { name, newSize });
}

/** In page1: starts putBlob of the new value; records its end. */
async function startBlobPut(page) {
  await page.evaluate(() => {
    const t0 = performance.now();
    globalThis.blobDone = undefined;
    globalThis.blobPromise = db.putBlob('att', globalThis.newBlob).then(
      () => { globalThis.blobDone = { ok: true, ms: performance.now() - t0 }; },
      (e) => { globalThis.blobDone = { ok: false, code: e.code, message: e.message }; })
      .then(() => globalThis.blobDone);
  });
}

/**
 * In page: with db (open already, or opened now) polls stats() for up to
 * pollMs, leaving the work to the recovery open() started; then calls
 * recover() and stats() until nothing is left to do or 10 s passed.
 */
async function recoverUntilClean(page, name, pollMs) {
  return page.evaluate(async ({ name, pollMs }) => {
    const m = await H.mod();
    const t0 = performance.now();
    globalThis.db ??= await m.open({ name });
    const opened = performance.now() - t0;
    // Nothing left to do: no change outstanding, no orphan, no dead tab unclaimed.
    const clean = (s) => s.changes === 0 && s.blobs === s.referenced && !s.dead;
    const first = await db.stats();
    let s = first;
    while (!clean(s) && performance.now() - t0 < pollMs) {
      await new Promise((ok) => setTimeout(ok, 50));
      s = await db.stats();
    }
    const byItself = clean(s);
    let rounds = 0;
    while (!clean(s) && performance.now() - t0 < 10_000) {
      await db.recover();
      rounds++;
      s = await db.stats();
      if (!clean(s)) await new Promise((ok) => setTimeout(ok, 50));
    }
    const ms = performance.now() - t0;
    const blob = await db.getBlob('att');
    return {
      opened, first, last: s, byItself, rounds, ms,
      size: blob?.length ?? null, sha: blob === undefined ? null : await H.sha(blob),
    };
  }, { name, pollMs });
}

function checkBlob(label, digests, got, newSize) {
  assert.ok(got.last.changes === 0 && got.last.blobs === got.last.referenced,
    `${label}: recovery did not finish within 10 s: ${JSON.stringify(got.last)}`);
  // The key's bytes, and at most the other value's when the crash fell
  // between an attachment's bytes and its entry (or the entry and dropping
  // the replaced bytes): no key references those, and the attachment sweep
  // collects them after its grace.
  assert.ok(got.last.referenced >= 1 && got.last.referenced <= 2 && got.last.referenced === got.last.contents,
    `${label}: the value's bytes, and at most one attachment's for the sweep: ${JSON.stringify(got.last)}`);
  assert.equal(got.last.dead, 0, `${label}: the dead tab was claimed`);
  assert.equal(got.last.instances, 1, `${label}: only the recovering tab is registered`);
  assert.ok(got.ms < 10_000, `${label}: recovery took ${got.ms} ms`);
  assert.ok(got.sha === digests.old || got.sha === digests.new,
    `${label}: getBlob is neither the old 1 MiB nor the new value (size ${got.size})`);
  if (got.sha === digests.old) assert.equal(got.size, MiB);
  else assert.equal(got.size, newSize);
  return got.sha === digests.old ? 'old' : 'new';
}

const describeRun = (r) => `${r.first.changes} change(s), ${r.first.blobs - r.first.referenced} unreferenced blob(s) left; `
  + `clean after ${r.byItself ? 'the recovery open() started' : `${r.rounds} recover() round(s)`}, ${r.ms.toFixed(0)} ms (instances ${r.first.instances} -> ${r.last.instances}, dead ${r.first.dead} -> ${r.last.dead})`;

test('putBlob killed mid-write (Page.crash): a second page recovers at once, old or new value', async () => {
  const context = await withHelpers(await env.browser.newContext());
  const size = 8 * MiB;
  const outcomes = [];
  let putMs;
  for (const moment of ['resolved', 30, 0.5]) {
    const name = fresh('blob');
    const page1 = await testPage(context, env.url, 'writer');
    const digests = await blobBaseline(page1, name, size);
    assert.equal(digests.back, digests.old, 'the baseline reads back');
    assert.deepEqual(digests.stats, { ...digests.stats, blobs: 1, referenced: 1, changes: 0 });
    let delay = null;
    if (moment === 'resolved') {
      putMs = await page1.evaluate(async () => {
        const t0 = performance.now();
        await db.putBlob('att', globalThis.newBlob);
        return performance.now() - t0;
      });
      console.log(`measure: putBlob of 8 MiB took ${putMs.toFixed(0)} ms`);
    } else {
      delay = moment > 0 && moment < 1 ? Math.round(moment * putMs) : moment;
      await startBlobPut(page1);
      await sleep(delay);
    }
    await crashPage(context, page1);
    const page2 = await testPage(context, env.url, 'recoverer');
    const got = await recoverUntilClean(page2, name, 5000);
    const label = `Page.crash ${delay === null ? 'after putBlob resolved' : `${delay} ms into putBlob`}`;
    const outcome = checkBlob(label, digests, got, size);
    if (delay === null) assert.equal(outcome, 'new');
    outcomes.push(`${label}: ${outcome} value; at open ${describeRun(got)}`);
    assert.deepEqual(page2.errors, []);
    await page2.close();
  }
  console.log(`putBlob kill runs (recovered by a page opened after the crash):\n  ${outcomes.join('\n  ')}`);
  await context.close();
});

test('putBlob killed while a second page is open: its recover() cleans up at once', async () => {
  const context = await withHelpers(await env.browser.newContext());
  const size = 8 * MiB;
  const outcomes = [];
  for (const delay of [20, 150]) {
    const name = fresh('blob2');
    const page2 = await testPage(context, env.url, 'recoverer');
    await page2.evaluate(async (name) => {
      const m = await H.mod();
      globalThis.db = await m.open({ name });
    }, name);
    const page1 = await testPage(context, env.url, 'writer');
    const digests = await blobBaseline(page1, name, size);
    await startBlobPut(page1);
    await sleep(delay);
    await crashPage(context, page1);
    const got = await recoverUntilClean(page2, name, 0);
    const label = `Page.crash ${delay} ms into putBlob`;
    const outcome = checkBlob(label, digests, got, size);
    outcomes.push(`${label}: ${outcome} value; ${describeRun(got)}`);
    // Both pages of the database agree (page 2 reads after its recovery).
    assert.deepEqual(page2.errors, []);
    await page2.close();
  }
  console.log(`putBlob kill runs (recovered by a page open during the crash):\n  ${outcomes.join('\n  ')}`);
  await context.close();
});

test('putBlob killed by SIGKILL of the browser: after relaunch the value is old or new, nothing left over', async () => {
  const size = 8 * MiB;
  const outcomes = [];
  for (const delay of [80]) {
    const dir = await profileDir('blob');
    const name = fresh('blob-sigkill');
    try {
      let context = await launchProfile(dir);
      const page1 = await testPage(context, env.url, 'writer');
      const digests = await blobBaseline(page1, name, size);
      await startBlobPut(page1);
      await sleep(delay);
      await killProfile(context, dir);
      context = await launchProfile(dir);
      const page2 = await testPage(context, env.url, 'recoverer');
      const got = await recoverUntilClean(page2, name, 5000);
      const label = `SIGKILL ${delay} ms into putBlob`;
      const outcome = checkBlob(label, digests, got, size);
      outcomes.push(`${label}: ${outcome} value; at open ${describeRun(got)}`);
      assert.deepEqual(page2.errors, []);
      await context.close();
    } finally {
      await removeProfile(dir);
    }
  }
  console.log(`putBlob kill runs (browser SIGKILL):\n  ${outcomes.join('\n  ')}`);
});

test('a live tab is never collected: recover() in another page during a slow putBlob', async () => {
  const context = await withHelpers(await env.browser.newContext());
  const name = fresh('live');
  const size = 64 * MiB; // slow enough for several rounds now that chunks go 16 to a transaction
  const page1 = await testPage(context, env.url, 'writer');
  const page2 = await testPage(context, env.url, 'recoverer');
  const digests = await blobBaseline(page1, name, size);
  await page2.evaluate(async (name) => {
    const m = await H.mod();
    globalThis.db = await m.open({ name });
  }, name);
  // Page 2 runs recovery rounds in a loop of its own while page 1 writes.
  await page2.evaluate(() => {
    globalThis.rounds = [];
    globalThis.stopRounds = false;
    globalThis.roundLoop = (async () => {
      while (!globalThis.stopRounds) {
        const before = await db.stats();
        const cleaned = await db.recover();
        globalThis.rounds.push({ before, cleaned });
        await new Promise((ok) => setTimeout(ok, 10));
      }
    })();
  });
  // Three writes one after another, so that rounds overlap one even where
  // both pages share one worker (their calls then take turns).
  const done = await page1.evaluate(async () => {
    const t0 = performance.now();
    try {
      for (let i = 0; i < 3; i++) await db.putBlob('att', i === 1 ? globalThis.newBlob.subarray(1) : globalThis.newBlob); // other bytes each time: each is written
      return { ok: true, ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, code: e.code, message: e.message };
    }
  });
  const rounds = await page2.evaluate(async () => {
    globalThis.stopRounds = true;
    await globalThis.roundLoop;
    return globalThis.rounds;
  });
  assert.deepEqual(done, { ...done, ok: true }, `page 1's putBlob failed: ${JSON.stringify(done)}`);
  const overlapping = rounds.filter((r) => r.before.changes > 0).length;
  console.log(`measure: 3 putBlobs of 64 MiB took ${done.ms.toFixed(0)} ms; page 2 ran ${rounds.length} recover() rounds, `
    + `${overlapping} of them with the write outstanding`);
  assert.ok(overlapping >= 1, `only ${overlapping} recover() rounds overlapped the write`);
  assert.deepEqual(rounds.map((r) => r.cleaned), rounds.map(() => 0), 'page 2 cleaned up a live tab\'s change');
  const read = (page) => page.evaluate(async () => {
    const b = await db.getBlob('att');
    return { sha: b === undefined ? null : await H.sha(b), stats: await db.stats() };
  });
  const [r1, r2] = [await read(page1), await read(page2)];
  assert.equal(r1.sha, digests.new, 'page 1 reads its new value');
  assert.equal(r2.sha, digests.new, 'page 2 reads the new value');
  for (const s of [r1.stats, r2.stats]) {
    assert.equal(s.changes, 0);
    assert.equal(s.blobs, s.referenced);
    assert.equal(s.referenced, 1);
  }
  assert.deepEqual([...page1.errors, ...page2.errors], []);
  await context.close();
});

// --------------------------------------------------------------- merges ----

const MERGE_OPS = 2_000;

/**
 * In page: opens name and checks what the execs of earlier runs left: exec
 * k wrote MERGE_OPS keys m/k/i, so every exec is whole or absent, and those
 * present are a prefix. Returns their count, the cursor and the layout's
 * generation (how many merges every handle made).
 */
async function mergeState(page, name) {
  return page.evaluate(async ({ name, n }) => {
    const m = await H.mod();
    globalThis.db = await m.open({ name });
    const rows = await db.scan({ prefix: 'm/' });
    const per = new Map();
    let wrong = 0;
    const dec = new TextDecoder();
    for (const r of rows) {
      const [, k, i] = r.key.split('/');
      per.set(Number(k), (per.get(Number(k)) ?? 0) + 1);
      if (dec.decode(r.value) !== `exec ${Number(k)} op ${Number(i)} `.repeat(5)) wrong++;
    }
    const execs = per.size;
    const whole = [...per.entries()].every(([k, c]) => k < execs && c === n);
    const stats = await db.stats();
    return {
      execs, whole, wrong, rows: rows.length, cursor: Number((await db.cursors())[db.peer] ?? 0),
      layout: db.layout, generation: stats.paged?.generation, unmerged: stats.paged?.unmerged, changes: stats.changes,
    };
  }, { name, n: MERGE_OPS });
}

// The store is the same whichever worker runs it: this one runs with the
// default only (tests/inpage/ and tests/dedicated/ import this file).
const storeTest = mode === undefined ? test : () => {};

storeTest('execs killed by SIGKILL of the browser while merges run (paged layout): each exec whole or absent, none lost once resolved', async () => {
  const dir = await profileDir('merge');
  let context = await launchProfile(dir);
  const name = fresh('merge');
  const outcomes = [];
  try {
    let first = null;
    let resolved = 0;
    for (const delay of [1500, 2600, 3700, 900, null]) {
      const page = await testPage(context, env.url, 'merges');
      const st = await mergeState(page, name);
      first ??= st;
      assert.equal(st.layout, 'paged');
      assert.ok(st.whole, `every exec is whole, and those there are the first ${st.execs}: ${JSON.stringify(st)}`);
      assert.equal(st.wrong, 0, 'rows with a wrong value');
      assert.equal(st.cursor, st.execs * MERGE_OPS, 'the log holds exactly the execs whose rows are there');
      assert.ok(st.execs >= resolved, `${resolved} execs had resolved before the kill, ${st.execs} are there`);
      assert.ok(st.execs <= resolved + 1, `at most the exec in flight lands besides: ${st.execs} after ${resolved}`);
      assert.deepEqual(page.errors, []);
      if (delay === null) {
        outcomes.push(`finally: ${st.execs} execs, ${st.generation - first.generation} merges over the runs, ${st.unmerged} rows unmerged`);
        assert.ok(st.generation - first.generation >= 3, `merges ran: generation ${first.generation} -> ${st.generation}`);
        break;
      }
      // Execs one after another, until the kill; resolved ones are counted.
      await page.evaluate(({ from, n }) => {
        globalThis.resolved = from;
        globalThis.stopping = false;
        (async () => {
          // Once stopping is set no exec starts: the one in flight is all
          // that may land besides those counted.
          for (let k = from; !globalThis.stopping; k++) {
            const ops = [];
            for (let i = 0; i < n; i++) ops.push({ put: `m/${String(k).padStart(4, '0')}/${String(i).padStart(5, '0')}`, value: `exec ${k} op ${i} `.repeat(5) });
            await db.exec(ops);
            globalThis.resolved = k + 1;
          }
        })();
      }, { from: st.execs, n: MERGE_OPS });
      await sleep(delay);
      resolved = await page.evaluate(() => {
        globalThis.stopping = true;
        return globalThis.resolved;
      });
      await killProfile(context, dir);
      outcomes.push(`SIGKILL ${delay} ms into the execs: ${resolved} resolved before it`);
      context = await launchProfile(dir);
    }
  } finally {
    await context.close().catch(() => {});
    await removeProfile(dir);
  }
  console.log(`merge kill runs (browser SIGKILL):\n  ${outcomes.join('\n  ')}`);
});
