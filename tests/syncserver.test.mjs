// Browsers syncing through the real sync server: dist/idbsync-server in
// development mode over a bolt store (tests/syncserverlib.mjs), pages of
// the static server in headless Chromium, fetchTransport(url, {space, token})
// between them. Two browser contexts (their own IndexedDB each) are two
// devices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { start, newContext, openPage } from './lib.mjs';
import { SyncServer, claims } from './syncserverlib.mjs';
import { startPostgres } from './pglib.mjs';

let env;
let srv;
before(async () => {
  [env, srv] = await Promise.all([start(), SyncServer.start()]);
});
after(async () => {
  await env?.stop();
  await srv?.close();
});

/** A device: a fresh context (its own storage) and a page on the test page. */
async function device() {
  const context = await newContext(env);
  const page = await openPage(env, context);
  return { context, page };
}

/**
 * Runs in a page: opens database name and a transport to space with token
 * as globalThis.dev ({m, e, t}), and helpers that read everything the
 * replica holds as plain data. Resolves to the engine's peer id.
 */
function setUp(page, { name, space, token, peer, transport = {}, server = srv }) {
  return page.evaluate(async ({ url, name, space, token, peer, transport }) => {
    const m = await T.load();
    const e = await m.open({ name, ...(peer ? { peer } : {}) });
    const t = m.fetchTransport(url, { space, token, ...transport });
    /** Every entry of every peer a replica (engine or transport) has, decoded, users apart. */
    const log = async (r) => {
      const cursors = await r.cursors();
      const entries = {};
      const users = {};
      for (const [p, n] of Object.entries(cursors)) {
        entries[p] = [];
        users[p] = new Set();
        for (let from = 0; from < n;) {
          const page = m.decode(await r.readSince(p, from, 500));
          if (page.length === 0) throw new Error(`${p}: no entries from ${from} on, the cursor is ${n}`);
          for (const en of page) {
            users[p].add(en.user ?? null);
            const { user, ...rest } = en;
            entries[p].push(T.entry(rest));
          }
          from += page.length;
        }
      }
      return { cursors: T.cur(cursors), entries, users: Object.fromEntries(Object.entries(users).map(([p, s]) => [p, [...s]])) };
    };
    const rows = async () => (await e.scan()).map((r) => `${r.key}=${new TextDecoder().decode(r.value)}`);
    const attempt = (p) => p.then((v) => ({ ok: T.show(v) }), (err) => T.err(err));
    globalThis.dev = { m, e, t, log, rows, attempt };
    return { peer: e.peer, attests: t.attests };
  }, { url: server.url, name, space, token, peer, transport });
}

/** One round of a device: random writes, then a sync with more writes while it runs. */
function round(page, { seed, round: r, keys }) {
  return page.evaluate(async ({ seed, r, keys }) => {
    const { m, e, t } = dev;
    let x = (Math.imul(seed, 2654435761) ^ Math.imul(r + 1, 40503)) >>> 0 || 1;
    const rnd = (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
    const ops = () => {
      const byKey = new Map();
      for (let i = 1 + rnd(4); i > 0; i--) {
        const key = `k/${rnd(keys)}`;
        byKey.set(key, rnd(4) === 0 ? { del: key } : { put: key, value: `${e.peer.slice(0, 4)} r${r} ${rnd(1e6)}` });
      }
      return [...byKey.values()];
    };
    let wrote = 0;
    const write = async () => { const w = await e.exec(ops()); wrote += w.to - w.from; };
    for (let i = rnd(4); i >= 0; i--) await write();
    await new Promise((ok) => setTimeout(ok, rnd(40)));
    const [res] = await Promise.all([m.sync(e, t, { pageSize: 1 + rnd(8) }), write()]);
    return { wrote, toA: res.toA, toB: res.toB };
  }, { seed, r, keys });
}

/** Two devices edit at random and sync through srv at once, round after round. */
async function converge(srv, label) {
  const space = 'converge';
  const a = await device();
  const b = await device();
  const userB = randomUUID();
  const [pa, pb] = await Promise.all([
    setUp(a.page, { name: 'notes', space, token: srv.token, server: srv }),
    setUp(b.page, { name: 'notes', space, token: srv.mint({ user: userB, spaces: [space] }), server: srv }),
  ]);
  assert.equal(pa.attests, true, 'a transport to a space attests');
  assert.notEqual(pa.peer, pb.peer);
  const seed = Number(process.env.SEED ?? Date.now() % 1e6);
  const total = { a: { wrote: 0, toA: 0, toB: 0 }, b: { wrote: 0, toA: 0, toB: 0 } };
  const add = (t, r) => { for (const k of Object.keys(t)) t[k] += r[k]; };
  const rounds = 12;
  for (let r = 0; r < rounds; r++) {
    const [ra, rb] = await Promise.all([
      round(a.page, { seed, round: r, keys: 12 }),
      round(b.page, { seed: seed + 1, round: r, keys: 12 }),
    ]);
    add(total.a, ra);
    add(total.b, rb);
  }
  // Settle: a pushes its last writes, b takes them and pushes its own, a takes those.
  for (const [d, t] of [[a, total.a], [b, total.b], [a, total.a]]) {
    add(t, await d.page.evaluate(async () => ({ wrote: 0, ...(await dev.m.sync(dev.e, dev.t)) })));
  }
  const read = (d) => d.page.evaluate(async () => ({ here: await dev.log(dev.e), server: await dev.log(dev.t), rows: await dev.rows() }));
  const [sa, sb] = [await read(a), await read(b)];
  const msg = `seed ${seed} (SEED=${seed} replays it)`;
  assert.deepEqual(sa.here.cursors, { [pa.peer]: total.a.wrote, [pb.peer]: total.b.wrote }, `a's cursors: every write, ${msg}`);
  assert.deepEqual(sb.here.cursors, sa.here.cursors, `identical cursors on both devices, ${msg}`);
  assert.deepEqual(sa.server.cursors, sa.here.cursors, `and on the server, ${msg}`);
  assert.deepEqual(sb.rows, sa.rows, `identical state on both devices, ${msg}`);
  assert.ok(sa.rows.length > 0);
  assert.deepEqual(sa.here.entries, sa.server.entries, `a's log is the server's, entry for entry, ${msg}`);
  assert.deepEqual(sb.here.entries, sa.server.entries, `b's log is the server's, entry for entry, ${msg}`);
  assert.deepEqual(sb.server, sa.server, 'the server answers both alike');
  // The server stamped each entry with the user whose token pushed it.
  assert.deepEqual(sa.server.users, { [pa.peer]: [srv.user], [pb.peer]: [userB] });
  // Moved once: each device pushed its own entries once and pulled the other's once.
  assert.equal(total.a.toB, total.a.wrote, `a pushed each of its entries once, ${msg}`);
  assert.equal(total.b.toB, total.b.wrote, `b pushed each of its entries once, ${msg}`);
  assert.equal(total.a.toA, total.b.wrote, `a took each of b's once, ${msg}`);
  assert.equal(total.b.toA, total.a.wrote, `b took each of a's once, ${msg}`);
  const calls = srv.requests(space).filter((q) => q.method === 'POST');
  const applies = calls.filter((q) => q.path.endsWith('/apply'));
  assert.ok(applies.length >= 2 * rounds, `${applies.length} pushes`);
  assert.deepEqual(calls.filter((q) => q.status !== 200), [], 'every call answered 200');
  console.log(`converge (${label}): ${msg}, ${rounds} rounds, a wrote ${total.a.wrote}, b ${total.b.wrote}, ${sa.rows.length} live keys, ${applies.length} pushes`);
  assert.deepEqual([a.page.errors, b.page.errors], [[], []]);
  await Promise.all([a.context.close(), b.context.close()]);
}

test('two devices edit at random and sync through the server at once, round after round: both and the server end identical, every entry moved once', { timeout: 60_000 }, async () => {
  await converge(srv, 'bbolt');
});

test('the same through a server on PostgreSQL', { timeout: 90_000 }, async () => {
  const pg = await startPostgres();
  const onPg = await SyncServer.start({ postgres: pg.url });
  try {
    await converge(onPg, 'PostgreSQL');
  } finally {
    await onPg.close();
    pg.stop();
  }
});

test('auth: no token and an expired one are UNAUTHENTICATED, another space\'s PERMISSION_DENIED, a token function is asked again once on a 401; nothing refused is applied', { timeout: 60_000 }, async () => {
  const space = 'auth';
  const d = await device();
  const user = randomUUID();
  const tokens = {
    good: srv.mint({ user, spaces: [space] }),
    expired: srv.mint({ user, spaces: [space], ttl: -120 }),
    other: srv.mint({ user, spaces: ['another-space'] }),
    foreign: srv.mint({ spaces: [space] }), // another user
  };
  await setUp(d.page, { name: 'auth', space, token: tokens.good });
  const r = await d.page.evaluate(async ({ url, space, tokens }) => {
    const { m, e, attempt, log } = dev;
    await e.exec([{ put: 'a', value: '1' }]);
    await e.exec([{ put: 'b', value: '2' }, { put: 'c', value: '3' }]);
    /** fetch, counted. */
    /** fetch, noting the status of every answer. */
    const counted = () => {
      const c = { statuses: [] };
      c.fetch = async (...args) => { const res = await fetch(...args); c.statuses.push(res.status); return res; };
      return c;
    };
    const out = {};
    const transport = (token, c) => m.fetchTransport(url, { space, ...(token === undefined ? {} : { token }), ...(c ? { fetch: c.fetch } : {}) });
    out.none = await attempt(transport(undefined).cursors());
    out.noneSync = await attempt(m.sync(e, transport(undefined)));
    out.other = await attempt(transport(tokens.other).cursors());
    out.otherSync = await attempt(m.sync(e, transport(tokens.other)));
    const c1 = counted();
    out.expired = await attempt(transport(tokens.expired, c1).cursors());
    out.expiredStatuses = c1.statuses; // a string cannot be renewed: no retry
    out.expiredSync = await attempt(m.sync(e, transport(tokens.expired)));
    // A function that only ever has the expired token: asked twice, two requests, then UNAUTHENTICATED.
    const c2 = counted();
    let stale = 0;
    out.stale = await attempt(transport(async () => { stale++; return tokens.expired; }, c2).cursors());
    out.stale401 = [stale, c2.statuses];
    out.serverBefore = (await log(dev.t)).cursors;

    // The function that first has an expired token, then a good one.
    const c3 = counted();
    let asked = 0;
    const renewing = transport(async () => (++asked === 1 ? tokens.expired : tokens.good), c3);
    out.renewed = await attempt(m.sync(e, renewing, { pageSize: 2 }));
    out.renewedCalls = [asked, c3.statuses];
    await e.exec([{ put: 'd', value: '4' }]);
    out.again = await attempt(m.sync(e, renewing));
    out.againAsked = asked; // the good token is kept
    out.server = await log(dev.t);
    out.peer = e.peer;
    await e.exec([{ put: 'e', value: '5' }]);

    // A peer belongs to the user who first pushed it: another user's push of it is refused.
    out.foreign = await attempt((async () => transport(tokens.foreign).apply(await e.readSince(e.peer, 4, 10)))());
    // A token function that throws, and one with no token.
    out.throws = await attempt(transport(async () => { throw new Error('signed out'); }).cursors());
    out.nobody = await attempt(transport(() => null).cursors());
    out.serverAfter = (await log(dev.t)).cursors;
    return out;
  }, { url: srv.url, space, tokens });
  const is = (o, code, what) => {
    assert.equal(o.code, code, `${what}: ${JSON.stringify(o)}`);
    assert.equal(o.idbsync, true, `${what}: an IdbsyncError`);
  };
  is(r.none, 'UNAUTHENTICATED', 'no token');
  assert.match(r.none.message, /no bearer token/);
  is(r.noneSync, 'UNAUTHENTICATED', 'sync without a token');
  is(r.other, 'PERMISSION_DENIED', 'a token for another space');
  assert.match(r.other.message, /does not grant space "auth"/);
  is(r.otherSync, 'PERMISSION_DENIED', 'sync with a token for another space');
  is(r.expired, 'UNAUTHENTICATED', 'an expired token');
  assert.match(r.expired.message, /expired/);
  assert.deepEqual(r.expiredStatuses, [401], 'a string token is not retried');
  is(r.expiredSync, 'UNAUTHENTICATED', 'sync with an expired token');
  is(r.stale, 'UNAUTHENTICATED', 'a function with only an expired token');
  assert.deepEqual(r.stale401, [2, [401, 401]], 'asked twice, sent twice: one retry');
  assert.deepEqual(r.serverBefore, {}, 'nothing refused reached the server');

  assert.deepEqual(JSON.parse(r.renewed.ok), { toA: 0, toB: 3 }, `the 401-retry: ${JSON.stringify(r.renewed)}`);
  const [asked, statuses] = r.renewedCalls;
  assert.equal(asked, 2, 'the function was asked again after the 401');
  assert.deepEqual(statuses, [401, ...Array(statuses.length - 1).fill(200)], 'one 401, retried, and every later call with the renewed token');
  assert.deepEqual(JSON.parse(r.again.ok), { toA: 0, toB: 1 });
  assert.equal(r.againAsked, 2, 'the renewed token is kept for later calls');
  assert.deepEqual(r.server.cursors, { [r.peer]: 4 });
  assert.deepEqual(r.server.users, { [r.peer]: [user] });
  const refusals = srv.requests(space).filter((q) => q.method === 'POST' && q.status === 401).length;
  assert.equal(refusals, 2 + 2 + 2 + 1, 'the 401s the server logged: none, expired, the stale function, the renewing one');

  is(r.foreign, 'PERMISSION_DENIED', 'a push of a peer another user owns');
  assert.match(r.foreign.message, /belongs to another user/);
  is(r.throws, 'UNAUTHENTICATED', 'a token function that throws');
  assert.equal(r.throws.cause?.message, 'signed out');
  is(r.nobody, 'UNAUTHENTICATED', 'a token function with no token');
  assert.deepEqual(r.serverAfter, { [r.peer]: 4 }, 'the refused push applied nothing');
  assert.deepEqual(d.page.errors, []);
  await d.context.close();
});

test('the server killed (SIGKILL) between syncs and during a push: UNAVAILABLE while it is down, and after a restart on the same store every entry is there once', { timeout: 60_000 }, async () => {
  const space = 'crash';
  const d = await device();
  await d.page.exposeFunction('killServer', () => srv.kill('SIGKILL'));
  await setUp(d.page, { name: 'crash', space, token: srv.token });
  const write = (n, tag) => d.page.evaluate(async ({ n, tag }) => {
    for (let i = 0; i < n; i++) await dev.e.exec([{ put: `${tag}/${i % 7}`, value: `${tag} ${i}` }, { put: `${tag}/n`, value: `${i}` }]);
  }, { n, tag });
  const sync = (opts = {}) => d.page.evaluate(async (opts) => dev.attempt(dev.m.sync(dev.e, dev.t, opts)), opts);

  await write(10, 'one');
  assert.deepEqual(JSON.parse((await sync()).ok), { toA: 0, toB: 20 });
  await srv.kill('SIGKILL');
  await write(10, 'two'); // offline writes
  const down = await sync();
  assert.equal(down.code, 'UNAVAILABLE', `a server that is not running: ${JSON.stringify(down)}`);
  assert.equal(down.cause?.code, 'UNAVAILABLE');
  await srv.restart();
  assert.deepEqual(JSON.parse((await sync()).ok), { toA: 0, toB: 20 }, 'after the restart the same transport pushes what was written offline');

  // Now killed while a push is in flight (the third page of at most 4
  // entries): it may or may not land, and the sync goes no further.
  await write(30, 'three');
  const inflight = await d.page.evaluate(async ({ url, space, token }) => {
    let applies = 0;
    const acked = [];
    const t = dev.m.fetchTransport(url, {
      space,
      token,
      fetch: async (u, init) => {
        const p = fetch(u, init);
        // The push in flight fails while the server is killed: the caller
        // sees that when it awaits p; until then it is no unhandled rejection.
        p.catch(() => {});
        if (!String(u).endsWith('/apply')) return p;
        if (++applies === 3) await window.killServer();
        const res = await p;
        if (res.ok) acked.push((await res.clone().json()).applied);
        return res;
      },
    });
    return { ...(await dev.attempt(dev.m.sync(dev.e, t, { pageSize: 4 }))), acked };
  }, { url: srv.url, space, token: srv.token });
  assert.equal(inflight.code, 'UNAVAILABLE', `killed mid-sync: ${JSON.stringify(inflight)}`);
  const acked = inflight.acked.reduce((x, y) => x + y, 0);
  const gone = await d.page.evaluate(async () => dev.attempt(dev.t.cursors()));
  assert.equal(gone.code, 'UNAVAILABLE', 'the server is down');
  await srv.restart();
  const after = await d.page.evaluate(async () => ({ before: (await dev.log(dev.t)).cursors, sync: await dev.attempt(dev.m.sync(dev.e, dev.t)) }));
  const pushed = JSON.parse(after.sync.ok).toB;
  const peer = Object.keys(after.before)[0];
  const landed = after.before[peer] - 40;
  assert.ok(landed >= acked && landed <= acked + 4, `every push the server acknowledged (${inflight.acked}) survived the kill, and at most the page in flight besides: ${landed} of the 60 entries`);
  assert.equal(landed + pushed, 60, `what landed before the kill (${landed}) plus what the retry pushed (${pushed}) is every entry`);

  // The server holds the device's log exactly; a second device takes it once.
  const state = await d.page.evaluate(async () => ({ here: await dev.log(dev.e), server: await dev.log(dev.t), rows: await dev.rows() }));
  assert.deepEqual(state.server.cursors, { [peer]: 100 });
  assert.deepEqual(state.server.entries, state.here.entries, 'the server has each entry once, as written');
  const other = await device();
  await setUp(other.page, { name: 'crash', space, token: srv.token });
  const second = await other.page.evaluate(async () => ({ sync: await dev.m.sync(dev.e, dev.t), rows: await dev.rows(), log: await dev.log(dev.e) }));
  assert.deepEqual(second.sync, { toA: 100, toB: 0 });
  assert.deepEqual(second.rows, state.rows);
  assert.deepEqual(second.log.entries, state.here.entries);
  assert.deepEqual([d.page.errors, other.page.errors], [[], []]);
  console.log(`crash: killed during the third push; acknowledged ${inflight.acked.join('+')}, ${landed} of the 60 entries had landed, the retry pushed ${pushed}`);
  await Promise.all([d.context.close(), other.context.close()]);
});

test('a server that is not running, or does not answer within the timeout, is UNAVAILABLE (not CLOSED); the engine goes on', { timeout: 30_000 }, async () => {
  const space = 'down';
  // A port nobody listens on: bound, then freed.
  const free = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
  const d = await device();
  await setUp(d.page, { name: 'down', space, token: srv.token });
  const r = await d.page.evaluate(async ({ url, space, token }) => {
    const { m, e, attempt } = dev;
    await e.exec([{ put: 'k', value: 'v' }]);
    const t = m.fetchTransport(url, { space, token });
    return {
      cursors: await attempt(t.cursors()),
      sync: await attempt(m.sync(e, t)),
      still: T.cur(await e.cursors()),
    };
  }, { url: `http://127.0.0.1:${free}/`, space, token: srv.token });
  assert.equal(r.cursors.code, 'UNAVAILABLE', JSON.stringify(r.cursors));
  assert.equal(r.cursors.cause?.name, 'TypeError', 'the cause is fetch\'s error');
  assert.equal(r.sync.code, 'UNAVAILABLE', JSON.stringify(r.sync));
  assert.equal(Object.keys(r.still).length, 1, 'the engine still answers');

  // A stopped process: the kernel takes the connection, nothing answers.
  srv.pause(true);
  let timed;
  try {
    timed = await d.page.evaluate(async ({ url, space, token }) => {
      const { m, e, attempt } = dev;
      const t = m.fetchTransport(url, { space, token, timeout: 500 });
      const t0 = performance.now();
      const cursors = await attempt(t.cursors());
      const ms = performance.now() - t0;
      const sync = await attempt(m.sync(e, t));
      return { cursors, ms, sync };
    }, { url: srv.url, space, token: srv.token });
  } finally {
    srv.pause(false);
  }
  assert.equal(timed.cursors.code, 'UNAVAILABLE', JSON.stringify(timed.cursors));
  assert.match(timed.cursors.message, /no answer from the server within 500 ms/);
  assert.equal(timed.cursors.cause?.name, 'TimeoutError');
  assert.ok(timed.ms >= 450 && timed.ms < 5_000, `gave up after ${timed.ms} ms`);
  assert.equal(timed.sync.code, 'UNAVAILABLE', JSON.stringify(timed.sync));
  const back = await d.page.evaluate(async () => dev.m.sync(dev.e, dev.t));
  assert.deepEqual(back, { toA: 0, toB: 1 }, 'resumed, the server answers again');
  assert.deepEqual(d.page.errors, []);
  await d.context.close();
});
