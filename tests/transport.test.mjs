// sync over HTTP: fetchTransport in one page, and a "server" that is another
// page's engine behind playwright's request interception, speaking the
// protocol idbsync.d.ts documents (POST cursors, read-since, apply).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage } from './lib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

/**
 * Serves the engine of serverPage (database name) on every request of
 * clientPage under /sync/. fault(path) may answer instead (a status and a
 * JSON body) or return 'abort' to drop the connection.
 */
async function route(clientPage, serverPage, name, fault = () => null) {
  const calls = [];
  await clientPage.route('**/sync/**', async (r) => {
    const path = new URL(r.request().url()).pathname.replace('/sync/', '');
    calls.push(path);
    const f = fault(path, calls.length);
    if (f === 'abort') return r.abort();
    if (f) return r.fulfill({ status: f.status, contentType: 'application/json', body: JSON.stringify(f.body) });
    const body = r.request().postDataBuffer() ?? Buffer.alloc(0);
    const answer = await serverPage.evaluate(async ({ name, path, body }) => {
      const m = await T.load();
      const e = await m.open({ name });
      const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
      const b64 = (u8) => btoa(String.fromCharCode(...u8));
      try {
        switch (path) {
          case 'cursors': {
            const c = await e.cursors();
            return { json: Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v])) };
          }
          case 'read-since': {
            const { peer, from, limit } = JSON.parse(new TextDecoder().decode(bytes));
            return { bytes: b64(await e.readSince(peer, typeof from === 'string' ? BigInt(from) : from, limit)) };
          }
          case 'apply':
            return { json: await e.apply(bytes) };
          default:
            return { status: 404, json: { code: 'INVALID_ARGUMENT', message: `no ${path}` } };
        }
      } catch (err) {
        return { status: 400, json: { code: err.code, message: err.message } };
      } finally {
        await e.close();
      }
    }, { name, path, body: body.toString('base64') });
    if (answer.bytes !== undefined) {
      return r.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(answer.bytes, 'base64') });
    }
    return r.fulfill({ status: answer.status ?? 200, contentType: 'application/json', body: JSON.stringify(answer.json) });
  });
  return calls;
}

test('sync over HTTP converges with a server replica, in pages', async () => {
  const context = await newContext(env);
  const client = await openPage(env, context);
  const server = await openPage(env, context);
  await server.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'server' });
    for (let i = 0; i < 5; i++) await e.exec([{ put: `s/${i}`, value: `server ${i}` }]);
    await e.close();
  });
  const calls = await route(client, server, 'server');
  const result = await client.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'client' });
    await e.exec(Array.from({ length: 7 }, (_, i) => ({ put: `c/${i}`, value: `client ${i}` })));
    const t = m.fetchTransport(new URL('/sync/', location.href));
    const first = await m.sync(e, t, { pageSize: 2 });
    const again = await m.sync(e, t);
    const rows = (await e.scan()).map((r) => `${r.key}=${new TextDecoder().decode(r.value)}`);
    return { first, again, rows, cursors: await e.cursors() };
  });
  assert.deepEqual(result.first, { toA: 5, toB: 7 });
  assert.deepEqual(result.again, { toA: 0, toB: 0 }, 'a second sync moves nothing');
  assert.equal(result.rows.length, 12);
  const count = (what) => calls.filter((c) => c === what).length;
  assert.equal(count('read-since'), 3, `the server's 5 entries in pages of 2: ${calls.join(' ')}`);
  assert.equal(count('apply'), 4, `the client's 7 entries in pages of 2: ${calls.join(' ')}`);
  const serverSide = await server.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'server' });
    const out = { cursors: await e.cursors(), rows: (await e.scan()).map((r) => `${r.key}=${new TextDecoder().decode(r.value)}`) };
    await e.close();
    return out;
  });
  assert.deepEqual(serverSide.cursors, result.cursors, 'identical cursors');
  assert.deepEqual(serverSide.rows, result.rows, 'identical state');
  await context.close();
});

test('server errors keep their code; an unreachable server is UNAVAILABLE; nothing half-applied', async () => {
  const context = await newContext(env);
  const client = await openPage(env, context);
  const server = await openPage(env, context);
  await server.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'server' });
    await e.exec([{ put: 'k', value: 'v' }]);
    await e.close();
  });
  let mode = 'skew';
  await route(client, server, 'server', (path) => {
    if (mode === 'skew' && path === 'apply') return { status: 422, body: { code: 'CLOCK_SKEW', message: 'too far ahead' } };
    if (mode === 'down') return 'abort';
    if (mode === 'garbage' && path === 'read-since') return { status: 200, body: { not: 'a batch' } };
    return null;
  });
  const out = await client.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'client' });
    await e.exec([{ put: 'mine', value: 'x' }]);
    const t = m.fetchTransport(new URL('/sync/', location.href));
    const attempt = async () => m.sync(e, t).then((r) => ({ ok: r }), (err) => ({ code: err.code, message: err.message }));
    const skew = await attempt();
    const afterSkew = await e.cursors();
    return { skew, afterSkew, peer: e.peer };
  });
  assert.equal(out.skew.code, 'CLOCK_SKEW', JSON.stringify(out.skew));
  assert.match(out.skew.message, /too far ahead/);
  assert.equal(Object.keys(out.afterSkew).length, 2, 'the pull from the server landed before the push failed');

  // The server gains an entry the client lacks, so a sync must read it.
  await server.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'server' });
    await e.exec([{ put: 'k2', value: 'v2' }]);
    await e.close();
  });
  for (const [m, code] of [['down', 'UNAVAILABLE'], ['garbage', 'CORRUPT']]) {
    mode = m;
    const res = await client.evaluate(async () => {
      const mod = await T.load();
      const e = await mod.open({ name: 'client' });
      const before = await e.cursors(); // a map: compared sorted
      const t = mod.fetchTransport(new URL('/sync/', location.href));
      const r = await mod.sync(e, t).then((v) => ({ ok: v }), (err) => ({ code: err.code, message: err.message }));
      const now = await e.cursors();
      const sorted = (c) => JSON.stringify(Object.entries(c).sort());
      return { r, before, now, same: sorted(before) === sorted(now) };
    });
    assert.equal(res.r.code, code, `${m}: ${JSON.stringify(res.r)}`);
    assert.ok(res.same, `${m}: nothing changed: ${JSON.stringify(res)}`);
  }
  await context.close();
});
