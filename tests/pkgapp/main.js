// The app of tests/package.test.mjs: what a user of the npm package writes.
// It imports the package by its name, as an app does once it ran
// `npm install idbsync`; the test builds it with a default `vite build` and
// serves the build under a strict Content-Security-Policy.
//
// On load it runs one scenario (open, exec, get, watch, close) with the
// engine where ?worker= says: shared (open()'s default: the option left
// out), dedicated, or page (worker: false). It publishes its progress and
// outcome as globalThis.pkgapp, {state: 'running' | 'done' | 'failed', step,
// result | error}, and shows it in #result.
import { open, version, IdbsyncError } from 'idbsync';

/** The worker option of each ?worker= value; undefined: left out of open()'s options. */
const modes = { shared: undefined, dedicated: 'dedicated', page: false };

/** How long the watch has to report the write it must see. */
const watchTimeout = 10_000;

const status = { state: 'running', step: 'start' };
globalThis.pkgapp = status;

const text = (u8) => (u8 === undefined ? undefined : new TextDecoder().decode(u8));

/** Resolves once pred() holds, checked whenever poke() is called; rejects after ms. */
function when(pred, what, ms) {
  let poke;
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    poke = () => { if (pred()) { clearTimeout(timer); resolve(); } };
  });
  return { done, poke };
}

/** The scenario; resolves to what each step gave, as plain data. */
async function run(param) {
  if (!(param in modes)) throw new Error(`?worker=${param}: want shared, dedicated or page`);
  const worker = modes[param];
  const name = `pkgapp-${param}`;
  const out = {};

  status.step = 'open';
  const db = await open(worker === undefined ? { name } : { name, worker });
  out.worker = db.worker;
  out.peer = db.peer;

  status.step = 'exec';
  out.exec = await db.exec([{ put: 'note/1', value: 'one' }, { put: 'note/2', value: new TextEncoder().encode('two') }]);

  status.step = 'get';
  out.get = [text(await db.get('note/1')), text(await db.get('note/2')), text(await db.get('note/missing'))];

  status.step = 'watch';
  const changes = [];
  const seen = when(() => changes.some((c) => c.key === 'note/3'), 'the watch to report note/3', watchTimeout);
  const stop = db.watch({ prefix: 'note/', onError: (err) => changes.push({ error: err.code }) }, (cs) => {
    for (const c of cs) changes.push({ key: c.key, value: text(c.value) });
    seen.poke();
  });
  out.exec3 = await db.exec([{ put: 'note/3', value: 'three' }, { put: 'other/1', value: 'not watched' }]);
  await seen.done;
  stop();
  out.changes = changes;

  status.step = 'close';
  await db.close();
  try {
    await db.get('note/1');
    out.afterClose = 'resolved';
  } catch (err) {
    out.afterClose = err instanceof IdbsyncError ? err.code : `not an IdbsyncError: ${err}`;
  }
  out.version = version();
  return out;
}

run(new URLSearchParams(location.search).get('worker') ?? 'shared').then(
  (result) => { Object.assign(status, { state: 'done', result }); },
  (err) => { Object.assign(status, { state: 'failed', error: { code: err?.code, message: String(err?.message ?? err) } }); },
).finally(() => {
  document.getElementById('result').textContent = JSON.stringify(status, null, 2);
});
