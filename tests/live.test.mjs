// live(): two devices (browser contexts, their own storage each) kept in
// sync through the real sync server (dist/idbsync-server): how long a write
// takes to reach the other device, a device offline and back, the server
// killed and restarted under random edits on both, and tabs of one device
// sharing one live sync.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage } from './lib.mjs';
import { SyncServer } from './syncserverlib.mjs';

let env;
let srv;
before(async () => {
  [env, srv] = await Promise.all([start(), SyncServer.start()]);
});
after(async () => {
  await env?.stop();
  await srv?.close();
});

/**
 * In page: opens name, starts live() to space, keeps {m, e, sync, heard,
 * statuses, net} as globalThis.dev. net.online = false cuts the transport:
 * fetch fails as offline and the live channel closes and cannot reopen.
 */
function setUp(page, { name, space, token, url = srv.url }) {
  return page.evaluate(async ({ url, name, space, token }) => {
    const m = await T.load();
    const e = await m.open({ name });
    const net = { online: true, sockets: new Set() };
    const cutFetch = (...args) => (net.online ? fetch(...args) : Promise.reject(new TypeError('Failed to fetch (offline)')));
    class CutSocket extends WebSocket {
      constructor(u) {
        super(net.online ? u : 'ws://127.0.0.1:9/offline');
        net.sockets.add(this);
        this.addEventListener('close', () => net.sockets.delete(this));
      }
    }
    net.cut = () => {
      net.online = false;
      for (const s of net.sockets) s.close();
    };
    net.restore = () => {
      net.online = true;
      globalThis.dispatchEvent(new Event('online'));
    };
    const t = m.fetchTransport(url, { space, token, fetch: cutFetch, WebSocket: CutSocket, timeout: 5_000 });
    const heard = new Map(); // key -> when its last change was heard (performance.now())
    e.watch({ prefix: '' }, (changes) => { for (const c of changes) heard.set(c.key, performance.now()); });
    const statuses = [];
    const sync = m.live(e, t, { minBackoff: 100, maxBackoff: 2_000, onStatus: (s) => statuses.push({ ...s, error: s.error?.code ?? null }) });
    globalThis.dev = { m, e, t, sync, heard, statuses, net };
    return { peer: e.peer };
  }, { url, name, space, token });
}

/** The rows of the page's engine as key=value strings, and its cursors. */
function state(page) {
  return page.evaluate(async () => ({
    rows: (await dev.e.scan()).map((r) => `${r.key}=${new TextDecoder().decode(r.value)}`),
    cursors: T.cur(await dev.e.cursors()),
  }));
}

/** Waits in page until its live sync reports pred(status). */
function until(page, pred, what, ms = 20_000) {
  return page.evaluate(({ pred, what, ms }) => {
    const f = new Function('s', `return (${pred})(s)`);
    return T.waitFor(() => f(dev.sync.status) && dev.sync.status, what, ms);
  }, { pred: pred.toString(), what, ms });
}

const devices = async (space) => {
  const out = [];
  for (const tag of ['a', 'b']) {
    const context = await newContext(env);
    const page = await openPage(env, context);
    const { peer } = await setUp(page, { name: `live-${space}-${tag}`, space, token: srv.token });
    out.push({ context, page, peer });
  }
  return out;
};

test('a write on one device reaches the other through the server (median of 20 printed)', { timeout: 120_000 }, async (t) => {
  const [a, b] = await devices('latency');
  try {
    await until(a.page, (s) => s.state === 'live', 'a live');
    await until(b.page, (s) => s.state === 'live', 'b live');
    const times = [];
    for (let i = 0; i < 20; i++) {
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
      const key = `lat/${i}`;
      const t0 = await from.page.evaluate(async (key) => {
        const t0 = performance.timeOrigin + performance.now();
        await dev.e.exec([{ put: key, value: `v${key}` }]);
        return t0;
      }, key);
      const t1 = await to.page.evaluate(async (key) => {
        await T.waitFor(() => dev.heard.has(key), `${key} heard`, 10_000);
        return performance.timeOrigin + dev.heard.get(key);
      }, key);
      times.push(t1 - t0);
    }
    const sorted = times.slice().sort((x, y) => x - y);
    t.diagnostic(`write → other device (ms): median ${sorted[10].toFixed(0)}, min ${sorted[0].toFixed(0)}, max ${sorted[19].toFixed(0)}; all: ${times.map((x) => x.toFixed(0)).join(' ')}`);
    const [sa, sb] = [await state(a.page), await state(b.page)];
    assert.deepEqual(sa, sb, 'both devices hold the same');
    assert.equal(sa.rows.length, 20);
    for (const d of [a, b]) {
      const s = await d.page.evaluate(() => ({ ...dev.sync.status, error: dev.sync.status.error?.code ?? null }));
      assert.equal(s.state, 'live');
      assert.equal(s.pending, 0);
      assert.equal(s.leader, true);
      assert.ok(typeof s.lastSync === 'number');
      assert.deepEqual(d.page.errors, []);
    }
  } finally {
    for (const d of [a, b]) await d.context.close();
  }
});

test('offline: the transport cut, 100 writes queue (pending 100); back online they go and the other device has them', { timeout: 120_000 }, async () => {
  const [a, b] = await devices('offline');
  try {
    await until(a.page, (s) => s.state === 'live', 'a live');
    await a.page.evaluate(() => dev.net.cut());
    for (let i = 0; i < 100; i += 10) {
      await a.page.evaluate(async (i) => {
        const ops = [];
        for (let j = i; j < i + 10; j++) ops.push({ put: `off/${String(j).padStart(3, '0')}`, value: `w${j}` });
        // Ten entries per exec: pending counts entries.
        await dev.e.exec(ops);
      }, i);
    }
    const off = await until(a.page, (s) => s.state === 'offline' && s.pending === 100, 'offline with 100 pending');
    assert.equal(off.pending, 100);
    const err = await a.page.evaluate(() => dev.sync.status.error?.code);
    assert.equal(err, 'UNAVAILABLE');
    const bBefore = await state(b.page);
    assert.equal(bBefore.rows.filter((r) => r.startsWith('off/')).length, 0, 'nothing reached b while a was offline');
    await a.page.evaluate(() => dev.net.restore());
    await until(a.page, (s) => s.state === 'live' && s.pending === 0, 'a live with nothing pending');
    await b.page.evaluate(() => T.waitFor(() => dev.heard.has('off/099'), 'b heard the last write', 20_000));
    const [sa, sb] = [await state(a.page), await state(b.page)];
    assert.deepEqual(sb, sa);
    assert.equal(sb.rows.filter((r) => r.startsWith('off/')).length, 100);
    const seen = await a.page.evaluate(() => dev.statuses.map((s) => s.state));
    assert.ok(seen.includes('offline') && seen.at(-1) === 'live', `states: ${seen.join(' ')}`);
  } finally {
    for (const d of [a, b]) await d.context.close();
  }
});

test('200 random edits on both devices while the server is SIGKILLed and restarted twice: both converge, each entry once', { timeout: 180_000 }, async (t) => {
  const [a, b] = await devices('restart');
  try {
    await until(a.page, (s) => s.state === 'live', 'a live');
    await until(b.page, (s) => s.state === 'live', 'b live');
    const edit = (page, seed, n) => page.evaluate(async ({ seed, n }) => {
      let x = seed >>> 0 || 1;
      const rnd = (k) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % k; };
      for (let i = 0; i < n; i++) {
        const key = `r/${rnd(40)}`;
        await dev.e.exec([rnd(4) === 0 ? { del: key } : { put: key, value: `${dev.e.peer.slice(0, 4)} ${i} ${rnd(1e6)}` }]);
        await new Promise((r) => setTimeout(r, rnd(15)));
      }
    }, { seed, n });
    const kills = [];
    const chaos = (async () => {
      for (const delay of [700, 900]) {
        await new Promise((r) => setTimeout(r, delay));
        await srv.kill('SIGKILL');
        kills.push(Date.now());
        await new Promise((r) => setTimeout(r, 400));
        await srv.restart();
      }
    })();
    await Promise.all([edit(a.page, 11, 100), edit(b.page, 23, 100), chaos]);
    assert.equal(kills.length, 2);
    for (const d of [a, b]) await until(d.page, (s) => s.state === 'live' && s.pending === 0, 'live, nothing pending', 30_000);
    // Each has the other's 100 entries; the server too.
    const settle = async () => {
      for (let i = 0; i < 100; i++) {
        const [sa, sb] = [await state(a.page), await state(b.page)];
        if (JSON.stringify(sa) === JSON.stringify(sb) && Object.values(sa.cursors).every((c) => c === 100)) return [sa, sb];
        await new Promise((r) => setTimeout(r, 200));
      }
      return [await state(a.page), await state(b.page)];
    };
    const [sa, sb] = await settle();
    assert.deepEqual(sa, sb, 'both devices hold the same');
    assert.deepEqual(sa.cursors, { [a.peer]: 100, [b.peer]: 100 }, 'each device wrote 100 entries, each once');
    const server = await a.page.evaluate(async () => T.cur(await dev.t.cursors()));
    assert.deepEqual(server, sa.cursors, 'the server holds every entry once');
    const seen = await a.page.evaluate(() => dev.statuses.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]));
    t.diagnostic(`a's states: ${seen.join(' → ')}`);
    assert.ok(seen.includes('offline'), 'the kills were seen');
  } finally {
    for (const d of [a, b]) await d.context.close();
  }
});

test('two tabs of one device run one live sync: one leads, the other follows its status and takes over when it closes', { timeout: 120_000 }, async () => {
  const context = await newContext(env);
  const other = await newContext(env);
  try {
    const [p1, p2] = [await openPage(env, context), await openPage(env, context)];
    await setUp(p1, { name: 'live-tabs', space: 'tabs', token: srv.token });
    await setUp(p2, { name: 'live-tabs', space: 'tabs', token: srv.token });
    const s1 = await until(p1, (s) => s.state === 'live', 'tab 1 live');
    assert.equal(s1.leader, true);
    const s2 = await until(p2, (s) => s.state === 'live', 'tab 2 follows');
    assert.equal(s2.leader, false, 'tab 2 follows');
    // A write in tab 2 goes through tab 1's sync.
    await p2.evaluate(() => dev.e.exec([{ put: 'tabs/1', value: 'from tab 2' }]));
    const pb = await openPage(env, other);
    await setUp(pb, { name: 'live-tabs-b', space: 'tabs', token: srv.token });
    await pb.evaluate(() => T.waitFor(() => dev.heard.has('tabs/1'), 'the other device heard tab 2'));
    // Tab 1 goes: tab 2 takes over.
    await p1.close();
    const s2b = await until(p2, (s) => s.leader, 'tab 2 leads');
    assert.equal(s2b.leader, true);
    await p2.evaluate(() => dev.e.exec([{ put: 'tabs/2', value: 'after the leader left' }]));
    await pb.evaluate(() => T.waitFor(() => dev.heard.has('tabs/2'), 'the other device heard tab 2 again'));
    const requests = srv.requests('tabs').filter((r) => r.path.endsWith('/apply'));
    assert.ok(requests.length > 0);
  } finally {
    await context.close();
    await other.close();
  }
});
