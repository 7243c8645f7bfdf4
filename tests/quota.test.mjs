// QUOTA_EXCEEDED: the origin's quota is cut with the DevTools protocol
// (Storage.overrideQuotaForOrigin); a write that does not fit rejects with
// the code and leaves the store as it was before the call.
//
// What the browser counts is not what the store holds. Chromium checks the
// quota when a transaction commits, but it has written a large transaction
// into LevelDB before that (and a test context's in-memory store counts its
// LevelDB files as its usage): when the 8 MiB exec below is refused, its
// rollback is deletes, and if LevelDB flushed part of it to a table file
// meanwhile, those bytes stay counted until a compaction, which an open
// in-memory store does not get soon. Raw IndexedDB does the same: one
// transaction of 8 puts of 1 MiB, refused, then a put of 4 bytes was refused
// too in 7 of 30 runs (usage 3.3 or 5.4 MB, over the 3 MB quota), and it
// stayed so for as long as we watched (10 s). So the last step does not
// assume the space comes back: it gives the origin room again, measured from
// what the browser counts now, and checks that the engine writes as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage } from './lib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

const QUOTA = 3_000_000;

test('a write past the quota rejects QUOTA_EXCEEDED and changes nothing; with room again, writes go on', { timeout: 120_000 }, async () => {
  const context = await newContext(env);
  const page = await openPage(env, context);
  const origin = new URL(env.url).origin;
  // The quota is cut before the database opens: Chromium applies an
  // override to the connections opened after it.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: QUOTA });
  const before = await page.evaluate(async () => {
    const m = await T.load();
    globalThis.e = await m.open({ name: 'quota' });
    await e.exec([{ put: 'keep', value: 'kept' }]);
    await e.putBlob('blob', T.bytes(100_000, 7));
    return { cursors: T.cur(await e.cursors()) };
  });

  // A blob of 12 MiB: its chunks go in one transaction each, until the
  // browser refuses one. The blob keeps its old value. Recovery deletes the
  // chunks written; in the paged layout a delete is a write too (a
  // write-ahead row), which the browser may refuse while it counts more
  // than the quota: then the chunks wait for the space to come back (below).
  const blob = await page.evaluate(async () => {
    const o = await T.outcome(() => e.putBlob('blob', T.bytes(12 << 20, 9)), 60_000);
    const recovered = await T.outcome(() => e.recover());
    return {
      o, recovered, layout: e.layout, stats: await e.stats(),
      same: (await T.sha(await e.getBlob('blob'))) === (await T.sha(T.bytes(100_000, 7))),
    };
  });
  assert.equal(blob.o.kind, 'rejected', JSON.stringify(blob.o));
  assert.equal(blob.o.code, 'QUOTA_EXCEEDED', JSON.stringify(blob.o));
  assert.ok(blob.same, 'the blob keeps its old value');
  if (blob.recovered.kind === 'resolved') {
    assert.equal(blob.stats.changes, 0, JSON.stringify(blob.stats));
    assert.equal(blob.stats.blobs, blob.stats.referenced, `no partial blob is left: ${JSON.stringify(blob.stats)}`);
  } else {
    assert.equal(blob.layout, 'paged', `only the paged layout writes to delete: ${JSON.stringify(blob)}`);
    assert.equal(blob.recovered.code, 'QUOTA_EXCEEDED', JSON.stringify(blob.recovered));
  }

  // 8 MiB in one exec: one transaction, refused whole.
  const exec = await page.evaluate(async () => {
    const big = T.bytes(1 << 20, 3);
    const ops = Array.from({ length: 8 }, (_, i) => ({ put: `big/${i}`, value: big }));
    const o = await T.outcome(() => e.exec(ops), 60_000);
    return { o, cursors: T.cur(await e.cursors()), big: (await e.scan({ prefix: 'big/' })).length };
  });
  assert.equal(exec.o.kind, 'rejected', JSON.stringify(exec.o));
  assert.equal(exec.o.code, 'QUOTA_EXCEEDED', JSON.stringify(exec.o));
  assert.deepEqual({ cursors: exec.cursors, big: exec.big }, { cursors: before.cursors, big: 0 }, 'the failed exec left nothing');

  // Room again (as when the user frees space): 2 MiB more than the browser
  // counts now, whatever it still counts of the refused writes.
  const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin });
  console.log(`after the refused writes the browser counts ${usage} B against the ${QUOTA} B quota`);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + (2 << 20) });
  const r = await page.evaluate(async () => {
    const recovered = await T.outcome(() => e.recover());
    const stats = await e.stats();
    const small = await T.outcome(() => e.exec([{ put: 'small', value: 'fits' }]));
    const blob = await T.outcome(() => e.putBlob('blob2', T.bytes(256 << 10, 5)));
    return {
      recovered, stats, small, blob, cursors: T.cur(await e.cursors()), peer: e.peer,
      got: T.arr(await e.get('small')), keep: T.arr(await e.get('keep')),
      blob2: (await T.sha(await e.getBlob('blob2'))) === (await T.sha(T.bytes(256 << 10, 5))),
    };
  });
  assert.equal(r.recovered.kind, 'resolved', `with room, recovery runs: ${JSON.stringify(r.recovered)}`);
  assert.equal(r.stats.changes, 0, JSON.stringify(r.stats));
  assert.equal(r.stats.blobs, r.stats.referenced, `no partial blob is left: ${JSON.stringify(r.stats)}`);
  assert.equal(r.small.kind, 'resolved', `with room (usage ${usage} B), a small exec works: ${JSON.stringify(r.small)}`);
  assert.deepEqual(r.cursors, { [r.peer]: before.cursors[r.peer] + 2 }, 'it took the next index, and the attachment the one after');
  assert.deepEqual(r.got, Array.from(Buffer.from('fits')));
  assert.equal(r.blob.kind, 'resolved', `with room, a 256 KiB putBlob works: ${JSON.stringify(r.blob)}`);
  assert.ok(r.blob2, 'the new blob reads back');
  assert.deepEqual(r.keep, Array.from(Buffer.from('kept')));
  await context.close();
});
