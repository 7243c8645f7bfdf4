// A sync that meets a failing peer goes on with the others, then rejects
// with every failure (each with its peer and side) and what went through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage } from './lib.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

test('a forked peer (a peer id reused by a fresh database) is FORKED; the other peers still sync', async () => {
  const context = await newContext(env);
  const page = await openPage(env, context);
  const r = await page.evaluate(async () => {
    const m = await T.load();
    const peer = crypto.randomUUID();
    const old = await m.open({ name: `old-${peer}`, peer });
    await old.exec([{ put: 'p/0', value: 'old 0' }, { put: 'p/1', value: 'old 1' }, { put: 'p/2', value: 'old 2' }]);
    const b = await m.open({ name: `b-${peer}` });
    await m.sync(b, old);
    await b.exec([{ put: 'b/0', value: 'b 0' }, { put: 'b/1', value: 'b 1' }]);
    // The same peer id, new storage: another history at indexes b holds.
    const reborn = await m.open({ name: `reborn-${peer}`, peer });
    await reborn.exec([{ put: 'p/0', value: 'new 0' }]);
    const heard = [];
    reborn.watch({ prefix: '' }, (changes) => heard.push(...changes.map((c) => c.key)));
    let err = null;
    try {
      await m.sync(reborn, b);
    } catch (e) {
      err = {
        isError: e instanceof m.IdbsyncError, code: e.code, toA: e.toA, toB: e.toB,
        errors: e.errors?.map((x) => ({ isError: x instanceof m.IdbsyncError, code: x.code, peer: x.peer, side: x.side, idx: x.idx })),
      };
    }
    const rows = (await reborn.scan()).map((x) => `${x.key}=${new TextDecoder().decode(x.value)}`);
    const cursors = await reborn.cursors();
    await new Promise((ok) => setTimeout(ok, 50));
    return { peer, bPeer: b.peer, err, rows, cursors, heard };
  });
  assert.ok(r.err, 'the sync rejects');
  assert.equal(r.err.isError, true);
  assert.equal(r.err.code, 'FORKED');
  assert.equal(r.err.toA, 2, "b's own entries reached reborn");
  assert.equal(r.err.errors.length, 1, JSON.stringify(r.err.errors));
  assert.deepEqual(r.err.errors[0], { isError: true, code: 'FORKED', peer: r.peer, side: 'a', idx: 0 });
  assert.deepEqual(r.rows, ['b/0=b 0', 'b/1=b 1', 'p/0=new 0'], 'nothing of the old history was appended to the new');
  assert.deepEqual(r.cursors, { [r.peer]: 1, [r.bPeer]: 2 });
  assert.ok(r.heard.includes('b/0') && r.heard.includes('b/1'), `watchers heard what went through: ${r.heard}`);
  await context.close();
});
