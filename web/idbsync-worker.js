// The worker that hosts idbsync's engine off the page's thread: a module
// SharedWorker (one per origin and module version, serving every tab) or a
// dedicated Worker (one per tab). open() in web/idbsync.js starts or joins
// it; nothing else should load this file.
//
// Each page talks to it over one port (a SharedWorker's port, or the
// dedicated worker itself), in messages {t, id, ...}; every request gets one
// {t: 'reply', id, ok, value | error}:
//   hello {page}              -> {worker, version}: page is the Web Lock the page holds for
//                                its life; worker is the one this worker holds for its own
//   open {name, peer, durability, layout, wasm} -> {peer, instance, layout}
//   call {name, method, args} -> what the engine's method resolved to
//   sync {name, other: {name} | {transport, attests}, pageSize} -> the sync's result
//   close {name}              -> undefined
// and the worker tells the page {t: 'lost', name, error} when the browser
// closed a database under it. A sync with a transport of the page asks the
// page {t: 'tcall', id, transport, method, args} and takes its
// {t: 'treply', id, ok, value | error}.
import {
  asError, dataError, errorData, fail, holdLock, load, pack, randomId, transferables, whenGone,
} from './idbsync-core.js';
import { version } from './version.js';

/** The engine methods a page may call, and whether their arguments may be transferred here. */
const methods = new Set([
  'exec', 'getMany', 'scan', 'cursors', 'readSince', 'apply', 'expunge',
  'putBlob', 'getBlob', 'storeBlob', 'missingBlobs', 'deleteBlob', 'recover', 'stats',
]);

const id = randomId();
// Held for the worker's life: a page that waits for it learns that the worker died.
const held = holdLock(`idbsync-worker:${id}`, new Promise(() => {}));

/** Open databases by name: {promise (of the Go handle), clients: Map<client, opens>}. */
const dbs = new Map();

/** Serves one page on port. */
function accept(port) {
  const client = { port, opened: new Map(), asks: new Map(), gone: false };
  port.addEventListener('message', (ev) => { handle(client, ev.data); });
  port.start?.();
}

async function handle(client, m) {
  if (m === null || typeof m !== 'object' || typeof m.id !== 'string') return;
  if (m.t === 'treply') {
    const ask = client.asks.get(m.id);
    if (!ask) return;
    client.asks.delete(m.id);
    if (m.ok) ask.resolve(m.value);
    else ask.reject(dataError(m.error));
    return;
  }
  let reply;
  try {
    const value = await serve(client, m);
    reply = { t: 'reply', id: m.id, ok: true, value };
  } catch (err) {
    // The raw error's fields (a sync's errors, toA, toB...) with its code as ours.
    const e = asError(err);
    reply = { t: 'reply', id: m.id, ok: false, error: { ...errorData(err), code: e.code, message: e.message } };
  }
  if (client.gone) return;
  try {
    client.port.postMessage(reply, reply.ok ? transferables(reply.value) : []);
  } catch (err) {
    client.port.postMessage({ t: 'reply', id: m.id, ok: false, error: errorData(fail('INTERNAL', `the answer could not be posted: ${err?.message ?? err}`)) });
  }
}

async function serve(client, m) {
  switch (m.t) {
    case 'hello':
      await held;
      if (typeof m.page === 'string') whenGone(m.page, () => leave(client));
      return { worker: id, version };
    case 'open':
      return open(client, m);
    case 'call': {
      if (!methods.has(m.method) || !Array.isArray(m.args)) throw fail('INVALID_ARGUMENT', `no method ${JSON.stringify(m.method)}`);
      const h = await handleOf(client, m.name);
      // exec comes as the page's records, checked there: packed here, off its thread.
      if (m.method === 'exec' && Array.isArray(m.args[0])) return h.exec(packRecords(m.args[0]));
      return h[m.method](...m.args);
    }
    case 'sync': {
      const h = await handleOf(client, m.name);
      const o = m.other;
      const other = typeof o?.name === 'string' ? await handleOf(client, o.name) : transport(client, o?.transport, o?.attests === true, o?.blobs === true);
      return h.sync(other, m.pageSize);
    }
    case 'close':
      return close(client, m.name);
    default:
      throw fail('INVALID_ARGUMENT', `no request ${JSON.stringify(m.t)}`);
  }
}

/** Packs exec's records [{key, value?}] (value a string or a Uint8Array). */
function packRecords(records) {
  for (const r of records) {
    const v = r?.value;
    if (typeof r?.key !== 'string' || (v !== undefined && typeof v !== 'string' && !(v instanceof Uint8Array))) {
      throw fail('INVALID_ARGUMENT', 'exec: a record is not {key, value?}');
    }
  }
  return pack(records);
}

async function open(client, m) {
  if (typeof m.name !== 'string' || m.name === '') throw fail('INVALID_ARGUMENT', 'open: name must be a non-empty string');
  let db = dbs.get(m.name);
  if (!db) {
    const name = m.name;
    db = { clients: new Map() };
    const mine = db;
    db.promise = (async () => {
      const mod = await load(m.wasm === undefined ? {} : { wasm: m.wasm });
      if (mod.version !== version) {
        throw fail('CORRUPT', `the module is version ${mod.version}, this worker is ${version}: a stale copy of idbsync.wasm`);
      }
      return mod.open({
        name, peer: m.peer, durability: m.durability, layout: m.layout, onlost: (reason) => lost(name, mine, reason),
      });
    })();
    dbs.set(name, db);
    db.promise.catch(() => { if (dbs.get(name) === mine) dbs.delete(name); });
  }
  db.clients.set(client, (db.clients.get(client) ?? 0) + 1);
  client.opened.set(m.name, db);
  let h;
  try {
    h = await db.promise;
  } catch (err) {
    release(client, m.name, db);
    throw err;
  }
  return { peer: h.peer, instance: h.instance, layout: h.layout };
}

/** The Go handle of database name as client opened it; CLOSED when it did not, or it was lost. */
async function handleOf(client, name) {
  const db = client.opened.get(name);
  if (!db || dbs.get(name) !== db) throw fail('CLOSED', `engine of ${JSON.stringify(name)} was closed`);
  return db.promise;
}

/** Drops one open of name by client; the last one closes the database. */
async function release(client, name, db) {
  const n = (db.clients.get(client) ?? 0) - 1;
  if (n > 0) {
    db.clients.set(client, n);
    return;
  }
  db.clients.delete(client);
  if (client.opened.get(name) === db) client.opened.delete(name);
  if (db.clients.size > 0) return;
  if (dbs.get(name) === db) dbs.delete(name);
  const h = await db.promise.catch(() => null);
  await h?.close();
}

async function close(client, name) {
  const db = client.opened.get(name);
  if (db) await release(client, name, db);
}

/** The browser closed database name: every page on it hears it, and its handle is freed. */
function lost(name, db, reason) {
  if (dbs.get(name) === db) dbs.delete(name);
  const error = errorData(asError(reason, 'CLOSED'));
  for (const client of db.clients.keys()) {
    if (client.opened.get(name) === db) client.opened.delete(name);
    if (!client.gone) client.port.postMessage({ t: 'lost', name, error });
  }
  db.clients.clear();
  db.promise.then((h) => h.close()).catch(() => {});
}

/** The page of client is gone (closed, crashed): its opens are released, its transports fail. */
function leave(client) {
  client.gone = true;
  for (const [name, db] of [...client.opened]) {
    db.clients.set(client, 1);
    release(client, name, db).catch(() => {});
  }
  for (const ask of client.asks.values()) ask.reject(fail('UNAVAILABLE', 'the page serving the transport is gone'));
  client.asks.clear();
}

/** The transport tid of client's page, for a sync run here. */
function transport(client, tid, attests, blobs) {
  if (typeof tid !== 'string') throw fail('INVALID_ARGUMENT', 'sync: the other side must be an engine or a transport');
  const ask = (method, args) => new Promise((resolve, reject) => {
    if (client.gone) {
      reject(fail('UNAVAILABLE', 'the page serving the transport is gone'));
      return;
    }
    const rid = randomId();
    client.asks.set(rid, { resolve, reject });
    client.port.postMessage({ t: 'tcall', id: rid, transport: tid, method, args }, transferables(args[args.length - 1]));
  });
  const t = {
    cursors: () => ask('cursors', []),
    readSince: (peer, from, limit) => ask('readSince', [peer, from, limit]),
    apply: (batch) => ask('apply', [batch]),
    attests,
  };
  if (blobs) {
    t.hasBlobs = (hashes) => ask('hasBlobs', [hashes]);
    t.putBlob = (hash, bytes) => ask('putBlob', [hash, bytes]);
  }
  return t;
}

if (typeof SharedWorkerGlobalScope === 'function' && globalThis instanceof SharedWorkerGlobalScope) {
  globalThis.addEventListener('connect', (ev) => accept(ev.ports[0]));
} else {
  accept(globalThis);
}
