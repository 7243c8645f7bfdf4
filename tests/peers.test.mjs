// serve() and connect() between browser contexts (DESIGN.md, Trust): a
// Window is accepted only with the origin trusted, whose messages alone are
// answered, and only to the window that asked; an authorize hook decides
// each request; a readSince page is clamped to maxLimit; request ids are
// unguessable and a reply is taken only for a pending request of one's own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage, UUID } from './lib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

const OTHER = 'http://other.test';

/** Adds an iframe of src to page and resolves its playwright Frame. */
async function frame(page, src, id) {
  await page.evaluate(({ src, id }) => new Promise((resolve, reject) => {
    const f = document.createElement('iframe');
    f.id = id;
    f.src = src;
    f.onload = resolve;
    f.onerror = reject;
    document.body.append(f);
  }), { src, id });
  return (await page.$(`#${id}`)).contentFrame();
}

test('a Window needs {origin}: then only that origin is answered, and only the window that asked hears the reply', { timeout: 60_000 }, async () => {
  const context = await newContext(env);
  await context.route(`${OTHER}/**`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><p>another origin</p>' }));
  const page = await openPage(env, context);
  const refused = await page.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'peers-window' });
    return {
      serve: await T.outcome(() => m.serve(e, window)),
      serveTop: await T.outcome(() => m.serve(e, window.top)),
      connect: await T.outcome(() => m.connect(window, { name: e.peer })),
      star: await T.outcome(() => m.serve(e, window, { origin: '*' })),
    };
  });
  for (const [what, o] of Object.entries(refused)) {
    assert.equal(o.kind, 'threw', `${what}: ${JSON.stringify(o)}`);
    assert.equal(o.code, 'INVALID_ARGUMENT', `${what}: ${JSON.stringify(o)}`);
    assert.equal(o.idbsync, true);
  }
  assert.match(refused.serve.message, /Window.*origin/);

  // The page serves its engine on its window, trusting its own origin.
  const { peer, batch } = await page.evaluate(async () => {
    const m = await T.load();
    globalThis.e = await m.open({ name: 'peers-window' });
    await e.exec([{ put: 'mine', value: '1' }]);
    const g = await m.open({ name: 'peers-window-other' });
    await g.exec([{ put: 'forged', value: 'x' }]);
    globalThis.spy = [];
    addEventListener('message', (ev) => { if (ev.data?.idbsync === 'reply') spy.push(ev.data); });
    globalThis.stop = m.serve(e, window, { origin: location.origin });
    return { peer: e.peer, batch: Array.from(await g.readSince(g.peer, 0, 10)) };
  });
  const friend = await frame(page, `${env.url}test/`, 'friend');
  const bystander = await frame(page, `${env.url}test/`, 'bystander');
  const stranger = await frame(page, `${OTHER}/frame.html`, 'stranger');

  // The bystander (same origin) listens for replies it did not ask for.
  await bystander.evaluate(() => {
    globalThis.spy = [];
    addEventListener('message', (ev) => { if (ev.data?.idbsync === 'reply') spy.push(ev.data); });
  });
  // A frame of another origin posts requests to the page, as anyone can.
  const strange = await stranger.evaluate(async ({ peer, batch }) => {
    const got = [];
    addEventListener('message', (ev) => got.push(ev.data));
    parent.postMessage({ idbsync: 'request', id: 'a', to: peer, method: 'cursors', args: [] }, '*');
    parent.postMessage({ idbsync: 'request', id: 'b', to: peer, method: 'apply', args: [Uint8Array.from(batch)] }, '*');
    await new Promise((ok) => setTimeout(ok, 1_000));
    return got;
  }, { peer, batch });
  assert.deepEqual(strange, [], 'another origin gets no answer');

  // A frame of the trusted origin syncs through connect(parent, {origin}).
  const friendly = await friend.evaluate(async (peer) => {
    const m = await T.load();
    const t = m.connect(parent, { name: peer, origin: location.origin, timeout: 10_000 });
    const cursors = T.cur(await t.cursors());
    const noOrigin = await T.outcome(() => m.connect(parent, { name: peer }));
    const wrongOrigin = m.connect(parent, { name: peer, origin: 'http://other.test', timeout: 500 });
    return { cursors, noOrigin, wrong: await T.outcome(() => wrongOrigin.cursors()) };
  }, peer);
  assert.deepEqual(friendly.cursors, { [peer]: 1 }, 'the friend is answered, and nothing of the stranger\'s apply is there');
  assert.equal(friendly.noOrigin.code, 'INVALID_ARGUMENT', 'connect(parent) needs the origin too');
  assert.equal(friendly.wrong.code, 'UNAVAILABLE', `a reply from another origin than the one trusted is not taken: ${JSON.stringify(friendly.wrong)}`);

  const after = await page.evaluate(async () => ({ cursors: T.cur(await e.cursors()), forged: T.arr(await e.get('forged')), spy }));
  assert.deepEqual(after.cursors, { [peer]: 1 }, 'the stranger\'s batch was not applied');
  assert.equal(after.forged, undefined);
  assert.deepEqual(after.spy, [], 'the page itself does not get the replies it sends');
  assert.deepEqual(await bystander.evaluate(() => spy), [], 'a bystander frame does not hear replies to the friend');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('authorize decides each request: a refusal or a throw is PERMISSION_DENIED and applies nothing', { timeout: 60_000 }, async () => {
  const context = await newContext(env);
  const page = await openPage(env, context);
  const r = await page.evaluate(async () => {
    const m = await T.load();
    const server = await m.open({ name: 'peers-auth-server' });
    const client = await m.open({ name: 'peers-auth-client' });
    await server.exec([{ put: 's', value: 'server' }]);
    await client.exec([{ put: 'c', value: 'client' }]);
    const seen = [];
    let mode = 'read-only';
    const authorize = async (req) => {
      seen.push({ method: req.method, n: req.args.length, origin: req.origin, frozen: Object.isFrozen(req) && Object.isFrozen(req.args) });
      if (mode === 'throws') throw new Error('who are you?');
      if (mode === 'read-only') return req.method !== 'apply';
      return mode === 'all';
    };
    const ch = new MessageChannel();
    const stop = m.serve(server, ch.port2, { authorize });
    const t = m.connect(ch.port1, { name: server.peer, timeout: 10_000 });
    const out = {};
    out.readOnly = await T.outcome(() => m.sync(client, t));
    out.afterReadOnly = { server: T.cur(await server.cursors()), client: T.cur(await client.cursors()) };
    mode = 'throws';
    out.throws = await T.outcome(() => t.cursors());
    mode = 'none';
    out.none = await T.outcome(() => t.cursors());
    out.serverAfter = T.cur(await server.cursors());
    mode = 'all';
    out.all = await T.outcome(() => m.sync(client, t));
    out.final = T.cur(await server.cursors());
    stop();
    ch.port1.close();

    // Over a BroadcastChannel the request names the origin.
    const bc = `peers-auth-${Math.random()}`;
    const origins = [];
    const stopBc = m.serve(server, new BroadcastChannel(bc), { authorize: (req) => { origins.push(req.origin); return true; } });
    await m.connect(new BroadcastChannel(bc), { name: server.peer, timeout: 10_000 }).cursors();
    stopBc();
    return { ...out, seen, origins, peers: { server: server.peer, client: client.peer }, origin: location.origin };
  });
  const { server, client } = r.peers;
  assert.equal(r.readOnly.kind, 'rejected', JSON.stringify(r.readOnly));
  assert.equal(r.readOnly.code, 'PERMISSION_DENIED', JSON.stringify(r.readOnly));
  assert.equal(r.readOnly.idbsync, true);
  assert.deepEqual(r.afterReadOnly.server, { [server]: 1 }, 'the refused apply wrote nothing');
  assert.deepEqual(r.afterReadOnly.client, { [client]: 1, [server]: 1 }, 'the permitted pull went through');
  assert.equal(r.throws.code, 'PERMISSION_DENIED', JSON.stringify(r.throws));
  assert.match(r.throws.message, /who are you/);
  assert.equal(r.none.code, 'PERMISSION_DENIED', 'a falsy answer refuses');
  assert.deepEqual(r.serverAfter, { [server]: 1 });
  assert.equal(r.all.kind, 'resolved', JSON.stringify(r.all));
  assert.deepEqual(r.final, { [client]: 1, [server]: 1 });
  const methods = new Set(r.seen.map((s) => s.method));
  assert.deepEqual([...methods].sort(), ['apply', 'cursors', 'readSince'], 'authorize saw every method');
  for (const s of r.seen) {
    assert.equal(s.n, { cursors: 0, readSince: 3, apply: 1 }[s.method], JSON.stringify(s));
    assert.equal(s.origin, undefined, 'a MessagePort has no origin');
    assert.ok(s.frozen, 'the request is read-only');
  }
  assert.deepEqual(r.origins, [r.origin], 'a BroadcastChannel request has the origin');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('readSince is clamped to maxLimit (default 1000), not refused; a sync through a small one converges', { timeout: 60_000 }, async () => {
  const context = await newContext(env);
  const page = await openPage(env, context);
  const r = await page.evaluate(async () => {
    const m = await T.load();
    const server = await m.open({ name: 'peers-limit-server' });
    await server.exec(Array.from({ length: 1005 }, (_, i) => ({ put: `k/${i}`, value: `${i}` })));
    const n = async (t, limit) => m.decode(await t.readSince(server.peer, 0, limit)).length;
    const serveOn = (opts) => {
      const ch = new MessageChannel();
      const stop = m.serve(server, ch.port2, opts);
      return { t: m.connect(ch.port1, { name: server.peer, timeout: 20_000 }), stop };
    };
    const dflt = serveOn();
    const small = serveOn({ maxLimit: 100 });
    const out = {
      dfltMax: await n(dflt.t, 2 ** 31 - 1),
      dflt10: await n(dflt.t, 10),
      dfltBig: await n(dflt.t, 2n ** 40n),
      small: await n(small.t, 1000),
      smallUnder: await n(small.t, 7),
      badMax: await T.outcome(() => m.serve(server, new MessageChannel().port1, { maxLimit: 0 })),
    };
    const client = await m.open({ name: 'peers-limit-client' });
    out.sync = await m.sync(client, small.t, { pageSize: 1000 });
    out.clientHas = T.cur(await client.cursors())[server.peer];
    dflt.stop();
    small.stop();
    return out;
  });
  assert.equal(r.dfltMax, 1000, 'a limit of 2^31-1 reads 1000 entries');
  assert.equal(r.dflt10, 10);
  assert.equal(r.dfltBig, 1000, 'a BigInt limit is clamped too');
  assert.equal(r.small, 100, 'maxLimit: 100');
  assert.equal(r.smallUnder, 7);
  assert.equal(r.badMax.code, 'INVALID_ARGUMENT');
  assert.deepEqual(r.sync, { toA: 1005, toB: 0 }, 'pages shorter than asked still converge');
  assert.equal(r.clientHas, 1005);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('request ids are random UUIDs; a reply with another id, a guessed one, or after the answer is ignored', { timeout: 60_000 }, async () => {
  const context = await newContext(env);
  const serverPage = await openPage(env, context);
  const page = await openPage(env, context);
  const bc = `peers-ids-${Date.now()}`;
  const peer = await serverPage.evaluate(async (bc) => {
    const m = await T.load();
    const e = await m.open({ name: 'peers-ids' });
    await e.exec([{ put: 'real', value: 'yes' }]);
    m.serve(e, new BroadcastChannel(bc));
    return e.peer;
  }, bc);
  const r = await page.evaluate(async ({ bc, peer }) => {
    const m = await T.load();
    // A forger on the channel answers every request first, with ids it
    // makes up from the one it saw, and replays the real answers later.
    const ids = [];
    const forger = new BroadcastChannel(bc);
    const forge = (id) => forger.postMessage({ idbsync: 'reply', id, ok: true, value: { [crypto.randomUUID()]: 99 } });
    const answered = [];
    forger.onmessage = (ev) => {
      const d = ev.data;
      if (d?.idbsync === 'request') {
        ids.push(d.id);
        forge(`${d.id}x`);
        forge(d.id.slice(0, -1));
        forge(crypto.randomUUID());
        forge(`${Date.now()}-${ids.length - 1}-${Math.random()}`);
        forge(String(ids.length));
      } else if (d?.idbsync === 'reply' && d.value?.[peer] !== undefined) {
        answered.push(d.id);
        forger.postMessage({ idbsync: 'reply', id: d.id, ok: false, code: 'CLOSED', message: 'replayed' });
      }
    };
    const t = m.connect(new BroadcastChannel(bc), { name: peer, timeout: 10_000 });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(T.cur(await t.cursors()));
    await T.settle(10);
    forger.close();
    return { ids, results, answered };
  }, { bc, peer });
  assert.equal(r.ids.length, 5);
  for (const id of r.ids) assert.match(id, UUID, `a request id is a random UUID: ${id}`);
  assert.equal(new Set(r.ids).size, 5, 'all different');
  for (const c of r.results) assert.deepEqual(c, { [peer]: 1 }, 'every call resolved with the served engine\'s answer');
  assert.equal(r.answered.length, 5, 'the forger saw the real replies, and replayed them: ignored');
  assert.deepEqual([...page.errors, ...serverPage.errors], []);
  await context.close();
});
