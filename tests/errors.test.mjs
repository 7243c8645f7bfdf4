// IdbsyncError: every error a call rejects with or throws is one, with a
// stable code, whether JavaScript, the Go module or a transport found it;
// an error caused by another one (a failed fetch, a transport's rejection)
// keeps it as cause. Offline is UNAVAILABLE, never CLOSED.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { start, freshPage } from './lib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

/** The 14 codes of DESIGN.md and the issue, in its order. */
const CODES = [
  'CURSOR_MISMATCH', 'FORKED', 'UNIQUE_VIOLATION', 'CONFLICT', 'CLOCK_SKEW', 'QUOTA_EXCEEDED',
  'CLOSED', 'BLOCKED', 'CORRUPT', 'INVALID_ARGUMENT', 'UNAVAILABLE', 'UNAUTHENTICATED',
  'PERMISSION_DENIED', 'INTERNAL',
];

/** Asserts o (T.outcome or T.err) is an IdbsyncError with code. */
function isIdbsync(o, code, what) {
  const detail = `${what}: ${JSON.stringify(o)}`;
  assert.equal(o.idbsync, true, `an IdbsyncError: ${detail}`);
  assert.equal(o.isError, true, detail);
  assert.equal(o.name, 'IdbsyncError', detail);
  assert.equal(o.code, code, detail);
}

test('the class and the codes: exported, named, every code in idbsync.js and in the .d.ts union and its comment', { timeout: 30_000 }, async () => {
  const { context, page } = await freshPage(env);
  const r = await page.evaluate(async () => {
    const m = await T.load();
    const cause = new TypeError('underneath');
    const e = new m.IdbsyncError('CONFLICT', 'lost a race', { cause });
    const plain = new m.IdbsyncError('CLOSED', 'closed');
    return {
      codes: [...m.codes], frozen: Object.isFrozen(m.codes),
      e: { ...T.err(e), isCause: e.cause === cause, proto: Object.getPrototypeOf(m.IdbsyncError) === Error },
      plain: { hasCause: 'cause' in plain, name: plain.name, string: String(plain) },
    };
  });
  assert.deepEqual(r.codes, CODES);
  assert.ok(r.frozen);
  isIdbsync(r.e, 'CONFLICT', 'new IdbsyncError');
  assert.ok(r.e.isCause && r.e.proto);
  assert.deepEqual(r.plain, { hasCause: false, name: 'IdbsyncError', string: 'IdbsyncError: closed' });

  const dts = await readFile(new URL('../web/idbsync.d.ts', import.meta.url), 'utf8');
  const union = dts.match(/export type ErrorCode =([^;]*);/)[1].match(/'([A-Z_]+)'/g).map((c) => c.slice(1, -1));
  assert.deepEqual(union, CODES, 'the ErrorCode union');
  const comment = dts.slice(0, dts.indexOf('export type ErrorCode'));
  for (const code of CODES) assert.match(comment, new RegExp(`\`${code}\``), `the .d.ts documents ${code}`);
  await context.close();
});

test('errors of the Go module, of argument checks, of a closed engine and of load() are IdbsyncErrors', { timeout: 30_000 }, async () => {
  const { context, page } = await freshPage(env);
  const failedLoad = await page.evaluate(async () => {
    const m = await T.load({ module: false });
    return T.outcome(() => m.load({ wasm: '/dist/no-such.wasm' }));
  });
  isIdbsync(failedLoad, 'UNAVAILABLE', 'load() of a missing module');
  assert.match(failedLoad.message, /HTTP 404/);

  const r = await page.evaluate(async () => {
    const m = await T.load();
    const a = await m.open({ name: 'err-a' });
    const b = await m.open({ name: 'err-b' });
    await a.exec([{ put: 'k', value: '1' }]);
    await a.exec([{ put: 'k', value: '2' }]);
    const gap = await a.readSince(a.peer, 1, 10); // index 1 without 0
    const out = {
      gap: await T.outcome(() => b.apply(gap)),
      badPeer: await T.outcome(() => m.open({ name: 'err-c', peer: 'not-a-uuid' })),
      badLimit: await T.outcome(() => a.readSince(a.peer, 0, 0)),
      decode: await T.outcome(() => m.decode(T.bytes(40, 3))),
      badOps: await T.outcome(() => a.exec(42)),
      badKey: await T.outcome(() => a.get(7)),
      watch: await T.outcome(() => a.watch({ prefix: 1 }, () => {})),
    };
    await b.close();
    out.closed = await T.outcome(() => b.cursors());
    return out;
  });
  isIdbsync(r.gap, 'CURSOR_MISMATCH', 'apply of a gap (Go)');
  assert.deepEqual([r.gap.expected, r.gap.actual], ['0', '1'], 'expected and actual survive');
  assert.equal(r.gap.cause, undefined, 'a Go error has no cause in JavaScript');
  isIdbsync(r.badPeer, 'INVALID_ARGUMENT', 'open with a malformed peer (Go)');
  isIdbsync(r.badLimit, 'INVALID_ARGUMENT', 'readSince limit 0 (Go)');
  assert.equal(r.decode.kind, 'threw');
  isIdbsync(r.decode, 'CORRUPT', 'decode of random bytes (Go, synchronous)');
  isIdbsync(r.badOps, 'INVALID_ARGUMENT', 'exec(42) (JS)');
  isIdbsync(r.badKey, 'INVALID_ARGUMENT', 'get(7) (JS)');
  assert.equal(r.watch.kind, 'threw');
  isIdbsync(r.watch, 'INVALID_ARGUMENT', 'watch with a numeric prefix (JS, synchronous)');
  isIdbsync(r.closed, 'CLOSED', 'a call on a closed engine');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('transports: no answer or no server is UNAVAILABLE (with the cause), a server\'s code or status is kept, a bad answer is CORRUPT', { timeout: 60_000 }, async () => {
  const { context, page } = await freshPage(env);
  // /http/<case>/...: a server per case, answered by the test.
  await page.route('**/http/**', (route) => {
    const c = new URL(route.request().url()).pathname.split('/')[2];
    const json = (status, body) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    switch (c) {
      case 'down': return route.abort('connectionrefused');
      case 'skew': return json(422, { code: 'CLOCK_SKEW', message: 'too far ahead' });
      case 'auth': return json(401, { message: 'who are you' });
      case 'denied': return route.fulfill({ status: 403, body: 'no' });
      case 'busy': return route.fulfill({ status: 503, body: '' });
      case 'teapot': return json(418, { code: 'NOT_OURS', message: 'short and stout' });
      case 'notjson': return route.fulfill({ status: 200, contentType: 'application/json', body: '{"a":' });
      case 'array': return json(200, [1, 2]);
      default: return json(404, {});
    }
  });
  const r = await page.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'err-transport' });
    await e.exec([{ put: 'k', value: 'v' }]);
    const t = (c) => m.fetchTransport(new URL(`/http/${c}/`, location.href));
    const out = {};
    for (const c of ['down', 'skew', 'auth', 'denied', 'busy', 'teapot', 'notjson', 'array']) out[c] = await T.outcome(() => t(c).cursors());
    out.syncDown = await T.outcome(() => m.sync(e, t('down')));
    out.syncDownCauseCause = await m.sync(e, t('down')).catch((err) => err.cause?.cause?.name);
    out.syncAuth = await T.outcome(() => m.sync(e, t('auth')));

    // connect() with nobody serving: the timeout.
    const ch = new MessageChannel();
    const nobody = m.connect(ch.port1, { name: 'nobody', timeout: 200 });
    out.timeout = await T.outcome(() => nobody.cursors());
    out.syncTimeout = await T.outcome(() => m.sync(e, nobody));
    ch.port1.close();

    // A transport of the app's that throws a plain Error.
    const plain = { cursors: async () => { throw new Error('socket hung up'); }, readSince: async () => new Uint8Array(), apply: async () => ({ applied: 0, skipped: 0 }) };
    out.plain = await T.outcome(() => m.sync(e, plain));
    out.plainRoot = await m.sync(e, plain).catch((err) => `${err.cause?.cause?.message}`);

    // An engine's error over serve()/connect() keeps its code and numbers.
    const f = await m.open({ name: 'err-served' });
    const ch2 = new MessageChannel();
    const stop = m.serve(f, ch2.port2);
    const remote = m.connect(ch2.port1, { name: f.peer, timeout: 5_000 });
    await e.exec([{ put: 'k', value: 'w' }]);
    out.remoteGap = await T.outcome(async () => remote.apply(await e.readSince(e.peer, 1, 10)));
    stop();
    ch2.port1.close();
    return out;
  });
  isIdbsync(r.down, 'UNAVAILABLE', 'an unreachable server');
  assert.equal(r.down.cause?.name, 'TypeError', `the cause is fetch's TypeError: ${JSON.stringify(r.down)}`);
  isIdbsync(r.skew, 'CLOCK_SKEW', 'a server that says CLOCK_SKEW');
  assert.match(r.skew.message, /too far ahead/);
  isIdbsync(r.auth, 'UNAUTHENTICATED', 'HTTP 401 without a code');
  isIdbsync(r.denied, 'PERMISSION_DENIED', 'HTTP 403 without a body');
  isIdbsync(r.busy, 'UNAVAILABLE', 'HTTP 503');
  isIdbsync(r.teapot, 'INVALID_ARGUMENT', 'HTTP 418 with a code that is none of ours');
  isIdbsync(r.notjson, 'CORRUPT', 'a 200 that is not JSON');
  assert.equal(r.notjson.cause?.name, 'SyntaxError');
  isIdbsync(r.array, 'CORRUPT', 'cursors that are an array');

  isIdbsync(r.syncDown, 'UNAVAILABLE', 'sync over an unreachable server');
  assert.equal(r.syncDown.cause?.code, 'UNAVAILABLE', `sync's cause is the transport's error: ${JSON.stringify(r.syncDown)}`);
  assert.equal(r.syncDownCauseCause, 'TypeError', 'and its cause the TypeError');
  isIdbsync(r.syncAuth, 'UNAUTHENTICATED', 'sync with a server that answers 401');
  isIdbsync(r.timeout, 'UNAVAILABLE', 'connect() without an answer');
  assert.match(r.timeout.message, /no answer .* within 200 ms/);
  isIdbsync(r.syncTimeout, 'UNAVAILABLE', 'sync over connect() without an answer');
  assert.equal(r.syncTimeout.cause?.code, 'UNAVAILABLE');
  isIdbsync(r.plain, 'UNAVAILABLE', 'a transport that throws a plain Error');
  assert.equal(r.plainRoot, 'socket hung up', 'the plain Error is at the end of the causes');
  isIdbsync(r.remoteGap, 'CURSOR_MISMATCH', 'a served engine\'s CURSOR_MISMATCH');
  assert.deepEqual([r.remoteGap.expected, r.remoteGap.actual], ['0', '1']);
  assert.deepEqual(page.errors, []);
  await context.close();
});
