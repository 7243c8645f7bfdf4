// The whole JavaScript API on one page, as a web developer uses it
// (web/idbsync.d.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, freshPage, UUID } from './lib.mjs';

// One page for the whole file (the module loads once): every test uses
// database names of its own, so none sees another's data.
let env;
let context;
let page;
before(async () => {
  env = await start();
  ({ context, page } = await freshPage(env));
  await page.evaluate(async () => { await (await T.load()).load(); });
});
after(async () => {
  await context?.close();
  await env?.stop();
});

/** Runs fn in the page; fails on any uncaught error it left there. */
async function inPage(fn, arg) {
  const errors = page.errors.length;
  const out = await page.evaluate(fn, arg);
  assert.deepEqual(page.errors.slice(errors), [], 'no uncaught errors in the page');
  return out;
}

/** UTF-8 byte order, the order scan() promises (keys compare as bytes). */
const byUTF8 = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

test('open: a peer per database, shared by the engines of one page, fixed once chosen', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const a = await m.open({ name: 'api-open' });
    const b = await m.open({ name: 'api-open' });
    const chosen = crypto.randomUUID();
    const c = await m.open({ name: 'api-open-chosen', peer: chosen });
    const wrong = await T.outcome(() => m.open({ name: 'api-open', peer: crypto.randomUUID() }));
    // The same peer, given explicitly (upper case too), is fine.
    const same = await m.open({ name: 'api-open', peer: a.peer.toUpperCase() });
    // The rejected open released nothing the others use.
    const afterWrong = await T.outcome(() => a.exec([{ put: 'k', value: 'v' }]));
    const got = T.arr(await b.get('k'));
    return {
      a: { name: a.name, peer: a.peer, instance: a.instance },
      b: { peer: b.peer, instance: b.instance },
      c: { peer: c.peer, instance: c.instance },
      same: same.peer,
      chosen, wrong, afterWrong, got,
      version: m.version(),
    };
  });
  assert.equal(r.a.name, 'api-open');
  assert.match(r.a.peer, UUID, 'engine.peer is a lowercase uuid');
  assert.match(r.a.instance, UUID, 'engine.instance is a uuid');
  assert.equal(r.b.peer, r.a.peer, 'opening again shares the peer');
  assert.equal(r.b.instance, r.a.instance, 'one page is one change log instance');
  assert.equal(r.c.peer, r.chosen, 'open({peer}) of a fresh database uses that peer');
  assert.notEqual(r.c.peer, r.a.peer);
  assert.equal(r.same, r.a.peer);
  assert.equal(r.wrong.kind, 'rejected', 'another peer for an existing database rejects');
  assert.equal(r.wrong.code, 'INVALID_ARGUMENT');
  assert.match(r.wrong.message, new RegExp(r.a.peer), 'the message names the database\'s peer');
  assert.equal(r.afterWrong.kind, 'resolved', `the other engines still work: ${JSON.stringify(r.afterWrong)}`);
  assert.deepEqual(r.got, [118]);
  assert.equal(typeof r.version, 'string');
});

test('exec, get and scan: values, deletes, consecutive ranges, ascending scans', { timeout: 30_000 }, async () => {
  const uni = 'ключ/日本/🎉';
  const r = await inPage(async (uni) => {
    const m = await T.load();
    const e = await m.open({ name: 'api-exec' });
    const w = [];
    w.push(await e.exec([{ put: 'a', value: '1' }, { put: 'b', value: new Uint8Array([0, 255, 1]) }]));
    w.push(await e.exec([{ put: 'empty', value: '' }, { put: uni, value: 'ü' }, { put: 'empty-bytes', value: new Uint8Array(0) }]));
    w.push(await e.exec([{ del: 'a' }]));
    w.push(await e.exec([{ del: 'never-written' }]));
    // Within one exec, later ops see earlier ones: the last write wins.
    w.push(await e.exec([{ put: 'twice', value: 'first' }, { put: 'twice', value: 'second' }]));
    w.push(await e.exec([{ put: 'gone', value: 'x' }, { del: 'gone' }]));
    for (const k of ['p/1', 'p/2', 'p/3', 'p/4', 'p/5', 'q/1', 'o/9']) w.push(await e.exec([{ put: k, value: k }]));
    w.push(await e.exec([{ del: 'p/3' }]));
    const got = {};
    for (const k of ['a', 'b', 'empty', 'empty-bytes', uni, 'missing', 'never-written', 'twice', 'gone']) {
      const v = await e.get(k);
      got[k] = v === undefined ? 'undefined' : { isU8: v instanceof Uint8Array, bytes: Array.from(v) };
    }
    const scan = async (o) => (await e.scan(o)).map((row) => row.key);
    const all = await e.scan();
    return {
      peer: e.peer,
      w,
      got,
      allKeys: all.map((row) => row.key),
      allU8: all.every((row) => row.value instanceof Uint8Array),
      allRows: T.rows(all),
      emptyArg: await scan({}),
      prefix: await scan({ prefix: 'p/' }),
      start: await scan({ prefix: 'p/', start: 'p/2' }),
      startDeleted: await scan({ prefix: 'p/', start: 'p/3' }),
      startBefore: await scan({ prefix: 'p/', start: 'a' }),
      startAfter: await scan({ prefix: 'p/', start: 'p/6' }),
      limit: await scan({ prefix: 'p/', limit: 2 }),
      startLimit: await scan({ prefix: 'p/', start: 'p/2', limit: 2 }),
      startOnly: await scan({ start: 'p/4' }),
      noMatch: await scan({ prefix: 'zzz' }),
      uniPrefix: await scan({ prefix: 'ключ/' }),
      utf8: { uni: T.utf8(uni), u: T.utf8('ü') },
    };
  }, uni);

  // {peer, from, to}: consecutive ranges, one index per op.
  const sizes = [2, 3, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1];
  let at = 0;
  r.w.forEach((w, i) => {
    assert.deepEqual(w, { peer: r.peer, from: at, to: at + sizes[i] }, `exec ${i}`);
    at += sizes[i];
  });

  const bytes = (a) => ({ isU8: true, bytes: a });
  assert.equal(r.got.a, 'undefined', 'a deleted key reads undefined');
  assert.deepEqual(r.got.b, bytes([0, 255, 1]), 'Uint8Array values round-trip byte-exact');
  assert.deepEqual(r.got.empty, bytes([]), 'an empty string value is an empty Uint8Array, not undefined');
  assert.deepEqual(r.got['empty-bytes'], bytes([]));
  assert.deepEqual(r.got[uni], bytes(r.utf8.u), 'strings are stored as UTF-8; unicode keys work');
  assert.equal(r.got.missing, 'undefined');
  assert.equal(r.got['never-written'], 'undefined');
  assert.deepEqual(r.got.twice, bytes([...Buffer.from('second')]), 'the later op of one exec wins');
  assert.equal(r.got.gone, 'undefined', 'a put then a del in one exec leaves nothing');

  const live = ['b', 'empty', 'empty-bytes', uni, 'twice', 'p/1', 'p/2', 'p/4', 'p/5', 'q/1', 'o/9'].sort(byUTF8);
  assert.deepEqual(r.allKeys, live, 'scan(): every live key, ascending, deleted ones skipped');
  assert.equal(r.allU8, true, 'scan values are Uint8Arrays');
  assert.deepEqual(r.allRows.find((x) => x.key === 'b').value, [0, 255, 1]);
  assert.deepEqual(r.allRows.find((x) => x.key === 'p/4').value, [...Buffer.from('p/4')]);
  assert.deepEqual(r.emptyArg, live);
  assert.deepEqual(r.prefix, ['p/1', 'p/2', 'p/4', 'p/5']);
  assert.deepEqual(r.start, ['p/2', 'p/4', 'p/5'], 'start is inclusive');
  assert.deepEqual(r.startDeleted, ['p/4', 'p/5'], 'a start on a deleted key begins after it');
  assert.deepEqual(r.startBefore, ['p/1', 'p/2', 'p/4', 'p/5'], 'a start before the prefix changes nothing');
  assert.deepEqual(r.startAfter, []);
  assert.deepEqual(r.limit, ['p/1', 'p/2']);
  assert.deepEqual(r.startLimit, ['p/2', 'p/4']);
  assert.deepEqual(r.startOnly, live.filter((k) => byUTF8(k, 'p/4') >= 0));
  assert.deepEqual(r.noMatch, []);
  assert.deepEqual(r.uniPrefix, [uni]);
});

test('cursors, readSince, decode and apply; a gap is CURSOR_MISMATCH and writes nothing', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const a = await m.open({ name: 'api-log-a' });
    const b = await m.open({ name: 'api-log-b' });
    const c = await m.open({ name: 'api-log-c' });
    const before = T.cur(await a.cursors());
    await a.exec([{ put: 'x', value: 'one' }, { put: 'y', value: new Uint8Array([7]) }]);
    await a.exec([{ del: 'x' }, { put: 'z', value: '' }]);
    const cursors = T.cur(await a.cursors());
    const batch = await a.readSince(a.peer, 0, 100);
    const entries = m.decode(batch);
    const viaMethod = a.decode(batch).map(T.entry);
    const tsBig = entries.every((en) => typeof en.ts === 'bigint');
    const tsIncreasing = entries.every((en, i) => i === 0 || en.ts > entries[i - 1].ts);
    const middle = m.decode(await a.readSince(a.peer, 1, 2)).map((en) => en.idx);
    const tail = m.decode(await a.readSince(a.peer, 3, 100)).map((en) => en.idx);
    const past = m.decode(await a.readSince(a.peer, 4, 100)).length;
    const unknownPeer = m.decode(await a.readSince(crypto.randomUUID(), 0, 100)).length;

    const first = await b.apply(batch);
    const again = await b.apply(batch);
    const bCursors = T.cur(await b.cursors());
    const bRows = T.rows(await b.scan());
    const aRows = T.rows(await a.scan());
    const bY = T.arr(await b.get('y'));
    const bX = T.arr(await b.get('x'));

    // Overlap: two old, one new.
    await a.exec([{ put: 'w', value: 'new' }]);
    const overlap = await b.apply(await a.readSince(a.peer, 2, 100));

    // A replica that has nothing of a.peer gets entries from index 1: a hole.
    const cBefore = { cursors: T.cur(await c.cursors()), rows: T.rows(await c.scan()) };
    const gapBatch = await a.readSince(a.peer, 1, 100);
    const mismatch = await T.outcome(() => c.apply(gapBatch));
    const cAfter = { cursors: T.cur(await c.cursors()), rows: T.rows(await c.scan()) };
    // b has 0..3 plus 4 now; a batch starting at 6 of a peer at 5 is a hole too.
    await a.exec([{ put: 'v', value: '6' }]);
    await a.exec([{ put: 'u', value: '7' }]);
    const aheadBatch = await a.readSince(a.peer, 6, 10);
    const ahead = await T.outcome(() => b.apply(aheadBatch));
    return {
      peer: a.peer, before, cursors, entries: entries.map(T.entry), viaMethod, tsBig, tsIncreasing,
      middle, tail, past, unknownPeer, first, again, bCursors, bRows, aRows, bY, bX, overlap,
      cBefore, cAfter, mismatch, ahead,
    };
  });
  assert.deepEqual(r.before, {}, 'a fresh database has no cursors');
  assert.deepEqual(r.cursors, { [r.peer]: 4 });
  assert.equal(r.entries.length, 4);
  r.entries.forEach((en, i) => {
    assert.equal(en.peer, r.peer);
    assert.equal(en.idx, i);
    assert.match(en.ts, /^\d+$/);
  });
  assert.equal(r.tsBig, true, 'ts is a BigInt');
  assert.equal(r.tsIncreasing, true, 'a peer\'s timestamps strictly increase');
  const strip = ({ ts, ...rest }) => rest;
  assert.deepEqual(r.entries.map(strip), [
    { peer: r.peer, idx: 0, put: 'x', value: [...Buffer.from('one')] },
    { peer: r.peer, idx: 1, put: 'y', value: [7] },
    { peer: r.peer, idx: 2, del: 'x' },
    { peer: r.peer, idx: 3, put: 'z', value: [] },
  ]);
  assert.deepEqual(r.viaMethod, r.entries, 'engine.decode is decode');
  assert.deepEqual(r.middle, [1, 2], 'readSince(peer, from, limit): from on, at most limit');
  assert.deepEqual(r.tail, [3]);
  assert.equal(r.past, 0);
  assert.equal(r.unknownPeer, 0);

  assert.deepEqual(r.first, { applied: 4, skipped: 0 });
  assert.deepEqual(r.again, { applied: 0, skipped: 4 }, 'applying again is all skipped');
  assert.deepEqual(r.bCursors, { [r.peer]: 4 });
  assert.deepEqual(r.bRows, r.aRows, 'the replica has the same state');
  assert.deepEqual(r.bY, [7]);
  assert.equal(r.bX, undefined);
  assert.deepEqual(r.overlap, { applied: 1, skipped: 2 });

  assert.equal(r.mismatch.kind, 'rejected');
  assert.equal(r.mismatch.code, 'CURSOR_MISMATCH');
  assert.equal(r.mismatch.expected, '0', 'expected: the next index the replica wants');
  assert.equal(r.mismatch.actual, '1', 'actual: the index offered');
  assert.deepEqual(r.cAfter, r.cBefore, 'a rejected apply writes nothing');
  assert.deepEqual(r.cAfter, { cursors: {}, rows: [] });
  assert.equal(r.ahead.kind, 'rejected');
  assert.equal(r.ahead.code, 'CURSOR_MISMATCH');
  assert.equal(r.ahead.expected, '5');
  assert.equal(r.ahead.actual, '6');
});

test('expunge: the content goes from the log and the state, the expunge is an entry, it reaches a replica that had the entry', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const a = await m.open({ name: 'api-expunge' });
    const b = await m.open({ name: 'api-expunge-b' });
    await a.exec([{ put: 'k0', value: 'zero' }, { put: 'k1', value: 'one' }, { put: 'k2', value: 'two' }]);
    await a.exec([{ put: 'k0', value: 'zero again' }]);
    const beforeEntries = m.decode(await a.readSince(a.peer, 0, 10)).map(T.entry);
    // b holds the entries before the expunge.
    const applied = await b.apply(await a.readSince(a.peer, 0, 10));
    const seen = [];
    const stop = a.watch({ prefix: 'k' }, (changes) => seen.push(...changes.map((c) => c.key)));
    const res = await a.expunge(a.peer, 1);
    const again = await T.outcome(() => a.expunge(a.peer, 1));
    const undoOverwrite = await a.expunge(a.peer, 3);
    const cursors = T.cur(await a.cursors());
    const entries = m.decode(await a.readSince(a.peer, 0, 10)).map(T.entry);
    const k0 = T.arr(await a.get('k0'));
    const k1 = T.arr(await a.get('k1'));
    const missing = await T.outcome(() => a.expunge(a.peer, 99));
    const unknownPeer = await T.outcome(() => a.expunge(crypto.randomUUID(), 0));
    // The expunge travels as an entry: b replaces its copy.
    const appliedLater = await b.apply(await a.readSince(a.peer, 4, 10));
    const bEntries = m.decode(await b.readSince(a.peer, 0, 10)).map(T.entry);
    const bK0 = T.arr(await b.get('k0'));
    const bK1 = T.arr(await b.get('k1'));
    const bK2 = T.arr(await b.get('k2'));
    await new Promise((ok) => setTimeout(ok, 50));
    stop();
    const next = await a.exec([{ put: 'k3', value: 'three' }]);
    return { peer: a.peer, res, again, undoOverwrite, cursors, beforeEntries, entries, k0, k1, missing, unknownPeer, applied, appliedLater, bEntries, bK0, bK1, bK2, seen, next };
  });
  assert.equal(r.res, undefined, 'expunge resolves to undefined');
  assert.equal(r.again.kind, 'resolved', 'expunging a marker again is fine');
  assert.deepEqual(r.cursors, { [r.peer]: 6 }, 'each expunge is an entry of the expunging replica');
  assert.equal(r.entries.length, 6);
  assert.deepEqual(r.entries[0], r.beforeEntries[0]);
  assert.deepEqual(r.entries[2], r.beforeEntries[2]);
  const marker = r.entries[1];
  assert.equal(marker.idx, 1);
  assert.equal(marker.peer, r.peer);
  assert.match(marker.expunged ?? '', /^[0-9a-f]{64}$/, `decode shows {expunged: hex}: ${JSON.stringify(marker)}`);
  assert.equal(marker.put, undefined, 'the marker holds no op');
  assert.equal(marker.value, undefined);
  assert.equal(marker.ts, undefined);
  assert.equal(r.entries[4].expunge?.idx, 1, `the expunge is in the log: ${JSON.stringify(r.entries[4])}`);
  assert.equal(r.entries[4].expunge?.hash, marker.expunged, 'naming the hash of what it removes');
  assert.equal(r.k1, undefined, 'the expunged write is gone from the state: no other write of k1');
  assert.deepEqual(r.k0, [...Buffer.from('zero')], 'an expunged overwrite falls back to the write before it');
  assert.ok(r.seen.includes('k1') && r.seen.includes('k0'), `watchers hear of the undone keys: ${JSON.stringify(r.seen)}`);
  assert.equal(r.missing.kind, 'rejected', 'expunging a missing index rejects');
  assert.equal(r.missing.code, 'INVALID_ARGUMENT');
  assert.equal(r.unknownPeer.kind, 'rejected');
  assert.equal(r.unknownPeer.code, 'INVALID_ARGUMENT');
  assert.deepEqual(r.applied, { applied: 4, skipped: 0 });
  assert.deepEqual(r.appliedLater, { applied: 2, skipped: 0 });
  assert.deepEqual(r.bEntries, r.entries, 'the replica that held the entries holds the markers now');
  assert.equal(r.bK1, undefined, 'and its state forgot them');
  assert.deepEqual(r.bK0, [...Buffer.from('zero')]);
  assert.deepEqual(r.bK2, [...Buffer.from('two')]);
  assert.deepEqual(r.next, { peer: r.peer, from: 6, to: 7 });
});

test('watchCursors: a snapshot, then advances on exec and apply; unsubscribe stops it', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const a = await m.open({ name: 'api-wc-a' });
    const other = await m.open({ name: 'api-wc-other' });
    await a.exec([{ put: 'pre', value: '0' }]);
    const seen = [];
    const unsubscribe = a.watchCursors((c) => seen.push(T.cur(c)));
    const has = (pred) => seen.some(pred);
    await T.waitFor(() => seen.length >= 1, 'the snapshot');
    const snapshot = seen[0];
    await a.exec([{ put: 'k', value: '1' }]);
    await T.waitFor(() => has((c) => c[a.peer] === 2), 'cursors after exec');
    await other.exec([{ put: 'o', value: '1' }, { put: 'o2', value: '2' }]);
    await a.apply(await other.readSince(other.peer, 0, 10));
    await T.waitFor(() => has((c) => c[other.peer] === 2), 'cursors after apply');
    unsubscribe();
    const count = seen.length;
    // A second watcher proves the change was announced; the first must
    // not hear it.
    const sentinel = [];
    const stop2 = a.watchCursors((c) => sentinel.push(T.cur(c)));
    await a.exec([{ put: 'k', value: '2' }]);
    await T.waitFor(() => sentinel.some((c) => c[a.peer] === 3), 'the sentinel watcher');
    await a.cursors();
    await T.settle();
    stop2();
    return { peer: a.peer, other: other.peer, snapshot, seen, count, after: seen.length, sentinel };
  });
  assert.deepEqual(r.snapshot, { [r.peer]: 1 }, 'the first call is the cursors now');
  for (let i = 1; i < r.seen.length; i++) {
    const prev = r.seen[i - 1];
    const cur = r.seen[i];
    for (const [p, n] of Object.entries(prev)) assert.ok(cur[p] >= n, `cursors only advance: ${JSON.stringify(r.seen)}`);
    assert.notDeepEqual(cur, prev, 'no repeated snapshot');
  }
  assert.deepEqual(r.seen.at(-1), { [r.peer]: 2, [r.other]: 2 });
  assert.equal(r.after, r.count, `no call after unsubscribe: ${JSON.stringify(r.seen)}`);
  assert.deepEqual(r.sentinel.at(-1), { [r.peer]: 3, [r.other]: 2 });
});

test('watch({prefix}): exec, apply and sync changes under the prefix; unsubscribe stops it', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const a = await m.open({ name: 'api-watch-a' });
    const c = await m.open({ name: 'api-watch-c' });
    const d = await m.open({ name: 'api-watch-d' });
    const calls = [];
    const toPlain = (changes) => changes.map((ch) => ({ key: ch.key, hasValue: 'value' in ch, value: T.arr(ch.value), isU8: ch.value === undefined || ch.value instanceof Uint8Array }));
    const unsubscribe = a.watch({ prefix: 'w/' }, (changes) => calls.push(toPlain(changes)));
    const dCalls = [];
    d.watch({ prefix: 'w/' }, (changes) => dCalls.push(toPlain(changes)));
    const flat = () => calls.flat();
    const saw = (key) => flat().some((ch) => ch.key === key);

    await a.exec([{ put: 'w/1', value: 'x' }, { put: 'other', value: 'y' }, { del: 'w/2' }]);
    await T.waitFor(() => saw('w/1') && saw('w/2'), 'the exec changes');
    const fromExec = calls.slice();

    await c.exec([{ put: 'w/c', value: 'c' }, { put: 'zzz', value: 'z' }]);
    await a.apply(await c.readSince(c.peer, 0, 10));
    await T.waitFor(() => saw('w/c'), 'the apply change');

    await d.exec([{ put: 'w/d', value: 'd' }, { put: 'nope/d', value: 'd' }]);
    const synced = await m.sync(a, d);
    await T.waitFor(() => saw('w/d'), 'the sync change (a side)');
    await T.waitFor(() => dCalls.flat().some((ch) => ch.key === 'w/1') && dCalls.flat().some((ch) => ch.key === 'w/c'), 'the sync change (b side)');

    unsubscribe();
    const count = calls.length;
    const sentinel = [];
    const stop2 = a.watch({ prefix: 'w/' }, (changes) => sentinel.push(toPlain(changes)));
    await a.exec([{ put: 'w/after', value: 'late' }]);
    await T.waitFor(() => sentinel.flat().some((ch) => ch.key === 'w/after'), 'the sentinel watcher');
    await T.settle();
    stop2();
    return { fromExec, calls, count, after: calls.length, synced, dCalls };
  });
  // exec: the value for a put, none for a del, nothing outside the prefix.
  assert.deepEqual(r.fromExec.flat(), [
    { key: 'w/1', hasValue: true, value: [120], isU8: true },
    { key: 'w/2', hasValue: false, value: undefined, isU8: true },
  ]);
  const all = r.calls.flat();
  for (const ch of all) assert.ok(ch.key.startsWith('w/'), `only keys under the prefix: ${JSON.stringify(all)}`);
  const last = (key) => all.filter((ch) => ch.key === key).at(-1);
  assert.deepEqual(last('w/c'), { key: 'w/c', hasValue: true, value: [99], isU8: true }, 'apply reports the new value');
  assert.deepEqual(last('w/d'), { key: 'w/d', hasValue: true, value: [100], isU8: true }, 'sync reports the new value');
  assert.equal(r.synced.toA, 2);
  assert.equal(r.synced.toB, 5);
  const dAll = r.dCalls.flat();
  for (const ch of dAll) assert.ok(ch.key.startsWith('w/'), `only keys under the prefix: ${JSON.stringify(dAll)}`);
  assert.ok(dAll.some((ch) => ch.key === 'w/2' && !ch.hasValue), 'a synced delete reports no value');
  assert.equal(r.after, r.count, `no call after unsubscribe: ${JSON.stringify(r.calls)}`);
});

test('sync: both ways, idempotent, paged, and over a MessageChannel transport', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const fill = async (x, y) => {
      for (let i = 0; i < 5; i++) await x.exec([{ put: `a/${i}`, value: `a${i}` }]);
      await x.exec([{ put: 'shared', value: 'from x' }]);
      for (let i = 0; i < 3; i++) await y.exec([{ put: `b/${i}`, value: new Uint8Array([i, 255]) }]);
      await y.exec([{ del: 'b/1' }]);
    };
    const state = async (e) => ({ cursors: T.cur(await e.cursors()), rows: T.rows(await e.scan()) });

    const a = await m.open({ name: 'api-sync-a' });
    const b = await m.open({ name: 'api-sync-b' });
    await fill(a, b);
    const first = await m.sync(a, b);
    const second = await m.sync(a, b);
    const reverse = await m.sync(b, a);
    const [sa, sb] = [await state(a), await state(b)];

    const c = await m.open({ name: 'api-sync-c' });
    const d = await m.open({ name: 'api-sync-d' });
    await fill(c, d);
    const paged = await m.sync(c, d, { pageSize: 1 });
    const [sc, sd] = [await state(c), await state(d)];

    const e = await m.open({ name: 'api-sync-e' });
    const f = await m.open({ name: 'api-sync-f' });
    await fill(e, f);
    const ch = new MessageChannel();
    const stop = m.serve(f, ch.port2);
    const transport = m.connect(ch.port1, { name: f.peer });
    const viaPort = await m.sync(e, transport, { pageSize: 2 });
    const viaPortAgain = await m.sync(e, transport);
    const [se, sf] = [await state(e), await state(f)];
    stop();
    ch.port1.close();
    return { peers: { a: a.peer, b: b.peer }, first, second, reverse, sa, sb, paged, sc, sd, viaPort, viaPortAgain, se, sf };
  });
  assert.deepEqual(r.first, { toA: 4, toB: 6 }, 'each side gets what it lacks');
  assert.deepEqual(r.second, { toA: 0, toB: 0 }, 'a second sync has nothing to do');
  assert.deepEqual(r.reverse, { toA: 0, toB: 0 });
  assert.deepEqual(r.sa, r.sb, 'identical cursors and scans');
  assert.deepEqual(r.sa.cursors, { [r.peers.a]: 6, [r.peers.b]: 4 });
  assert.deepEqual(r.sa.rows.map((x) => x.key), ['a/0', 'a/1', 'a/2', 'a/3', 'a/4', 'b/0', 'b/2', 'shared']);
  assert.deepEqual(r.sa.rows.find((x) => x.key === 'b/2').value, [2, 255]);

  assert.deepEqual(r.paged, { toA: 4, toB: 6 }, 'pageSize 1: the same counts');
  assert.deepEqual(r.sc, r.sd);
  assert.deepEqual(r.sc.rows, r.sa.rows, 'pageSize 1: the same state');

  assert.deepEqual(r.viaPort, { toA: 4, toB: 6 }, 'over a transport');
  assert.deepEqual(r.viaPortAgain, { toA: 0, toB: 0 });
  assert.deepEqual(r.se, r.sf, 'over a transport: identical cursors and scans');
  assert.deepEqual(r.se.rows, r.sa.rows);
});

test('blobs: 0 B, 10 B, 100 KiB and 3 MiB round-trip; overwrite, delete, stats', { timeout: 45_000 }, async () => {
  const sizes = { zero: 0, ten: 10, kib: 100 * 1024, mib: 3 * 1024 * 1024 };
  const r = await inPage(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'api-blobs' });
    const sizes = { zero: 0, ten: 10, kib: 100 * 1024, mib: 3 * 1024 * 1024 };
    const out = { sizes: {}, roundTrip: {}, want: {}, peer: e.peer };
    let seed = 1;
    for (const [key, n] of Object.entries(sizes)) {
      const data = T.bytes(n, seed++);
      const want = await T.sha(data);
      out.want[key] = want;
      out.sizes[key] = await e.putBlob(`blob/${key}`, data);
      const got = await e.getBlob(`blob/${key}`);
      out.roundTrip[key] = { isU8: got instanceof Uint8Array, length: got?.length, same: got !== undefined && (await T.sha(got)) === want };
    }
    out.missing = T.arr(await e.getBlob('blob/missing'));
    // Overwrite with other bytes of another size, and with a string.
    const other = T.bytes(12345, 99);
    await e.putBlob('blob/ten', other);
    const ow = await e.getBlob('blob/ten');
    out.overwrite = { length: ow.length, same: (await T.sha(ow)) === (await T.sha(other)) };
    await e.putBlob('blob/str', 'héllo');
    out.str = T.arr(await e.getBlob('blob/str'));
    // The others are untouched.
    out.kibStill = (await e.getBlob('blob/kib')).length;
    // Delete, then a missing one.
    out.del = await e.deleteBlob('blob/kib');
    out.afterDel = T.arr(await e.getBlob('blob/kib'));
    out.delMissing = await T.outcome(() => e.deleteBlob('blob/never'));
    out.delAgain = await T.outcome(() => e.deleteBlob('blob/kib'));
    out.stats = await e.stats();
    // Attachments are in the op log (they sync), not in scan.
    out.cursors = T.cur(await e.cursors());
    out.scan = T.rows(await e.scan());
    return out;
  });
  for (const key of ['zero', 'ten', 'kib', 'mib']) {
    assert.deepEqual(r.sizes[key], { hash: r.want[key], size: sizes[key] }, 'putBlob resolves to the SHA-256 and the size');
    assert.equal(r.roundTrip[key].isU8, true, `${key}: a Uint8Array`);
    assert.equal(r.roundTrip[key].same, true, `${key}: byte-exact round trip (length ${r.roundTrip[key].length})`);
  }
  assert.equal(r.roundTrip.zero.length, 0, 'a 0-byte blob reads as an empty Uint8Array, not undefined');
  assert.equal(r.roundTrip.mib.length, 3 * 1024 * 1024);
  assert.equal(r.missing, undefined);
  assert.deepEqual(r.overwrite, { length: 12345, same: true }, 'an overwrite reads the new value');
  assert.deepEqual(r.str, [...Buffer.from('héllo')], 'a string blob is its UTF-8 bytes');
  assert.equal(r.kibStill, 100 * 1024);
  assert.equal(r.del, undefined);
  assert.equal(r.afterDel, undefined, 'a deleted blob reads undefined');
  assert.equal(r.delMissing.kind, 'resolved', 'deleting a missing blob is fine');
  assert.equal(r.delAgain.kind, 'resolved');
  assert.equal(r.stats.changes, 0, `no change log entry left: ${JSON.stringify(r.stats)}`);
  assert.equal(r.stats.blobs, r.stats.referenced, `no orphan blob: ${JSON.stringify(r.stats)}`);
  // Stats.instances: "Tabs registered in the change log (open, or dead and
  // not yet claimed)": this open tab is one.
  assert.equal(r.stats.instances, 1, `this open engine is a registered instance: ${JSON.stringify(r.stats)}`);
  assert.equal(r.stats.contents, 4, `zero, ten (new), mib and str: the replaced and the deleted bytes are gone: ${JSON.stringify(r.stats)}`);
  assert.deepEqual(r.cursors, { [r.peer]: 7 }, 'four puts, an overwrite, a string and a delete are entries; deleting a missing one is not');
  assert.deepEqual(r.scan, [], 'attachments are not keys of the app');
});

test('close: later calls reject CLOSED, twice is fine, reopening keeps the data', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'api-close' });
    const peer = e.peer;
    await e.exec([{ put: 'k', value: 'kept' }]);
    await e.putBlob('b', 'blob kept');
    const other = await m.open({ name: 'api-close-other' });
    const first = await e.close();
    const second = await T.outcome(() => e.close());
    const calls = {
      exec: () => e.exec([{ put: 'k', value: 'x' }]),
      get: () => e.get('k'),
      scan: () => e.scan(),
      cursors: () => e.cursors(),
      readSince: () => e.readSince(peer, 0, 10),
      apply: () => e.apply(new Uint8Array(1)),
      expunge: () => e.expunge(peer, 0),
      putBlob: () => e.putBlob('b', 'x'),
      getBlob: () => e.getBlob('b'),
      deleteBlob: () => e.deleteBlob('b'),
      recover: () => e.recover(),
      stats: () => e.stats(),
      syncA: () => m.sync(e, other),
      syncB: () => m.sync(other, e),
      watch: () => e.watch({}, () => {}),
      watchCursors: () => e.watchCursors(() => {}),
    };
    const after = {};
    for (const [name, fn] of Object.entries(calls)) after[name] = await T.outcome(fn);
    const reopened = await m.open({ name: 'api-close' });
    const state = {
      peer: reopened.peer,
      k: T.arr(await reopened.get('k')),
      blob: T.arr(await reopened.getBlob('b')),
      cursors: T.cur(await reopened.cursors()),
      next: await reopened.exec([{ put: 'k2', value: 'v' }]),
    };
    const stillClosed = await T.outcome(() => e.get('k'));
    // Two engines on one name: closing one leaves the other working.
    const x = await m.open({ name: 'api-close' });
    await x.close();
    const reopenedWorks = await T.outcome(() => reopened.get('k2'));
    return { peer, first, second, after, state, stillClosed, reopenedWorks };
  });
  assert.equal(r.first, undefined);
  assert.equal(r.second.kind, 'resolved', 'close twice is fine');
  for (const [name, o] of Object.entries(r.after)) {
    const sync = name === 'watch' || name === 'watchCursors';
    assert.equal(o.kind, sync ? 'threw' : 'rejected', `${name} after close: ${JSON.stringify(o)}`);
    assert.equal(o.code, 'CLOSED', `${name} after close: ${JSON.stringify(o)}`);
    assert.equal(o.idbsync, true, `${name} after close: an IdbsyncError: ${JSON.stringify(o)}`);
  }
  assert.equal(r.state.peer, r.peer, 'reopening keeps the peer');
  assert.deepEqual(r.state.k, [...Buffer.from('kept')], 'and the data');
  assert.deepEqual(r.state.blob, [...Buffer.from('blob kept')], 'and the blobs');
  assert.deepEqual(r.state.cursors, { [r.peer]: 2 }, 'the write and the attachment');
  assert.deepEqual(r.state.next, { peer: r.peer, from: 2, to: 3 });
  assert.equal(r.stillClosed.code, 'CLOSED', 'the closed engine stays closed after a reopen');
  assert.equal(r.reopenedWorks.kind, 'resolved', `closing one engine of a name leaves the other open: ${JSON.stringify(r.reopenedWorks)}`);
});

test('two engines of different names in one page are independent', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const a = await m.open({ name: 'api-indep-a' });
    const b = await m.open({ name: 'api-indep-b' });
    const bCalls = [];
    b.watch({ prefix: '' }, (changes) => bCalls.push(...changes.map((c) => c.key)));
    const wa = await a.exec([{ put: 'k', value: 'a' }, { put: 'only-a', value: 'a' }]);
    const wb = await b.exec([{ put: 'k', value: 'b' }]);
    await T.waitFor(() => bCalls.includes('k'), 'b\'s own change');
    await a.putBlob('blob', 'a');
    await T.settle();
    return {
      peers: [a.peer, b.peer], wa, wb,
      aK: T.arr(await a.get('k')), bK: T.arr(await b.get('k')),
      bOnlyA: T.arr(await b.get('only-a')),
      aCur: T.cur(await a.cursors()), bCur: T.cur(await b.cursors()),
      bKeys: (await b.scan()).map((x) => x.key),
      bBlob: T.arr(await b.getBlob('blob')),
      bCalls,
      instances: [a.instance, b.instance],
    };
  });
  assert.notEqual(r.peers[0], r.peers[1], 'each database has its own peer');
  assert.equal(r.wa.from, 0);
  assert.equal(r.wb.from, 0, 'each has its own log');
  assert.deepEqual(r.aK, [97]);
  assert.deepEqual(r.bK, [98]);
  assert.equal(r.bOnlyA, undefined);
  assert.deepEqual(r.aCur, { [r.peers[0]]: 3 }, 'two writes and the attachment');
  assert.deepEqual(r.bCur, { [r.peers[1]]: 1 });
  assert.deepEqual(r.bKeys, ['k']);
  assert.equal(r.bBlob, undefined);
  assert.deepEqual(r.bCalls, ['k'], 'b\'s watcher hears only b\'s writes');
});

test('onclose: a raw IndexedDB upgrade closes the engine (CLOSED) and is not blocked', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const name = 'api-onclose';
    const e = await m.open({ name });
    await e.exec([{ put: 'k', value: 'v' }]);
    const closes = [];
    e.onclose = (err) => closes.push(T.err(err));
    const { version } = (await indexedDB.databases()).find((d) => d.name === name);
    const events = [];
    const upgraded = await new Promise((resolve, reject) => {
      const req = indexedDB.open(name, version + 1);
      req.onblocked = () => events.push('blocked');
      req.onupgradeneeded = () => events.push('upgradeneeded');
      req.onsuccess = () => { events.push('success'); resolve(req.result); };
      req.onerror = () => reject(req.error);
      setTimeout(() => resolve(null), 10_000); // bounded: fails below, never hangs
    });
    const newVersion = upgraded?.version;
    upgraded?.close();
    await T.waitFor(() => closes.length > 0, 'engine.onclose', 5_000).catch(() => {});
    const calls = {
      exec: await T.outcome(() => e.exec([{ put: 'k', value: 'w' }])),
      get: await T.outcome(() => e.get('k')),
      cursors: await T.outcome(() => e.cursors()),
    };
    const closed = await T.outcome(() => e.close());
    // A new open after the upgrade works and has the data.
    const again = await T.outcome(() => m.open({ name }));
    let data;
    if (again.kind === 'resolved') {
      const e2 = await m.open({ name });
      data = { peer: e2.peer === e.peer, k: T.arr(await e2.get('k')) };
    }
    return { version, newVersion, events, closes, calls, closed, again, data };
  });
  assert.deepEqual(r.events, ['upgradeneeded', 'success'], `the raw upgrade went through, unblocked: ${JSON.stringify(r.events)}`);
  assert.equal(r.newVersion, r.version + 1);
  assert.equal(r.closes.length, 1, `onclose fired once: ${JSON.stringify(r.closes)}`);
  assert.equal(r.closes[0].code, 'CLOSED');
  assert.equal(r.closes[0].idbsync, true, `onclose gets an IdbsyncError: ${JSON.stringify(r.closes[0])}`);
  assert.equal(r.closes[0].name, 'IdbsyncError');
  assert.match(r.closes[0].message, /upgrad/i, 'the message says why');
  for (const [name, o] of Object.entries(r.calls)) {
    assert.equal(o.kind, 'rejected', `${name} after the upgrade: ${JSON.stringify(o)}`);
    assert.equal(o.code, 'CLOSED', `${name} after the upgrade: ${JSON.stringify(o)}`);
  }
  assert.equal(r.closed.kind, 'resolved', 'close() of a lost engine is fine');
  assert.equal(r.again.kind, 'resolved', `reopening after the upgrade works: ${JSON.stringify(r.again)}`);
  assert.deepEqual(r.data, { peer: true, k: [118] });
});

test('a failed open in Go (another peer, database not open in this page) rejects cleanly and leaks nothing', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const a = await m.open({ name: 'api-open-fail' });
    const peer = a.peer;
    await a.exec([{ put: 'k', value: 'v' }]);
    await a.close(); // so the next open reaches Go, not the page's shared engine
    const wrong = await T.outcome(() => m.open({ name: 'api-open-fail', peer: crypto.randomUUID() }));
    const b = await m.open({ name: 'api-open-fail' });
    const out = { peer, wrong, again: b.peer, value: T.arr(await b.get('k')), stats: await b.stats() };
    await b.close();
    return out;
  });
  assert.equal(r.wrong.kind, 'rejected', JSON.stringify(r.wrong));
  assert.equal(r.wrong.code, 'INVALID_ARGUMENT', JSON.stringify(r.wrong));
  assert.match(r.wrong.message, /belongs to/, 'the real reason, not an internal error');
  assert.equal(r.again, r.peer, 'the database kept its peer');
  assert.deepEqual(r.value, [118]);
  assert.equal(r.stats.instances, 1, `the failed open left no registered instance behind: ${JSON.stringify(r.stats)}`);
});

test('onError of watch and watchCursors: a failed re-read is reported, a loss once, a close() or an unsubscribe never', { timeout: 30_000 }, async () => {
  const r = await inPage(async () => {
    const m = await T.load();
    const name = 'api-onerror';
    const e = await m.open({ name });
    await e.exec([{ put: 'w/1', value: 'x' }]);
    const got = { changes: [], watch: [], cursors: [], unsubscribed: [], closed: [] };
    e.watch({ prefix: '', onError: (err) => got.watch.push(T.err(err)) }, (cs) => got.changes.push(...cs.map((c) => c.key)));
    e.watchCursors(() => {}, { onError: (err) => got.cursors.push(T.err(err)) });
    e.watch({ prefix: '', onError: (err) => got.unsubscribed.push(T.err(err)) }, () => {})();
    // Another context of the origin announces a key no engine can read
    // (empty): the re-read fails, and says why.
    const ch = new BroadcastChannel(`idbsync:${name}`);
    ch.postMessage({ type: 'changed', keys: [''] });
    await T.waitFor(() => got.watch.length > 0, 'watch onError');
    const reread = { watch: got.watch.slice(), cursors: got.cursors.slice(), changes: got.changes.slice() };

    // The browser closes the database under the engine: each subscription
    // hears it once (the CLOSED error onclose gets), then nothing more.
    let onclose;
    e.onclose = (err) => { onclose = T.err(err); };
    const { version } = (await indexedDB.databases()).find((d) => d.name === name);
    await new Promise((resolve, reject) => {
      const req = indexedDB.open(name, version + 1);
      req.onsuccess = () => { req.result.close(); resolve(); };
      req.onerror = () => reject(req.error);
    });
    await T.waitFor(() => got.watch.length > 1 && got.cursors.length > 0, 'the loss, on both subscriptions');
    ch.postMessage({ type: 'changed', keys: ['', 'w/1'] });
    await T.settle(20);
    ch.close();

    // An engine the app closes: its subscriptions just end.
    const f = await m.open({ name: 'api-onerror-closed' });
    f.watch({ onError: (err) => got.closed.push(T.err(err)) }, () => {});
    f.watchCursors(() => {}, { onError: (err) => got.closed.push(T.err(err)) });
    await f.close();
    const ch2 = new BroadcastChannel('idbsync:api-onerror-closed');
    ch2.postMessage({ type: 'changed', keys: [''] });
    await T.settle(20);
    ch2.close();
    return { reread, got, onclose };
  });
  assert.equal(r.reread.watch.length, 1, JSON.stringify(r.reread));
  assert.equal(r.reread.watch[0].idbsync, true);
  assert.equal(r.reread.watch[0].code, 'INVALID_ARGUMENT', JSON.stringify(r.reread.watch[0]));
  assert.match(r.reread.watch[0].message, /empty key/);
  assert.deepEqual(r.reread.cursors, [], 'the cursors were read fine');
  assert.deepEqual(r.reread.changes, [], 'nothing was delivered for the failed re-read');
  assert.equal(r.got.watch.length, 2, `a failure, then the loss, once: ${JSON.stringify(r.got.watch)}`);
  assert.equal(r.got.cursors.length, 1, `the loss, once: ${JSON.stringify(r.got.cursors)}`);
  for (const err of [r.got.watch[1], r.got.cursors[0]]) {
    assert.equal(err.code, 'CLOSED', JSON.stringify(err));
    assert.equal(err.idbsync, true);
    assert.equal(err.message, r.onclose.message, 'the error onclose got');
  }
  assert.deepEqual(r.got.unsubscribed, [], 'an unsubscribed watch hears nothing');
  assert.deepEqual(r.got.closed, [], 'the subscriptions of a closed engine hear nothing');
  assert.deepEqual(r.got.changes, []);
});

test('without onError, a failed re-read is an uncaught error of the page, not swallowed', { timeout: 30_000 }, async () => {
  const { context, page } = await freshPage(env);
  await page.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'api-uncaught' });
    e.watch({}, () => {});
    const ch = new BroadcastChannel('idbsync:api-uncaught');
    ch.postMessage({ type: 'changed', keys: [''] });
    ch.close();
  });
  const deadline = Date.now() + 10_000;
  while (page.errors.length === 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
  assert.equal(page.errors.length, 1, JSON.stringify(page.errors));
  assert.match(page.errors[0], /empty key/);
  await context.close();
});
