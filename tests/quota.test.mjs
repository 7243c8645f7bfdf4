// QUOTA_EXCEEDED: the origin's quota is cut with the DevTools protocol
// (Storage.overrideQuotaForOrigin); a write that does not fit rejects with
// the code and leaves the store as it was before the call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage } from './lib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

test('a write past the quota rejects QUOTA_EXCEEDED and changes nothing; smaller writes go on', { timeout: 120_000 }, async () => {
  const context = await newContext(env);
  const page = await openPage(env, context);
  // The quota is cut before the database opens: Chromium applies an
  // override to the connections opened after it.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(env.url).origin, quotaSize: 3_000_000 });
  const before = await page.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'quota' });
    await e.exec([{ put: 'keep', value: 'kept' }]);
    await e.putBlob('blob', T.bytes(100_000, 7));
    return { cursors: await e.cursors() };
  });

  const r = await page.evaluate(async () => {
    const m = await T.load();
    const e = await m.open({ name: 'quota' });
    const big = T.bytes(1 << 20, 3);
    const ops = Array.from({ length: 8 }, (_, i) => ({ put: `big/${i}`, value: big }));
    const exec = await T.outcome(() => e.exec(ops), 60_000);
    const afterExec = { cursors: await e.cursors(), big: (await e.scan({ prefix: 'big/' })).length };
    const blob = await T.outcome(() => e.putBlob('blob', T.bytes(12 << 20, 9)), 60_000);
    const recovered = await e.recover();
    const stats = await e.stats();
    const blobNow = await T.sha(await e.getBlob('blob'));
    const blobWas = await T.sha(T.bytes(100_000, 7));
    const small = await T.outcome(() => e.exec([{ put: 'small', value: 'fits' }]));
    return { exec, afterExec, blob, recovered, stats, blobSame: blobNow === blobWas, small, keep: T.arr(await e.get('keep')) };
  });
  assert.equal(r.exec.kind, 'rejected', JSON.stringify(r.exec));
  assert.equal(r.exec.code, 'QUOTA_EXCEEDED', JSON.stringify(r.exec));
  assert.deepEqual(r.afterExec, { cursors: before.cursors, big: 0 }, 'the failed exec left nothing');
  assert.equal(r.blob.kind, 'rejected', JSON.stringify(r.blob));
  assert.equal(r.blob.code, 'QUOTA_EXCEEDED', JSON.stringify(r.blob));
  assert.ok(r.blobSame, 'the blob keeps its old value');
  assert.equal(r.stats.changes, 0, JSON.stringify(r.stats));
  assert.equal(r.stats.blobs, r.stats.referenced, `no partial blob is left: ${JSON.stringify(r.stats)}`);
  assert.equal(r.small.kind, 'resolved', `a write that fits still works: ${JSON.stringify(r.small)}`);
  assert.deepEqual(r.keep, Array.from(Buffer.from('kept')));
  await context.close();
});
