// Replicas converge: random concurrent edits and syncs (seeded), a chain of
// three replicas, two pages over a BroadcastChannel, an interrupted sync, a
// reload in the middle; every end state is checked against an LWW model
// built from the decoded logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './browser.mjs';
import { withHelpers, testPage, lwwModel, sortEntries, gaps } from './crashlib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

let dbSeq = 0;
const fresh = (tag) => `conv-${tag}-${process.pid}-${Date.now()}-${dbSeq++}`;

/**
 * Asserts the replicas' states (H.state + H.entries) are identical, hold
 * every index once, and equal the LWW model of their entries.
 */
function assertConverged(label, replicas) {
  const [first, ...rest] = replicas;
  for (const [i, r] of rest.entries()) {
    assert.deepEqual(r.state.cursors, first.state.cursors, `${label}: cursors of replica ${i + 1} differ from replica 0`);
    assert.deepEqual(r.state.rows, first.state.rows, `${label}: scan of replica ${i + 1} differs from replica 0`);
    assert.equal(r.state.digest, first.state.digest);
    assert.deepEqual(sortEntries(r.entries), sortEntries(first.entries), `${label}: logs differ`);
  }
  for (const [i, r] of replicas.entries()) {
    assert.deepEqual(gaps(r.entries, r.state.cursors), [], `${label}: replica ${i} log has gaps or duplicates`);
    assert.deepEqual(r.state.rows, lwwModel(r.entries), `${label}: replica ${i} is not what LWW predicts`);
  }
}

test('two replicas, random concurrent edits and syncs (seeded): converge to the LWW state', async () => {
  const context = await withHelpers(await env.browser.newContext());
  const page = await testPage(context, env.url);
  for (const seed of [1, 2, 3, 4, 5]) {
    const tag = fresh(`two-${seed}`);
    const res = await page.evaluate(async ({ seed, tag }) => {
      const m = await H.mod();
      const rand = H.prng(seed);
      const a = await m.open({ name: `${tag}-a` });
      const b = await m.open({ name: `${tag}-b` });
      const ops = { a: 0, b: 0 };
      const count = { exec: 0, sync: 0, concurrent: 0 };
      const exec = async (db, side) => {
        const o = H.randomOps(rand);
        ops[side] += o.length;
        count.exec++;
        return db.exec(o);
      };
      for (let step = 0; step < 40; step++) {
        const r = rand();
        if (r < 0.3) {
          await exec(a, 'a');
        } else if (r < 0.6) {
          await exec(b, 'b');
        } else if (r < 0.72) {
          count.sync++;
          await (rand() < 0.5 ? m.sync(a, b) : m.sync(b, a));
        } else {
          // A sync started while execs are in flight, sometimes two syncs at once.
          count.concurrent++;
          const jobs = [m.sync(a, b, { pageSize: 1 + Math.floor(rand() * 4) })];
          for (let i = Math.floor(rand() * 3); i >= 0; i--) jobs.push(rand() < 0.5 ? exec(a, 'a') : exec(b, 'b'));
          if (rand() < 0.4) jobs.push(m.sync(b, a, { pageSize: 2 }));
          await Promise.all(jobs);
        }
      }
      await m.sync(a, b);
      const out = {
        peers: { a: a.peer, b: b.peer }, ops, count,
        replicas: [{ state: await H.state(a), entries: await H.entries(a) }, { state: await H.state(b), entries: await H.entries(b) }],
      };
      await a.close();
      await b.close();
      return out;
    }, { seed, tag });
    const label = `seed ${seed}`;
    console.log(`${label}: ${res.count.exec} execs (${res.ops.a} + ${res.ops.b} ops), ${res.count.sync} syncs, `
      + `${res.count.concurrent} syncs with execs in flight; ${res.replicas[0].state.rows.length} live keys`);
    assertConverged(label, res.replicas);
    assert.deepEqual(res.replicas[0].state.cursors, { [res.peers.a]: res.ops.a, [res.peers.b]: res.ops.b },
      `${label}: every exec'd op is one entry`);
  }
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('three replicas, only a<->b and b<->c sync: all three converge', async () => {
  const context = await withHelpers(await env.browser.newContext());
  const page = await testPage(context, env.url);
  for (const seed of [11, 12]) {
    const tag = fresh(`three-${seed}`);
    const res = await page.evaluate(async ({ seed, tag }) => {
      const m = await H.mod();
      const rand = H.prng(seed);
      const dbs = [];
      for (const n of ['a', 'b', 'c']) dbs.push(await m.open({ name: `${tag}-${n}` }));
      const [a, b, c] = dbs;
      const ops = [0, 0, 0];
      const exec = (i) => {
        const o = H.randomOps(rand);
        ops[i] += o.length;
        return dbs[i].exec(o);
      };
      for (let round = 0; round < 6; round++) {
        const jobs = [];
        for (let i = 0; i < 3; i++) if (rand() < 0.8) jobs.push(exec(i));
        if (rand() < 0.5) jobs.push(m.sync(a, b, { pageSize: 3 }));
        if (rand() < 0.5) jobs.push(m.sync(c, b, { pageSize: 3 }));
        await Promise.all(jobs);
        await exec(Math.floor(rand() * 3));
      }
      // Rounds over the chain only: a<->b, b<->c, a<->b.
      await m.sync(a, b);
      await m.sync(b, c);
      await m.sync(a, b);
      const replicas = [];
      for (const db of dbs) replicas.push({ state: await H.state(db), entries: await H.entries(db) });
      const peers = dbs.map((db) => db.peer);
      for (const db of dbs) await db.close();
      return { replicas, ops, peers };
    }, { seed, tag });
    assertConverged(`chain seed ${seed}`, res.replicas);
    assert.deepEqual(res.replicas[0].state.cursors, Object.fromEntries(res.peers.map((p, i) => [p, res.ops[i]])));
    console.log(`chain seed ${seed}: ${res.ops.join(' + ')} ops, ${res.replicas[0].state.rows.length} live keys`);
  }
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('two pages syncing over a BroadcastChannel transport, edits on both sides: converge', async () => {
  const context = await withHelpers(await env.browser.newContext());
  const page1 = await testPage(context, env.url, 'page 1');
  const page2 = await testPage(context, env.url, 'page 2');
  const tag = fresh('bc');
  const channel = `${tag}-channel`;
  const peer2 = await page2.evaluate(async ({ tag, channel }) => {
    const m = await H.mod();
    globalThis.db = await m.open({ name: `${tag}-2` });
    globalThis.stopServing = m.serve(db, new BroadcastChannel(channel), { name: db.peer });
    globalThis.rand = H.prng(22);
    return db.peer;
  }, { tag, channel });
  const peer1 = await page1.evaluate(async ({ tag, channel, peer2 }) => {
    const m = await H.mod();
    globalThis.db = await m.open({ name: `${tag}-1` });
    globalThis.remote = m.connect(new BroadcastChannel(channel), { name: peer2, timeout: 20_000 });
    globalThis.rand = H.prng(21);
    return db.peer;
  }, { tag, channel, peer2 });
  const edit = (page) => page.evaluate(async () => {
    const o = H.randomOps(rand);
    await db.exec(o);
    return o.length;
  });
  const syncOnce = (pageSize) => page1.evaluate(async (pageSize) => {
    const m = await H.mod();
    return m.sync(db, remote, { pageSize });
  }, pageSize);
  const ops = { 1: 0, 2: 0 };
  for (let round = 0; round < 8; round++) {
    ops[1] += await edit(page1);
    ops[2] += await edit(page2);
    // A sync while both pages edit.
    const [, e1, e2] = await Promise.all([syncOnce(1 + (round % 3)), edit(page1), edit(page2)]);
    ops[1] += e1;
    ops[2] += e2;
  }
  // Edits on both sides that only the last sync carries over.
  ops[1] += await edit(page1);
  ops[2] += await edit(page2);
  const last = await syncOnce(undefined);
  assert.ok(last.toA > 0 && last.toB > 0, `the last sync moved ${JSON.stringify(last)}`);
  const read = (page) => page.evaluate(async () => ({ state: await H.state(db), entries: await H.entries(db) }));
  const replicas = [await read(page1), await read(page2)];
  console.log(`BroadcastChannel: ${ops[1]} + ${ops[2]} ops; the last sync moved ${JSON.stringify(last)}`);
  assertConverged('BroadcastChannel', replicas);
  assert.deepEqual(replicas[0].state.cursors, { [peer1]: ops[1], [peer2]: ops[2] });
  assert.deepEqual([...page1.errors, ...page2.errors], []);
  await context.close();
});

test('a sync interrupted by closing an engine resumes: converged, each entry once', async () => {
  const context = await withHelpers(await env.browser.newContext());
  const page = await testPage(context, env.url);
  for (const victim of ['b', 'a']) {
    const tag = fresh(`interrupt-${victim}`);
    const res = await page.evaluate(async ({ tag, victim }) => {
      const m = await H.mod();
      const names = { a: `${tag}-a`, b: `${tag}-b` };
      let a = await m.open({ name: names.a });
      let b = await m.open({ name: names.b });
      for (let i = 0; i < 5; i++) {
        const ops = [];
        for (let j = 0; j < 1000; j++) ops.push({ put: `a/${i}/${String(j).padStart(4, '0')}`, value: `a${i}.${j}` });
        await a.exec(ops);
      }
      for (let i = 0; i < 5; i++) {
        const ops = [];
        for (let j = 0; j < 10; j++) ops.push({ put: `b/${i}/${j}`, value: `b${i}.${j}` });
        await b.exec(ops);
      }
      const peers = { a: a.peer, b: b.peer };
      // Start the sync, wait until some pages landed on b, close the victim.
      const t0 = performance.now();
      const syncing = m.sync(a, b, { pageSize: 10 }).then((r) => ({ ok: true, r }), (e) => ({ ok: false, code: e.code, message: e.message }));
      let seen = 0;
      while (performance.now() - t0 < 30_000) {
        seen = Number((await b.cursors())[peers.a] ?? 0);
        if (seen >= 200) break;
        await new Promise((ok) => setTimeout(ok, 10));
      }
      const closing = (victim === 'a' ? a : b).close();
      const first = await syncing;
      await closing;
      const ms = performance.now() - t0;
      // Reopen the victim; what b has of a is a prefix; sync again.
      if (victim === 'a') a = await m.open({ name: names.a }); else b = await m.open({ name: names.b });
      const mid = { a: await a.cursors(), b: await b.cursors() };
      const second = await m.sync(a, b);
      const states = [await H.state(a), await H.state(b)];
      const entries = await H.entries(b);
      await a.close();
      await b.close();
      return { peers, seen, first, ms, mid, second, states, entries };
    }, { tag, victim });
    const label = `close ${victim} mid-sync`;
    console.log(`${label}: closed when b had ${res.seen} of a's 5000 entries; the first sync `
      + `${res.first.ok ? `resolved ${JSON.stringify(res.first.r)}` : `rejected ${res.first.code}: ${res.first.message}`} `
      + `after ${res.ms.toFixed(0)} ms; the second moved ${JSON.stringify(res.second)}`);
    if (!res.first.ok) assert.equal(res.first.code, 'CLOSED', `${label}: the interrupted sync rejects CLOSED`);
    const midA = Number(res.mid.b[res.peers.a] ?? 0);
    const midB = Number(res.mid.a[res.peers.b] ?? 0);
    assert.ok(midA >= res.seen && midA <= 5000, `${label}: b holds ${midA} of a's entries after reopening`);
    assert.deepEqual(res.second, { toA: 50 - midB, toB: 5000 - midA }, `${label}: the second sync pulls exactly what was missing`);
    const want = { [res.peers.a]: 5000, [res.peers.b]: 50 };
    assert.deepEqual(res.states[0].cursors, want, `${label}: a's cursors equal the entry counts`);
    assert.deepEqual(res.states[1].cursors, want, `${label}: b's cursors equal the entry counts`);
    assert.deepEqual(res.states[1].rows, res.states[0].rows, `${label}: the scans differ`);
    assert.equal(res.states[0].rows.length, 5050);
    // b received a's log page by page, twice over: each entry is there once.
    assert.deepEqual(gaps(res.entries, want), [], `${label}: b's log has gaps or duplicates`);
    assert.deepEqual(res.states[1].rows, lwwModel(res.entries), `${label}: b is not what its log predicts`);
  }
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a reload in the middle of a sequence keeps everything; syncing continues and converges', async () => {
  const context = await withHelpers(await env.browser.newContext());
  const page = await testPage(context, env.url);
  const tag = fresh('reload');
  const round = (seed) => page.evaluate(async ({ tag, seed }) => {
    const m = await H.mod();
    const rand = H.prng(seed);
    const a = await m.open({ name: `${tag}-a` });
    const b = await m.open({ name: `${tag}-b` });
    const ops = { a: 0, b: 0 };
    for (let step = 0; step < 10; step++) {
      const oa = H.randomOps(rand);
      const ob = H.randomOps(rand);
      ops.a += oa.length;
      ops.b += ob.length;
      const jobs = [a.exec(oa), b.exec(ob)];
      if (rand() < 0.5) jobs.push(m.sync(a, b, { pageSize: 2 }));
      await Promise.all(jobs);
    }
    // Leave the round with a's last edits unsynced.
    const oa = H.randomOps(rand);
    ops.a += oa.length;
    await a.exec(oa);
    return {
      peers: { a: a.peer, b: b.peer }, ops,
      states: { a: await H.state(a), b: await H.state(b) },
    };
  }, { tag, seed });
  const reopen = () => page.evaluate(async (tag) => {
    const m = await H.mod();
    const a = await m.open({ name: `${tag}-a` });
    const b = await m.open({ name: `${tag}-b` });
    return { peers: { a: a.peer, b: b.peer }, states: { a: await H.state(a), b: await H.state(b) } };
  }, tag);
  const total = { a: 0, b: 0 };
  let peers;
  for (const seed of [31, 32, 33]) {
    const r = await round(seed);
    peers ??= r.peers;
    assert.deepEqual(r.peers, peers, 'the databases keep their peers');
    total.a += r.ops.a;
    total.b += r.ops.b;
    assert.equal(r.states.a.cursors[peers.a], total.a);
    assert.equal(r.states.b.cursors[peers.b], total.b);
    await page.reload();
    const again = await reopen();
    assert.deepEqual(again.peers, peers, 'the databases keep their peers across a reload');
    assert.deepEqual(again.states, r.states, `after the reload of round ${seed}: cursors and rows unchanged`);
  }
  const res = await page.evaluate(async (tag) => {
    const m = await H.mod();
    const a = await m.open({ name: `${tag}-a` });
    const b = await m.open({ name: `${tag}-b` });
    await m.sync(a, b);
    return [{ state: await H.state(a), entries: await H.entries(a) }, { state: await H.state(b), entries: await H.entries(b) }];
  }, tag);
  assertConverged('reload', res);
  assert.deepEqual(res[0].state.cursors, { [peers.a]: total.a, [peers.b]: total.b });
  assert.deepEqual(page.errors, []);
  await context.close();
});
