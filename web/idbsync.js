// idbsync: an offline-first sync engine (Go compiled to WebAssembly) over
// IndexedDB. This is its one ESM entry point; idbsync.d.ts documents it.
//
//   import { open, sync } from './idbsync.js';
//   const db = await open({ name: 'notes' });
//   await db.exec([{ put: 'note/1', value: 'hello' }]);
//
// Values cross into Go packed in one Uint8Array per call (see
// jsbridge/records.go), never one crossing per value.

import {
  IdbsyncError, asError, codes, dataError, errorData, fail, holdLock, load, loaded, loneSurrogate, pack, randomId,
  transferables, unpack, wellFormed, whenGone,
} from './idbsync-core.js';
import { version as build } from './version.js';

export { IdbsyncError, codes, load };

const encoder = new TextEncoder();

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a Uint8Array';
  return typeof v === 'object' ? `an object (${Object.prototype.toString.call(v)})` : `a ${typeof v}`;
}

function invalid(what, want, v) {
  return fail('INVALID_ARGUMENT', `${what} must be ${want}, not ${describe(v)}`);
}

/** The version of the module: the one loaded here, else the one a worker of this page runs. */
export function version() { return loaded()?.version ?? [...hubs.values()].find((h) => h.version)?.version; }

// ---- packing keyed records (jsbridge/records.go) ----

/** Checks that v is a string with a UTF-8 form (no lone surrogate). */
function text(what, v) {
  if (typeof v !== 'string') throw invalid(what, 'a string', v);
  if (!wellFormed(v)) {
    const at = v.search(loneSurrogate);
    throw fail('INVALID_ARGUMENT', `${what} has a lone surrogate (\\u${v.charCodeAt(at).toString(16).toUpperCase()} at ${at}): `
      + 'it is not valid UTF-16, and its UTF-8 bytes would be those of another string');
  }
  return v;
}

function toBytes(what, v) {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return encoder.encode(text(what, v));
  throw invalid(what, 'a Uint8Array or a string', v);
}

// ---- numbers: safe integers as Numbers, larger ones as BigInts ----

function fromGo(n) { return typeof n === 'string' ? BigInt(n) : n; }

function toGo(what, n) {
  if (typeof n !== 'number' && typeof n !== 'bigint') throw invalid(what, 'a non-negative integer (Number or BigInt)', n);
  return n; // Go checks the range and that it is an integer
}

/** Checks that v is a plain options object (not null, not an array). */
function options(what, v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid(what, 'an object', v);
  return v;
}

function cursorsFromGo(c) {
  const out = {};
  for (const [peer, n] of Object.entries(c)) out[peer] = fromGo(n);
  return out;
}

// ---- one core per database name per page and mode, shared by its engines ----

/** Cores by key (mode and name): {refs, promise, core}. */
const cores = new Map();

/** A core's key in cores. */
const coreKey = (mode, name) => `${mode}:${name}`;

/** An open database as this page reaches it: the Go handle itself (in the page). */
class Core {
  constructor(name, handle, mode = false) {
    this.name = name;
    this.handle = handle;
    /** Where the engine runs: 'shared', 'dedicated', or false (in this page). */
    this.mode = mode;
    this.key = coreKey(mode, name);
    this.engines = new Set();
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`idbsync:${name}`) : null;
    // Any context of the origin can post here: a message that is not what
    // announce() posts is ignored.
    this.channel?.addEventListener('message', (ev) => {
      const m = ev.data;
      if (m?.type !== 'changed') return;
      if (Array.isArray(m.keys) && m.keys.every((k) => typeof k === 'string' && wellFormed(k))) {
        this.changed(m.keys, null);
      } else if (m.packed instanceof Uint8Array) {
        let keys = [];
        try {
          if (this.watched()) keys = unpack(m.packed).map((r) => r.key);
        } catch { return; /* not what announcePacked posts */ }
        this.changed(keys, null);
      }
    });
    this.lost = null;
  }

  /**
   * Calls method of the Go handle; its rejections (and a throw, once the
   * module has exited) become IdbsyncErrors.
   */
  async call(method, ...args) {
    try {
      return await this.handle[method](...args);
    } catch (err) {
      throw asError(err);
    }
  }

  /**
   * Syncs with other: a core on the same Go runtime, or a transport (an
   * object with cursors, readSince, apply and attests). Rejects with what
   * Go rejects with, unconverted (sync() reads its fields).
   */
  sync(other, pageSize) {
    return this.handle.sync(other instanceof Core ? other.handle : other, pageSize);
  }

  /** Can this core sync with other inside one Go runtime? */
  near(other) { return other.constructor === Core && this.constructor === Core; }

  /**
   * Tells every engine of this page that keys changed (null: unknown keys,
   * cursors only); known maps a key to its new value (null: deleted) when
   * the change was written here.
   */
  changed(keys, known) {
    for (const e of this.engines) {
      try {
        e._changed(keys, known);
      } catch (err) {
        queueMicrotask(() => { throw err; }); // a bug: the other engines still hear it
      }
    }
  }

  /** Does an engine of this page watch keys (so that changed keys are worth decoding)? */
  watched() {
    for (const e of this.engines) if (e._watchers.size > 0) return true;
    return false;
  }

  /**
   * announce for keys packed as Go reports them: decoded only when an
   * engine of this page watches keys, and posted to other pages packed (a
   * sync of 50,000 entries would otherwise decode and clone 50,000 strings
   * on the page's thread).
   */
  announcePacked(packed) {
    this.changed(this.watched() ? unpack(packed).map((r) => r.key) : [], null);
    try {
      this.channel?.postMessage({ type: 'changed', packed });
    } catch { /* the channel is closed */ }
  }

  /** changed, and a notice to other pages on the same database. */
  announce(keys, known) {
    this.changed(keys, known);
    try {
      this.channel?.postMessage({ type: 'changed', keys });
    } catch { /* the channel is closed */ }
  }

  /** The database was closed under this core (err says why): every engine on it hears it once. */
  lose(err) {
    if (this.lost) return;
    this.lost = err;
    if (cores.get(this.key)?.core === this) cores.delete(this.key);
    for (const e of this.engines) e._lost(err);
  }
}

/** A database open in a worker of this page's hub: calls cross the hub's port. */
class RemoteCore extends Core {
  constructor(name, hub, info) {
    super(name, { peer: info.peer, instance: info.instance, layout: info.layout }, hub.mode);
    this.hub = hub;
  }

  async call(method, ...args) {
    if (method === 'close') return this.hub.request({ t: 'close', name: this.name });
    // getMany's argument is this page's own packed records: moved, not
    // copied. exec's records hold the app's arrays: cloned.
    const transfer = method === 'getMany' ? transferables(args[0]) : [];
    return this.hub.request({ t: 'call', name: this.name, method, args }, transfer);
  }

  sync(other, pageSize) {
    if (other instanceof RemoteCore) return this.hub.request({ t: 'sync', name: this.name, other: { name: other.name }, pageSize }, [], true);
    const tid = randomId();
    this.hub.transports.set(tid, other);
    const blobs = typeof other.hasBlobs === 'function' && typeof other.putBlob === 'function';
    return this.hub.request({ t: 'sync', name: this.name, other: { transport: tid, attests: other.attests === true, blobs }, pageSize }, [], true)
      .finally(() => this.hub.transports.delete(tid));
  }

  near(other) { return other instanceof RemoteCore && other.hub === this.hub; }
}

// ---- the workers that run engines off this page's thread ----

/** The hub of each worker mode this page started: 'shared' and 'dedicated'. */
const hubs = new Map();

/** How long a worker has to start and answer its first message. */
const startTimeout = 30_000;

/**
 * This page's end of one worker: its port, the requests awaiting a reply,
 * the transports a sync in the worker may call, and the cores open on it.
 * A worker that dies (crashed, killed) is noticed through its Web Lock:
 * every pending request rejects with CLOSED, every engine on it is lost, and
 * the next open() starts a new one.
 */
class Hub {
  constructor(mode) {
    this.mode = mode;
    this.pending = new Map();
    this.transports = new Map();
    this.cores = new Set();
    this.dead = null;
    this.version = undefined;
    // Named by the module version: a page of another build never joins this worker.
    const name = `idbsync@${build}`;
    let onError;
    const failed = new Promise((_, reject) => { onError = reject; });
    failed.catch(() => {});
    if (mode === 'shared') {
      const w = new SharedWorker(new URL('./idbsync-worker.js', import.meta.url), { type: 'module', name });
      this.port = w.port;
      w.addEventListener('error', () => onError(fail('UNAVAILABLE', 'the idbsync shared worker could not start (see the console)')));
    } else {
      const w = new Worker(new URL('./idbsync-worker.js', import.meta.url), { type: 'module', name });
      this.port = w;
      w.addEventListener('error', (ev) => {
        ev.preventDefault?.();
        const err = fail('UNAVAILABLE', `the idbsync worker failed: ${ev.message ?? 'it could not start'}`);
        onError(err);
        this.die(err);
      });
    }
    this.port.addEventListener('message', (ev) => this.receive(ev.data));
    this.port.start?.();
    this.ready = (async () => {
      const page = `idbsync-page:${randomId()}`;
      // Held for this page's life: the worker learns from it that the page is gone.
      await holdLock(page, new Promise(() => {}));
      let timer;
      const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(fail('UNAVAILABLE', `the idbsync worker did not answer within ${startTimeout} ms`)), startTimeout);
      });
      try {
        const hello = await Promise.race([this.request({ t: 'hello', page }), failed, late]);
        this.version = hello.version;
        whenGone(`idbsync-worker:${hello.worker}`, () => this.die(fail('CLOSED', 'the idbsync worker stopped (crashed or was killed): open the database again')));
      } finally {
        clearTimeout(timer);
      }
    })();
    this.ready.catch((err) => this.die(asError(err, 'UNAVAILABLE')));
  }

  /**
   * Posts m with a fresh id; resolves to the reply's value, rejects with its
   * error as an IdbsyncError (raw: as the worker described it, for sync()).
   */
  request(m, transfer = [], raw = false) {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const id = randomId();
      this.pending.set(id, { resolve, reject: raw ? reject : (e) => reject(asError(e)) });
      try {
        this.port.postMessage({ ...m, id }, transfer);
      } catch (err) {
        this.pending.delete(id);
        const code = err?.name === 'DataCloneError' ? 'INVALID_ARGUMENT' : 'CLOSED';
        reject(fail(code, `${m.method ?? m.t}: the request could not be posted to the worker: ${err?.message ?? err}`, err));
      }
    });
  }

  receive(m) {
    if (m === null || typeof m !== 'object') return;
    switch (m.t) {
      case 'reply': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(dataError(m.error));
        return;
      }
      case 'lost':
        for (const core of this.cores) {
          if (core.name === m.name) {
            this.cores.delete(core);
            core.lose(asError(dataError(m.error), 'CLOSED'));
          }
        }
        return;
      case 'tcall':
        this.answer(m);
        return;
      default:
    }
  }

  /** Runs a transport call a sync in the worker asks of this page. */
  async answer(m) {
    let reply;
    try {
      const t = this.transports.get(m.transport);
      if (!t) throw fail('UNAVAILABLE', 'the sync that asked is over');
      const args = Array.isArray(m.args) ? m.args : [];
      let value;
      if (m.method === 'cursors') value = await t.cursors();
      else if (m.method === 'readSince') value = await t.readSince(args[0], args[1], args[2]);
      else if (m.method === 'apply') value = await t.apply(args[0]);
      else if (m.method === 'hasBlobs' && typeof t.hasBlobs === 'function') value = await t.hasBlobs(args[0]);
      else if (m.method === 'putBlob' && typeof t.putBlob === 'function') value = await t.putBlob(args[0], args[1]);
      else throw fail('INVALID_ARGUMENT', `no transport method ${JSON.stringify(m.method)}`);
      reply = { t: 'treply', id: m.id, ok: true, value };
    } catch (err) {
      reply = { t: 'treply', id: m.id, ok: false, error: errorData(err) };
    }
    try {
      this.port.postMessage(reply);
    } catch (err) {
      this.port.postMessage({ t: 'treply', id: m.id, ok: false, error: errorData(fail('INVALID_ARGUMENT', `the transport's answer could not be posted: ${err?.message ?? err}`)) });
    }
  }

  /** The worker is gone: everything waiting on it fails with err, and the next open() starts another. */
  die(err) {
    if (this.dead) return;
    this.dead = err;
    if (hubs.get(this.mode) === this) hubs.delete(this.mode);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const core of this.cores) core.lose(err);
    this.cores.clear();
    if (this.mode === 'dedicated') this.port.terminate?.();
  }
}

/** The hub of mode, started on first use. */
async function hubOf(mode) {
  let hub = hubs.get(mode);
  if (!hub) {
    hub = new Hub(mode);
    hubs.set(mode, hub);
  }
  await hub.ready;
  return hub;
}

/** Where open(opts) runs the engine: 'shared', 'dedicated' or false. */
function workerMode(w) {
  const inWindow = typeof window === 'object' && typeof document === 'object';
  if (w === undefined || w === true) {
    if (typeof SharedWorker === 'function') return 'shared';
    // A worker of the app's is off the page's thread already.
    return inWindow && typeof Worker === 'function' ? 'dedicated' : false;
  }
  if (w === false) return false;
  // Where SharedWorker is missing (Chrome on Android), each tab has its own.
  if (w === 'shared') return typeof SharedWorker === 'function' ? 'shared' : workerMode(typeof Worker === 'function' ? 'dedicated' : false);
  if (w === 'dedicated') {
    if (typeof Worker !== 'function') throw fail('INVALID_ARGUMENT', "open: worker: 'dedicated' needs Worker, which this context lacks");
    return 'dedicated';
  }
  throw fail('INVALID_ARGUMENT', `open: worker must be 'shared', 'dedicated' or false, not ${typeof w === 'string' ? JSON.stringify(w) : describe(w)}`);
}

/** Rejects with CLOSED when the engine was closed or lost. */
function alive(engine) {
  if (engine._closed) throw fail('CLOSED', `engine of ${JSON.stringify(engine.name)} was closed`);
  if (engine._core.lost) throw engine._core.lost;
}

function checkName(opts) {
  options('open(options)', opts);
  if (typeof opts.name !== 'string' || opts.name === '') throw invalid('open: name', 'a non-empty string', opts.name);
  if (opts.peer !== undefined && typeof opts.peer !== 'string') throw invalid('open: peer', 'a uuid string', opts.peer);
  if (opts.durability !== undefined && opts.durability !== 'strict' && opts.durability !== 'relaxed') {
    throw fail('INVALID_ARGUMENT', `open: durability must be 'strict' or 'relaxed', not ${JSON.stringify(opts.durability)}`);
  }
  if (opts.wasm !== undefined && typeof opts.wasm !== 'string' && !(opts.wasm instanceof URL)) throw invalid('open: wasm', 'a string or a URL', opts.wasm);
  if (opts.layout !== undefined && opts.layout !== 'paged' && opts.layout !== 'rows') {
    throw fail('INVALID_ARGUMENT', `open: layout must be 'paged' or 'rows', not ${typeof opts.layout === 'string' ? JSON.stringify(opts.layout) : describe(opts.layout)}`);
  }
}

/** Opens the core of opts.name in mode: in this page, or in the mode's worker. */
async function openCore(mode, opts) {
  const wasm = opts.wasm === undefined ? undefined : new URL(opts.wasm, globalThis.location?.href).href;
  if (mode !== false) {
    const hub = await hubOf(mode);
    const info = await hub.request({
      t: 'open', name: opts.name, peer: opts.peer, durability: opts.durability, layout: opts.layout, wasm,
    });
    const core = new RemoteCore(opts.name, hub, info);
    if (hub.dead) {
      core.lose(hub.dead);
      throw hub.dead;
    }
    hub.cores.add(core);
    return core;
  }
  const m = await load(wasm === undefined ? {} : { wasm });
  let core = null;
  const handle = await m.open({
    name: opts.name,
    peer: opts.peer,
    durability: opts.durability,
    layout: opts.layout,
    onlost: (reason) => { core?.lose(asError(reason, 'CLOSED')); },
  });
  core = new Core(opts.name, handle);
  return core;
}

/**
 * Opens (creating if needed) the database opts.name. Engines on one name in
 * one page share a connection; by default it lives in a worker that every
 * tab shares (opts.worker).
 */
export async function open(opts) {
  checkName(opts);
  const mode = workerMode(opts.worker);
  const key = coreKey(mode, opts.name);
  let entry = cores.get(key);
  if (!entry) {
    entry = { refs: 0 };
    const mine = entry;
    entry.promise = openCore(mode, opts).catch((err) => { throw asError(err); }).then((core) => {
      mine.core = core;
      return core;
    });
    cores.set(key, entry);
    entry.promise.catch(() => { if (cores.get(key) === mine) cores.delete(key); });
  }
  entry.refs++;
  let core;
  try {
    core = await entry.promise;
  } catch (err) {
    entry.refs--;
    throw err;
  }
  if (opts.peer !== undefined && opts.peer.toLowerCase() !== core.handle.peer) {
    await releaseCore(key, entry);
    throw fail('INVALID_ARGUMENT', `open: database ${JSON.stringify(opts.name)} belongs to peer ${core.handle.peer}, not ${opts.peer}`);
  }
  const engine = new Engine(core);
  if (opts.persist) {
    engine.persisted = await (navigator.storage?.persist?.() ?? Promise.resolve(false)).catch(() => false);
  }
  return engine;
}

async function releaseCore(key, entry) {
  if (--entry.refs > 0) return;
  if (cores.get(key) === entry) cores.delete(key);
  const core = await entry.promise;
  core.channel?.close();
  core.hub?.cores.delete(core);
  await core.call('close');
}

/** One open database, as returned by open(). */
export class Engine {
  constructor(core) {
    this._core = core;
    this._closed = false;
    this._watchers = new Set();
    this._cursorWatchers = new Set();
    /** The database name. */
    this.name = core.name;
    /** The local peer id (a uuid), the same in every tab on this database. */
    this.peer = core.handle.peer;
    /** The change log instance id of the context running the engine (this tab, or the worker). */
    this.instance = core.handle.instance;
    /** Where the engine runs: 'shared' (a worker every tab shares), 'dedicated' (this tab's worker) or false (this page). */
    this.worker = core.mode;
    /** How the database keeps its tables: 'paged' or 'rows' (databases of older builds). */
    this.layout = core.handle.layout;
    /** What navigator.storage.persist() answered, when open asked ({persist: true}). */
    this.persisted = undefined;
    /** Called with the reason when the browser closes the database under this engine. */
    this.onclose = null;
    core.engines.add(this);
  }

  /** Writes ops as this peer's next entries, in one transaction. */
  async exec(ops) {
    alive(this);
    if (!Array.isArray(ops)) throw invalid('exec(ops)', 'an array of {put, value} or {del}', ops);
    const records = new Array(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op === null || typeof op !== 'object') throw invalid(`exec: op ${i}`, '{put, value} or {del}', op);
      const isPut = 'put' in op;
      if (isPut === ('del' in op)) throw fail('INVALID_ARGUMENT', `exec: op ${i} must have exactly one of put and del`);
      const key = isPut ? op.put : op.del;
      text(`exec: op ${i} key`, key);
      if (isPut) {
        const v = op.value;
        if (typeof v === 'string') text(`exec: op ${i} value`, v);
        else if (!(v instanceof Uint8Array)) throw invalid(`exec: op ${i} value`, 'a Uint8Array or a string', v);
        records[i] = { key, value: v };
      } else {
        if ('value' in op) throw fail('INVALID_ARGUMENT', `exec: op ${i} is a del and has a value`);
        records[i] = { key };
      }
    }
    // A worker packs the records itself: encoding 10,000 keys and values
    // here would hold the page's thread for tens of milliseconds.
    const res = await this._core.call('exec', this._core instanceof RemoteCore ? records : pack(records));
    const known = new Map();
    for (const r of records) known.set(r.key, r.value ?? null);
    this._core.announce([...known.keys()], known);
    return { peer: res.peer, from: fromGo(res.from), to: fromGo(res.to) };
  }

  /** The value of key, or undefined. */
  async get(key) {
    alive(this);
    text('get(key)', key);
    const [row] = unpack(await this._core.call('getMany', pack([{ key }])));
    return row.value;
  }

  /** The values of keys, in their order (undefined: absent), read in one transaction. */
  async getMany(keys) {
    alive(this);
    if (!Array.isArray(keys)) throw invalid('getMany(keys)', 'an array of strings', keys);
    const records = keys.map((key, i) => ({ key: text(`getMany: key ${i}`, key) }));
    if (records.length === 0) return [];
    return unpack(await this._core.call('getMany', pack(records))).map((r) => r.value);
  }

  /** Live keys ascending: those starting with prefix, from start on, at most limit. */
  async scan(opts = {}) {
    alive(this);
    const { prefix = '', start = '', limit } = options('scan(options)', opts);
    text('scan: prefix', prefix);
    text('scan: start', start);
    if (limit !== undefined && typeof limit !== 'number') throw invalid('scan: limit', 'a positive integer', limit);
    return unpack(await this._core.call('scan', prefix, start, limit));
  }

  /** The version vector: peer id -> next index expected. */
  async cursors() {
    alive(this);
    return cursorsFromGo(await this._core.call('cursors'));
  }

  /** One wire batch of up to limit entries of peer from index from on. */
  async readSince(peer, from, limit) {
    alive(this);
    return this._core.call('readSince', peer, toGo('readSince: from', from), limit);
  }

  /** Ingests one wire batch, all or nothing. */
  async apply(batch) {
    alive(this);
    if (!(batch instanceof Uint8Array)) throw invalid('apply(batch)', 'a Uint8Array', batch);
    const res = await this._core.call('apply', batch);
    if (res.applied > 0) this._core.announcePacked(res.keys);
    return { applied: res.applied, skipped: res.skipped };
  }

  /** Replaces the stored entry of peer at idx by its expunged marker. */
  async expunge(peer, idx) {
    alive(this);
    const res = await this._core.call('expunge', peer, toGo('expunge: idx', idx));
    // The key it undid now reads as the surviving entries decide.
    this._core.announcePacked(res.keys);
  }

  /**
   * Writes bytes of any size as the attachment key, crash-safely: stored
   * once per content, named by its SHA-256, and referenced by an entry of
   * the op log, so it syncs: a sync to a server uploads the bytes before the
   * entry, and other replicas fetch them when they read it. Resolves to
   * {hash, size}.
   */
  async putBlob(key, bytes) {
    alive(this);
    text('putBlob: key', key);
    const data = toBytes('putBlob: bytes', bytes);
    // WebCrypto hashes many times faster than SHA-256 in wasm, off this thread.
    const hash = await sha256(data);
    const ref = await this._core.call('putBlob', key, data, ...(hash === undefined ? [] : [hash]));
    this._core.announce([], null); // a new entry: cursor watches (and live()) hear of it
    return ref;
  }

  /**
   * The attachment key, or undefined. Bytes written on another replica and
   * not here yet are fetched from opts.from, or from the transport of a
   * live() running on this engine, checked against their hash, kept, and
   * returned; with neither it rejects with UNAVAILABLE.
   */
  async getBlob(key, opts = {}) {
    alive(this);
    text('getBlob: key', key);
    const { from, onProgress } = options('getBlob: options', opts);
    if (from !== undefined && typeof from?.getBlob !== 'function') throw invalid('getBlob: from', 'a transport with getBlob (fetchTransport to a space)', from);
    if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid('getBlob: onProgress', 'a function', onProgress);
    const v = await this._core.call('getBlob', key);
    if (v === undefined || v instanceof Uint8Array) return v;
    const source = from ?? this._blobSource;
    if (!source) {
      throw fail('UNAVAILABLE', `getBlob: the bytes of ${JSON.stringify(key)} (${v.size} bytes) were written on another replica and are not here yet: run live() or pass {from: transport}`);
    }
    return this._fetchBlob(v.hash, v.size, source, onProgress);
  }

  /** Fetches the bytes of hash from source once, however many reads wait on them. */
  _fetchBlob(hash, size, source, onProgress) {
    this._fetching ??= new Map();
    let p = this._fetching.get(hash);
    if (!p) {
      p = (async () => {
        const bytes = await source.getBlob(hash, size, onProgress === undefined ? {} : { onProgress });
        if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
          throw fail('CORRUPT', `getBlob: the transport gave ${bytes?.length ?? typeof bytes} bytes for blob ${hash}, not ${size}`);
        }
        // Nothing that does not hash to the name is kept (WebCrypto checks
        // it here, or Go does). The call copies bytes (structured clone to
        // the worker, or into Go): what the caller gets stays its own.
        const got = await sha256(bytes);
        if (got !== undefined && got !== hash) throw fail('CORRUPT', `getBlob: the bytes the transport gave for blob ${hash} hash to ${got}`);
        await this._core.call('storeBlob', hash, bytes, got !== undefined);
        return bytes;
      })().finally(() => this._fetching.delete(hash));
      this._fetching.set(hash, p);
    }
    return p;
  }

  /** The attachments whose bytes are on other replicas only: [{key, hash, size}]. */
  async missingBlobs() {
    alive(this);
    return this._core.call('missingBlobs');
  }

  /** Deletes the attachment key (an entry that syncs); its bytes go once nothing references them. A missing one is fine. */
  async deleteBlob(key) {
    alive(this);
    text('deleteBlob: key', key);
    await this._core.call('deleteBlob', key);
    this._core.announce([], null);
  }

  /** Runs a recovery round now; resolves to the changes it cleaned up. */
  async recover() {
    alive(this);
    return this._core.call('recover');
  }

  /** Counts of the blob tier and change log (what recovery has left to do). */
  async stats() {
    alive(this);
    return this._core.call('stats');
  }

  /**
   * Calls cb with the cursors now, then after each change; opts.onError
   * hears a failed read (see _report). Returns the unsubscribe function.
   */
  watchCursors(cb, opts = {}) {
    alive(this);
    if (typeof cb !== 'function') throw invalid('watchCursors(cb)', 'a function', cb);
    const { onError } = options('watchCursors: options', opts);
    if (onError !== undefined && typeof onError !== 'function') throw invalid('watchCursors: onError', 'a function', onError);
    const w = { cb, onError, last: null, busy: false, again: false };
    this._cursorWatchers.add(w);
    this._refreshCursors(w);
    return () => { this._cursorWatchers.delete(w); };
  }

  /**
   * Calls cb with [{key, value?}] for keys under prefix that change, here,
   * in another tab or by a sync; onError hears a failed re-read. Returns the
   * unsubscribe function.
   */
  watch(opts, cb) {
    alive(this);
    const { prefix = '', onError } = options('watch(options)', opts);
    text('watch: prefix', prefix);
    if (onError !== undefined && typeof onError !== 'function') throw invalid('watch: onError', 'a function', onError);
    if (typeof cb !== 'function') throw invalid('watch: cb', 'a function', cb);
    const w = { prefix, cb, onError };
    this._watchers.add(w);
    return () => { this._watchers.delete(w); };
  }

  /** Decodes a wire batch for inspection. */
  decode(batch) { return decode(batch); }

  /** Closes this engine; the database closes with the page's last engine on it. Idempotent. */
  async close() {
    if (this._closed) return;
    this._closed = true;
    this._watchers.clear();
    this._cursorWatchers.clear();
    this._core.engines.delete(this);
    const entry = cores.get(this._core.key);
    if (entry?.core === this._core) {
      await releaseCore(this._core.key, entry);
    } else if (this._core.engines.size === 0) {
      this._core.channel?.close();
      // Lost: free the lock and the rest (a dead worker has nothing to free).
      await this._core.call('close').catch((err) => { if (!this._core.hub?.dead) throw err; });
    }
  }

  /**
   * The browser closed the database: onclose hears it, and so does each
   * subscription's onError, once; the subscriptions end.
   */
  _lost(err) {
    const subs = [...this._watchers, ...this._cursorWatchers];
    this._watchers.clear();
    this._cursorWatchers.clear();
    if (typeof this.onclose === 'function') callback(this.onclose, err);
    for (const w of subs) if (w.onError) callback(w.onError, err);
  }

  /**
   * Reports a failed read of subscription w to its onError; without one, as
   * an uncaught error (never swallowed). Not after an unsubscribe or a
   * close() (the app's own doing), and never CLOSED: a loss reaches each
   * subscription once, through _lost.
   */
  _report(w, err) {
    if (this._closed || this._core.lost || !(this._watchers.has(w) || this._cursorWatchers.has(w))) return;
    const e = asError(err);
    if (e.code === 'CLOSED') return;
    if (w.onError) callback(w.onError, e);
    else queueMicrotask(() => { throw e; });
  }

  _changed(keys, known) {
    if (this._closed) return;
    for (const w of this._cursorWatchers) this._refreshCursors(w);
    if (!keys || keys.length === 0 || this._watchers.size === 0) return;
    for (const w of this._watchers) {
      const mine = keys.filter((k) => k.startsWith(w.prefix));
      if (mine.length === 0) continue;
      if (known) {
        deliver(w, mine.map((key) => {
          const v = known.get(key);
          return v === null ? { key } : { key, value: typeof v === 'string' ? encoder.encode(v) : v };
        }));
      } else {
        this._core.call('getMany', pack(mine.map((key) => ({ key }))))
          .then((rows) => { if (this._watchers.has(w)) deliver(w, unpack(rows)); }, (err) => this._report(w, err));
      }
    }
  }

  _refreshCursors(w) {
    if (w.busy) { w.again = true; return; }
    w.busy = true;
    this.cursors().then((c) => {
      const s = JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
      if (s !== w.last && this._cursorWatchers.has(w)) {
        w.last = s;
        callback(w.cb, c);
      }
    }, (err) => this._report(w, err)).finally(() => {
      w.busy = false;
      if (w.again) { w.again = false; this._refreshCursors(w); }
    });
  }
}

/** Calls an app's callback; what it throws is rethrown asynchronously, not ours to catch. */
function callback(fn, v) {
  try { fn(v); } catch (e) { queueMicrotask(() => { throw e; }); }
}

function deliver(w, changes) { callback(w.cb, changes); }

/**
 * Decodes a wire batch (readSince's answer) into plain objects. Needs the
 * module: call after open() or load().
 */
export function decode(batch) {
  const mod = loaded();
  if (!mod) throw fail('CLOSED', 'decode needs the module in this page: await load() first (open() loads it here only with worker: false)');
  let out;
  try {
    out = mod.decode(batch);
  } catch (err) {
    throw asError(err); // the module has exited
  }
  if (out && !Array.isArray(out) && out.error) throw asError(out.error);
  for (const e of out) {
    e.idx = fromGo(e.idx);
    if (e.ts !== undefined) e.ts = BigInt(e.ts);
  }
  return out;
}

/**
 * Syncs two replicas both ways: a (an engine) and b (an engine, or a
 * transport: anything with cursors, readSince and apply, like connect()'s).
 */
export async function sync(a, b, opts = {}) {
  if (!(a instanceof Engine)) throw invalid('sync(a, b): a', 'an Engine', a);
  alive(a);
  const { pageSize } = options('sync: options', opts);
  if (pageSize !== undefined && typeof pageSize !== 'number') throw invalid('sync: pageSize', 'a positive integer', pageSize);
  // What the transport failed with: Go reports it inside its own message,
  // and the error sync rejects with gets it back as cause.
  const failures = [];
  let other;
  if (b instanceof Engine) alive(b);
  // Two engines on one Go runtime (this page's, or one worker's) sync inside
  // it; an engine elsewhere is reached through its methods, as a transport.
  const near = b instanceof Engine && a._core.near(b._core);
  if (near) {
    other = b._core;
  } else if (b === null || typeof b !== 'object' || !['cursors', 'readSince', 'apply'].every((m) => typeof b[m] === 'function')) {
    throw invalid('sync(a, b): b', 'an Engine or a transport (an object with cursors, readSince and apply)', b);
  } else {
    // A transport that fails without a code of ours could not be reached.
    const relay = (fn) => async (...args) => {
      try {
        return await fn(...args);
      } catch (err) {
        const e = asError(err, 'UNAVAILABLE');
        failures.push(e);
        throw e;
      }
    };
    other = {
      cursors: relay(() => b.cursors()),
      readSince: relay((peer, from, limit) => b.readSince(peer, from, limit)),
      apply: relay((batch) => b.apply(batch)),
      // The transport reaches the app's server, which vouches for the
      // users of what it serves (see Transport.attests in idbsync.d.ts).
      attests: b.attests === true,
    };
    // A transport that takes attachments gets their bytes before the
    // entries that reference them.
    if (typeof b.hasBlobs === 'function' && typeof b.putBlob === 'function') {
      other.hasBlobs = relay((hashes) => b.hasBlobs(hashes));
      other.putBlob = relay((hash, bytes) => b.putBlob(hash, bytes));
    }
  }
  const announce = (res) => {
    if (res.toA > 0 && res.keysA) a._core.announcePacked(res.keysA);
    if (res.toB > 0 && res.keysB && near) b._core.announcePacked(res.keysB);
  };
  let res;
  try {
    res = await a._core.sync(other, pageSize);
  } catch (raw) {
    // Peer ranges that failed while the rest synced (a fork, a refused
    // apply, a skewed clock): Go did all it could, then rejects with the
    // first failure's code, every failure (each with its peer and side)
    // and what went through.
    if (raw !== null && typeof raw === 'object' && Array.isArray(raw.errors)) {
      announce(raw);
      const err = withCause(asError(raw), failures);
      err.errors = raw.errors.map((e) => withCause(asError(e), failures));
      err.toA = raw.toA;
      err.toB = raw.toB;
      throw err;
    }
    throw withCause(asError(raw), failures);
  }
  announce(res);
  return { toA: res.toA, toB: res.toB };
}

/**
 * err, with the transport failure its message reports as cause. The Go
 * module maps a transport's code only when it knows it (UNAUTHENTICATED and
 * PERMISSION_DENIED come out INTERNAL): the failure's own code is kept then.
 */
function withCause(err, failures) {
  const f = failures.findLast((t) => err.message.includes(t.message) && (t.code === err.code || err.code === 'INTERNAL'));
  if (!f) return err;
  if (f.code !== err.code) {
    const e = new IdbsyncError(f.code, err.message, { cause: f });
    for (const k of ['peer', 'side']) if (err[k] !== undefined) e[k] = err[k];
    return e;
  }
  if (err.cause === undefined) Object.defineProperty(err, 'cause', { value: f, writable: true, configurable: true });
  return err;
}

// ---- transports: an engine served over anything that posts messages ----

/** What serve() answers, with how many arguments each takes. */
const served = { cursors: 0, readSince: 3, apply: 1 };

/** Is v a Window (of this realm or another, cross-origin ones included)? */
function isWindow(v) {
  if (typeof Window === 'function' && v instanceof Window) return true;
  try {
    return v.window === v; // readable on a cross-origin window too
  } catch {
    return true; // a cross-origin object that refuses even that
  }
}

/** Checks that origin is one origin, serialized (https://app.example, no path, not '*'). */
function checkOrigin(what, origin) {
  let ok = false;
  try {
    ok = typeof origin === 'string' && new URL(origin).origin === origin;
  } catch { /* not a URL */ }
  if (!ok) throw invalid(what, "one origin, as location.origin writes it (not '*', no path)", origin);
}

/**
 * The channel of serve() or connect() over port: where to listen, which
 * messages to take, where to post. A Window is anyone's to post to, so one
 * needs the origin trusted: messages are taken from it only, and posted to
 * it only. Anything else that posts messages (a MessagePort, a
 * BroadcastChannel, a Worker or a worker's global scope) is only as open as
 * whoever holds it.
 */
function channel(what, port, origin) {
  if (port === null || (typeof port !== 'object' && typeof port !== 'function')) {
    throw invalid(what, 'a MessagePort, BroadcastChannel or Worker (postMessage and addEventListener)', port);
  }
  if (isWindow(port)) {
    if (origin === undefined) {
      throw fail('INVALID_ARGUMENT', `${what} is a Window, which any frame or opener can post to: `
        + 'pass the origin you trust as {origin}, or use a MessageChannel port');
    }
    checkOrigin(`${what.split('(')[0]}: origin`, origin);
    // Messages to this context arrive on its own global, whichever window
    // sent them; port === globalThis takes every window of that origin.
    const here = globalThis;
    return {
      listen(fn) {
        here.addEventListener('message', fn);
        return () => here.removeEventListener('message', fn);
      },
      accept: (ev) => ev.origin === origin && (port === here || ev.source === port),
      origin: () => origin,
      // A reply goes to the window that asked, and only if it still is of origin.
      post(message, ev) { (ev ? ev.source : port).postMessage(message, origin); },
    };
  }
  if (typeof port.postMessage !== 'function' || typeof port.addEventListener !== 'function') {
    throw invalid(what, 'a MessagePort, BroadcastChannel or Worker (postMessage and addEventListener)', port);
  }
  if (origin !== undefined) {
    throw fail('INVALID_ARGUMENT', `${what.split('(')[0]}: origin is for a Window; a MessagePort, BroadcastChannel or Worker has none to check`);
  }
  return {
    listen(fn) {
      port.addEventListener('message', fn);
      port.start?.();
      return () => port.removeEventListener('message', fn);
    },
    accept: () => true,
    origin: (ev) => ev.origin || undefined, // a BroadcastChannel's; '' on a port or a worker
    post(message) { port.postMessage(message); },
  };
}

/** Asks authorize about request; a falsy answer or a throw is PERMISSION_DENIED. */
async function permit(authorize, request) {
  if (authorize === undefined) return;
  let ok;
  try {
    ok = await authorize(request);
  } catch (err) {
    throw fail('PERMISSION_DENIED', `${request.method}: refused by authorize: ${err?.message ?? err}`, err);
  }
  if (!ok) throw fail('PERMISSION_DENIED', `${request.method}: refused by authorize`);
}

/**
 * Serves engine to connect() callers on port. opts: name (default: the
 * engine's peer id), origin (required for a Window), authorize(request)
 * (may refuse any request), maxLimit (readSince pages are clamped to it,
 * default 1000). Returns the function that stops serving.
 */
export function serve(engine, port, opts = {}) {
  if (!(engine instanceof Engine)) throw invalid('serve(engine, port): engine', 'an Engine', engine);
  const { name = engine.peer, origin, authorize, maxLimit = 1000 } = options('serve: options', opts);
  if (typeof name !== 'string') throw invalid('serve: name', 'a string', name);
  if (authorize !== undefined && typeof authorize !== 'function') throw invalid('serve: authorize', 'a function', authorize);
  if (!Number.isSafeInteger(maxLimit) || maxLimit < 1 || maxLimit > 2 ** 31 - 1) {
    throw invalid('serve: maxLimit', 'an integer from 1 to 2^31-1', maxLimit);
  }
  const ch = channel('serve(engine, port): port', port, origin);
  const onMessage = async (ev) => {
    if (!ch.accept(ev)) return;
    const m = ev.data;
    if (m === null || typeof m !== 'object' || m.idbsync !== 'request' || m.to !== name || typeof m.id !== 'string') return;
    let reply;
    try {
      if (!Object.hasOwn(served, m.method)) throw fail('INVALID_ARGUMENT', `no method ${JSON.stringify(m.method)}`);
      if (!Array.isArray(m.args)) throw fail('INVALID_ARGUMENT', `${m.method}: the arguments must be an array`);
      const args = m.args.slice(0, served[m.method]);
      // A page of at most maxLimit entries, whatever the caller asked.
      if (m.method === 'readSince' && (typeof args[2] === 'number' || typeof args[2] === 'bigint') && args[2] > maxLimit) args[2] = maxLimit;
      const from = ch.origin(ev);
      await permit(authorize, Object.freeze({ method: m.method, args: Object.freeze(args.slice()), ...(from ? { origin: from } : {}) }));
      reply = { idbsync: 'reply', id: m.id, ok: true, value: await engine[m.method](...args) };
    } catch (err) {
      reply = { idbsync: 'reply', id: m.id, ok: false, ...errorReply(err) };
    }
    try {
      ch.post(reply, ev);
    } catch { /* the requester is gone, or no longer of origin */ }
  };
  return ch.listen(onMessage);
}

/** The fields of a failed reply: err's code (ours), message, expected and actual. */
function errorReply(err) {
  const e = asError(err);
  const out = { code: e.code, message: e.message };
  if (e.expected !== undefined) out.expected = e.expected;
  if (e.actual !== undefined) out.actual = e.actual;
  return out;
}

/** The IdbsyncError of a failed reply; a code that is none of ours is UNAVAILABLE. */
function replyError(m) {
  const e = new IdbsyncError(codes.includes(m.code) ? m.code : 'UNAVAILABLE', typeof m.message === 'string' ? m.message : 'idbsync: the remote call failed');
  for (const f of ['expected', 'actual']) {
    if (typeof m[f] === 'number' || typeof m[f] === 'bigint') e[f] = m[f];
  }
  return e;
}

/**
 * The transport to an engine that serve() offers on port under name (by
 * default its peer id), for sync(engine, transport). opts.origin: the
 * origin trusted when port is a Window. A reply is taken only for a request
 * this transport made and has not had answered.
 */
export function connect(port, opts) {
  const { name, timeout = 30_000, origin } = options('connect: options', opts);
  if (typeof name !== 'string') throw invalid('connect: name', "the served engine's name (its peer id by default)", name);
  if (typeof timeout !== 'number' || !(timeout > 0)) throw invalid('connect: timeout', 'a positive number of milliseconds', timeout);
  const ch = channel('connect(port): port', port, origin);
  const pending = new Map();
  ch.listen((ev) => {
    if (!ch.accept(ev)) return;
    const m = ev.data;
    if (m === null || typeof m !== 'object' || m.idbsync !== 'reply' || typeof m.id !== 'string') return;
    const p = pending.get(m.id);
    if (!p) return; // another's request, or one answered already
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok === true) p.resolve(m.value);
    else p.reject(replyError(m));
  });
  const call = (method, args) => new Promise((resolve, reject) => {
    const id = randomId();
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(fail('UNAVAILABLE', `${method}: no answer from ${name} within ${timeout} ms`));
    }, timeout);
    pending.set(id, { resolve, reject, timer });
    try {
      ch.post({ idbsync: 'request', id, to: name, method, args });
    } catch (err) {
      pending.delete(id);
      clearTimeout(timer);
      const code = err?.name === 'DataCloneError' ? 'INVALID_ARGUMENT' : 'UNAVAILABLE';
      reject(fail(code, `${method}: the request could not be posted: ${err?.message ?? err}`, err));
    }
  });
  return {
    cursors: () => call('cursors', []),
    readSince: (peer, from, limit) => call('readSince', [peer, from, limit]),
    apply: (batch) => call('apply', [batch]),
  };
}

/** An HTTP header name (RFC 9110's token). */
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The longest delay setTimeout honours (a longer one fires at once). */
const maxDelay = 2 ** 31 - 1;

/**
 * The transport to a sync server over HTTP, for sync(engine, transport).
 * With opts.space, url is the server's root and the three calls go to
 * {url}v1/spaces/{space}/ (idbsync-server, see `go doc ./server`); without
 * it, directly under url. The server answers three POSTs: `cursors`
 * (answers the JSON cursors, big indexes as decimal strings), `read-since`
 * (takes JSON {peer, from, limit}, answers the wire batch as
 * application/octet-stream) and `apply` (takes the wire batch, answers JSON
 * {applied, skipped}). A failure is a non-2xx answer with JSON {code,
 * message}. opts.token (a string, or a function resolving to one) goes as
 * "Authorization: Bearer"; a function is asked once and its token kept
 * until the server answers 401, when it is asked again and the request
 * retried once. Each attempt has opts.timeout ms (default 30 s) to get its
 * token, its answer and the answer's body.
 */
export function fetchTransport(url, opts = {}) {
  if (typeof url !== 'string' && !(url instanceof URL)) throw invalid('fetchTransport(url)', 'a string or a URL', url);
  const {
    space, token, timeout = 30_000, headers = {}, fetch: fetcher = globalThis.fetch, WebSocket: Socket = globalThis.WebSocket, onProgress,
  } = options('fetchTransport: options', opts);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid('fetchTransport: onProgress', 'a function', onProgress);
  if (typeof fetcher !== 'function') throw invalid('fetchTransport: fetch', 'a function', fetcher);
  if (Socket !== undefined && typeof Socket !== 'function') throw invalid('fetchTransport: WebSocket', 'a WebSocket constructor', Socket);
  if (space !== undefined && (typeof space !== 'string' || space === '')) throw invalid('fetchTransport: space', 'a non-empty string', space);
  if (space !== undefined) text('fetchTransport: space', space);
  if (token !== undefined && typeof token !== 'function' && (typeof token !== 'string' || token === '')) {
    throw invalid('fetchTransport: token', 'a non-empty string or a function that resolves to one', token);
  }
  if (typeof token === 'string') checkToken('fetchTransport: token', token);
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > maxDelay) {
    throw invalid('fetchTransport: timeout', `a number of milliseconds from 1 to ${maxDelay}`, timeout);
  }
  options('fetchTransport: headers', headers);
  for (const [k, v] of Object.entries(headers)) {
    if (!headerName.test(k)) throw fail('INVALID_ARGUMENT', `fetchTransport: headers: ${JSON.stringify(k)} is not a header name`);
    if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw invalid(`fetchTransport: headers: ${k}`, 'a string without CR, LF or NUL', v);
    if (token !== undefined && k.toLowerCase() === 'authorization') {
      throw fail('INVALID_ARGUMENT', 'fetchTransport: give token or an Authorization header, not both');
    }
  }
  let base = String(url).replace(/\/?$/, '/');
  if (space !== undefined) base += `v1/spaces/${encodeURIComponent(space)}/`;
  try {
    new URL(base, globalThis.location?.href);
  } catch (err) {
    throw fail('INVALID_ARGUMENT', `fetchTransport(url): ${JSON.stringify(String(url))} is not a URL`, err);
  }

  // The token of a token function: one Promise shared by concurrent calls,
  // replaced when the server refuses the token it gave (not when it fails).
  let asked = null;
  const credentials = (refused) => {
    if (typeof token !== 'function') return token;
    if (asked === null || asked === refused) {
      const p = (async () => {
        let t;
        try {
          t = await token();
        } catch (err) {
          if (err instanceof IdbsyncError) throw err;
          throw fail('UNAUTHENTICATED', `the token function failed: ${err?.message ?? err}`, err);
        }
        if (t === undefined || t === null || t === '') throw fail('UNAUTHENTICATED', 'the token function gave no token');
        if (typeof t !== 'string') throw invalid('fetchTransport: token()', 'a Promise of a non-empty string', t);
        return checkToken('fetchTransport: token()', t);
      })();
      asked = p;
      p.catch(() => { if (asked === p) asked = null; });
    }
    return asked;
  };

  /**
   * One attempt at POST path, read by read and checked by check (a body
   * that is not what the protocol says is CORRUPT), all within timeout.
   * A 401 when another token can be asked for resolves to {refused}.
   */
  const attempt = async (path, body, type, read, check, refused, method = 'POST', extra = {}) => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new DOMException(`no answer within ${timeout} ms`, 'TimeoutError')), timeout);
    // A token function or a fetch of the app's may not heed the signal.
    const late = new Promise((_, reject) => ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true }));
    late.catch(() => {});
    const bounded = (p) => Promise.race([p, late]);
    const down = (err) => (ac.signal.aborted
      ? fail('UNAVAILABLE', `${path}: no answer from the server within ${timeout} ms`, err)
      : fail('UNAVAILABLE', `${path}: the server cannot be reached: ${err?.message ?? err}`, err));
    try {
      let used;
      let auth;
      if (token !== undefined) {
        used = credentials(refused);
        try {
          auth = await bounded(used);
        } catch (err) {
          if (ac.signal.aborted) {
            if (asked === used) asked = null; // the next call asks again
            throw fail('UNAVAILABLE', `${path}: the token function gave no token within ${timeout} ms`, err);
          }
          throw err;
        }
      }
      const h = { ...headers, ...extra };
      if (type !== undefined) h['content-type'] = type;
      if (auth !== undefined) h.authorization = `Bearer ${auth}`;
      let res;
      try {
        res = await bounded(fetcher(base + path, { method, headers: h, body, signal: ac.signal }));
      } catch (err) {
        throw down(err);
      }
      if (!res.ok) {
        const answer = await bounded(res.json()).catch(() => ({}));
        if (res.status === 401 && typeof token === 'function' && refused === undefined) return { refused: used };
        throw serverError(path, res.status, answer);
      }
      let v;
      try {
        v = await bounded(read(res));
      } catch (err) {
        if (err?.name === 'SyntaxError' && !ac.signal.aborted) throw fail('CORRUPT', `${path}: the answer is not JSON: ${err.message}`, err);
        throw down(err); // the connection broke mid-answer, or the body came too late
      }
      try {
        return { value: check(v) };
      } catch (err) {
        throw fail('CORRUPT', `${path}: unexpected answer ${JSON.stringify(v)?.slice(0, 100)}: ${err.message}`, err);
      }
    } finally {
      clearTimeout(timer);
    }
  };
  const request = async (method, path, body, type, read, check = (v) => v, extra = {}) => {
    let r = await attempt(path, body, type, read, check, undefined, method, extra);
    if ('refused' in r) r = await attempt(path, body, type, read, check, r.refused, method, extra);
    return r.value;
  };
  const post = (path, body, type, read, check) => request('POST', path, body, type, read, check);
  const json = (v) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
  const object = (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError('not an object');
    return v;
  };
  const transport = {
    cursors: () => post('cursors', '{}', 'application/json', (r) => r.json(), (v) => cursorsFromGo(object(v))),
    readSince: (peer, from, limit) => post('read-since', json({ peer, from, limit }), 'application/json',
      async (r) => new Uint8Array(await r.arrayBuffer())),
    apply: (batch) => post('apply', batch, 'application/octet-stream', (r) => r.json(), object),
  };
  // The server authenticates every pusher and stamps their entries: sync
  // keeps the users of what this transport serves.
  if (space !== undefined) transport.attests = true;
  // Attachments: the space's blob tier (see the server's blob calls).
  if (space !== undefined) Object.assign(transport, blobCalls(request, object, onProgress));
  // The space's live channel: a WebSocket on which the server sends its
  // cursors at once and whenever they advance (see Transport.subscribe).
  if (space !== undefined && typeof Socket === 'function') {
    transport.subscribe = (onCursors, onClose) => {
      let ws = null;
      let closed = false;
      const end = (err) => {
        if (closed) return;
        closed = true;
        try { ws?.close(); } catch { /* closing */ }
        callback(onClose, err);
      };
      (async () => {
        let auth;
        try {
          auth = token === undefined ? undefined : await credentials();
        } catch (err) {
          end(asError(err, 'UNAUTHENTICATED'));
          return;
        }
        if (closed) return;
        const u = new URL(`${base}live`, globalThis.location?.href);
        u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
        // A browser cannot set headers on a WebSocket: the token goes in the query.
        if (auth !== undefined) u.searchParams.set('token', auth);
        try {
          ws = new Socket(u.href);
        } catch (err) {
          end(fail('UNAVAILABLE', `live: the WebSocket could not be opened: ${err?.message ?? err}`, err));
          return;
        }
        ws.addEventListener('message', (ev) => {
          let c;
          try {
            c = cursorsFromGo(object(JSON.parse(ev.data)));
          } catch (err) {
            end(fail('CORRUPT', `live: the server sent ${String(ev.data).slice(0, 100)}, not cursors`, err));
            return;
          }
          if (!closed) callback(onCursors, c);
        });
        ws.addEventListener('close', (ev) => end(fail('UNAVAILABLE', `live: the channel closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`)));
        ws.addEventListener('error', () => end(fail('UNAVAILABLE', 'live: the channel failed')));
      })();
      return () => end(null);
    };
  }
  return transport;
}

/**
 * The lowercase hex SHA-256 of bytes by WebCrypto, or undefined where there
 * is none (an insecure context): Go hashes then.
 */
async function sha256(bytes) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const d = new Uint8Array(await subtle.digest('SHA-256', bytes));
  let out = '';
  for (const b of d) out += b.toString(16).padStart(2, '0');
  return out;
}

/** The size of each part of a chunked upload or download but the last (the server's engine.PartSize). */
const partSize = 1 << 20;

/** A lowercase hex SHA-256. */
const blobHash = /^[0-9a-f]{64}$/;

/**
 * The attachment calls of fetchTransport to a space, over its request(method,
 * path, body, type, read, check, headers). Blobs larger than a part go up
 * and down in parts of partSize; an upload cut short resumes with the parts
 * the server has. onProgress (the app's, optional) hears {direction, hash,
 * done, total} after each part.
 */
function blobCalls(request, object, onProgress) {
  const progress = (direction, hash, done, total) => { if (onProgress) callback(onProgress, { direction, hash, done, total }); };
  const hashOf = (what, hash) => {
    if (typeof hash !== 'string' || !blobHash.test(hash)) throw invalid(what, 'a lowercase hex SHA-256', hash);
    return hash;
  };
  const bool = (v) => {
    if (typeof v !== 'boolean') throw new TypeError('not a boolean');
    return v;
  };
  return {
    /** Which of hashes the server holds. */
    async hasBlobs(hashes) {
      if (!Array.isArray(hashes)) throw invalid('hasBlobs(hashes)', 'an array of hashes', hashes);
      hashes.forEach((h) => hashOf('hasBlobs: hash', h));
      const out = [];
      for (let i = 0; i < hashes.length; i += 1000) {
        const chunk = hashes.slice(i, i + 1000);
        const { has } = await request('POST', 'blobs/has', JSON.stringify({ hashes: chunk }), 'application/json', (r) => r.json(), (v) => {
          const a = object(v).has;
          if (!Array.isArray(a) || a.length !== chunk.length) throw new TypeError(`not ${chunk.length} booleans`);
          a.forEach(bool);
          return v;
        });
        out.push(...has);
      }
      return out;
    },
    /** Uploads bytes as the blob hash (the server checks the hash), in parts when large, resuming. */
    async putBlob(hash, bytes, opts = {}) {
      hashOf('putBlob: hash', hash);
      if (!(bytes instanceof Uint8Array)) throw invalid('putBlob: bytes', 'a Uint8Array', bytes);
      const { onProgress: each } = options('putBlob: options', opts);
      const tell = (done) => { progress('up', hash, done, bytes.length); if (typeof each === 'function') callback(each, { direction: 'up', hash, done, total: bytes.length }); };
      const answer = (v) => {
        if (typeof object(v).complete !== 'boolean') throw new TypeError('no complete');
        return v;
      };
      tell(0);
      if (bytes.length <= partSize) {
        await request('PUT', `blobs/${hash}`, bytes, 'application/octet-stream', (r) => r.json(), answer);
        tell(bytes.length);
        return;
      }
      const count = Math.ceil(bytes.length / partSize);
      const part = (n) => bytes.subarray(n * partSize, Math.min(bytes.length, (n + 1) * partSize));
      // A round sends the parts the server lacks; the last one it takes
      // assembles the blob. Parts it collected meanwhile are sent again.
      for (let round = 0; round < 3; round++) {
        const { parts } = await request('GET', `blobs/${hash}/parts`, undefined, undefined, (r) => r.json(), (v) => {
          const a = object(v).parts;
          if (!Array.isArray(a) || !a.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new TypeError('no parts');
          return v;
        });
        const have = new Set(parts.filter((n) => n < count));
        let done = [...have].reduce((sum, n) => sum + part(n).length, 0);
        tell(done);
        const missing = [];
        for (let n = 0; n < count; n++) if (!have.has(n)) missing.push(n);
        if (missing.length === 0) missing.push(count - 1); // all staged, not assembled: the last again
        for (const n of missing) {
          const res = await request('PUT', `blobs/${hash}/parts/${n}?size=${bytes.length}`, part(n), 'application/octet-stream', (r) => r.json(), answer);
          if (!have.has(n)) done += part(n).length;
          tell(Math.min(done, bytes.length));
          if (res.complete) {
            tell(bytes.length);
            return;
          }
        }
      }
      throw fail('UNAVAILABLE', `putBlob: the server did not complete blob ${hash} after three rounds of parts`);
    },
    /** Downloads the blob hash of size bytes, in parts when large. */
    async getBlob(hash, size, opts = {}) {
      hashOf('getBlob: hash', hash);
      if (!Number.isSafeInteger(size) || size < 0) throw invalid('getBlob: size', 'a byte count', size);
      const { onProgress: each } = options('getBlob: options', opts);
      const tell = (done) => { progress('down', hash, done, size); if (typeof each === 'function') callback(each, { direction: 'down', hash, done, total: size }); };
      const bytes = (r) => r.arrayBuffer().then((b) => new Uint8Array(b));
      tell(0);
      if (size <= partSize) {
        const all = await request('GET', `blobs/${hash}`, undefined, undefined, bytes);
        tell(all.length);
        return all;
      }
      const out = new Uint8Array(size);
      for (let off = 0; off < size; off += partSize) {
        const end = Math.min(size, off + partSize);
        const got = await request('GET', `blobs/${hash}`, undefined, undefined, bytes, (b) => {
          if (b.length === size && off === 0) return b; // a server that ignored the Range
          if (b.length !== end - off) throw new TypeError(`${b.length} bytes for the range ${off}-${end - 1}`);
          return b;
        }, { range: `bytes=${off}-${end - 1}` });
        if (got.length === size) {
          tell(size);
          return got;
        }
        out.set(got, off);
        tell(end);
      }
      return out;
    },
  };
}

/** Checks that a bearer token fits in a header. */
function checkToken(what, t) {
  if (/[^\x21-\x7e]/.test(t)) throw fail('INVALID_ARGUMENT', `${what}: a bearer token is printable ASCII without spaces`);
  return t;
}

/**
 * The IdbsyncError of a server's failed answer: its code when it is one of
 * ours (else the status decides), its message, and the numbers a code
 * carries (expected and actual of a CURSOR_MISMATCH, peer and idx of a fork).
 */
function serverError(path, status, answer) {
  const ok = answer !== null && typeof answer === 'object';
  const code = ok && codes.includes(answer.code) ? answer.code : httpCode(status);
  const e = fail(code, `${path}: ${ok && typeof answer.message === 'string' ? answer.message : `HTTP ${status}`}`);
  if (!ok) return e;
  for (const f of ['expected', 'actual', 'idx']) {
    const v = answer[f];
    if (Number.isSafeInteger(v) && v >= 0) e[f] = v;
    else if (typeof v === 'string' && /^\d{1,20}$/.test(v)) e[f] = BigInt(v);
  }
  if (typeof answer.peer === 'string') e.peer = answer.peer;
  return e;
}

/** The code of a failed HTTP answer that names none of ours. */
function httpCode(status) {
  switch (status) {
    case 401: return 'UNAUTHENTICATED';
    case 403: return 'PERMISSION_DENIED';
    case 409: return 'CONFLICT';
    case 408: case 429: return 'UNAVAILABLE';
    default: return status >= 400 && status < 500 ? 'INVALID_ARGUMENT' : 'UNAVAILABLE';
  }
}

// ---- live sync: one engine kept in sync with one server space ----

/** The codes after which a live sync stops: retrying cannot help. */
const fatal = new Set(['PERMISSION_DENIED', 'FORKED', 'INVALID_ARGUMENT']);

/**
 * Keeps engine in sync with transport (a fetchTransport to a space, or any
 * transport) until stop(): local writes are pushed soon after they commit,
 * the server's live channel (transport.subscribe) says when to pull, and a
 * slow interval, the browser's online event and the tab becoming visible
 * do too. While the server cannot be reached it backs off exponentially,
 * with jitter. Tabs on one database run one live sync between them: the one
 * holding the Web Lock idbsync-live:<name> syncs, the others follow its
 * status over a BroadcastChannel and take over when it goes.
 */
export function live(engine, transport, opts = {}) {
  if (!(engine instanceof Engine)) throw invalid('live(engine, transport): engine', 'an Engine', engine);
  alive(engine);
  if (transport === null || typeof transport !== 'object' || !['cursors', 'readSince', 'apply'].every((m) => typeof transport[m] === 'function')) {
    throw invalid('live(engine, transport): transport', 'a transport (an object with cursors, readSince and apply)', transport);
  }
  const {
    pageSize, interval = 30_000, debounce = 20, minBackoff = 250, maxBackoff = 30_000, onStatus, prefetch = false,
  } = options('live: options', opts);
  if (typeof prefetch !== 'boolean') throw invalid('live: prefetch', 'a boolean', prefetch);
  for (const [what, v] of [['interval', interval], ['debounce', debounce], ['minBackoff', minBackoff], ['maxBackoff', maxBackoff]]) {
    if (typeof v !== 'number' || !(v >= 0) || v > maxDelay) throw invalid(`live: ${what}`, `a number of milliseconds from 0 to ${maxDelay}`, v);
  }
  if (onStatus !== undefined && typeof onStatus !== 'function') throw invalid('live: onStatus', 'a function', onStatus);
  return new LiveSync(engine, transport, { pageSize, interval, debounce, minBackoff, maxBackoff, onStatus, prefetch });
}

/** A running live(); see idbsync.d.ts. */
class LiveSync {
  constructor(engine, transport, opts) {
    this._engine = engine;
    this._transport = transport;
    this._opts = opts;
    this._subs = new Set();
    if (opts.onStatus) this._subs.add(opts.onStatus);
    this._stopped = false;
    this._abort = new AbortController();
    // getBlob fetches attachments written elsewhere from this transport.
    if (typeof transport.getBlob === 'function') engine._blobSource = transport;
    /** The current status (see LiveStatus in idbsync.d.ts). */
    this.status = { state: 'connecting', pending: 0, error: null, lastSync: null, leader: false };
    this._channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`idbsync-live:${engine.name}`) : null;
    this._channel?.addEventListener('message', (ev) => {
      const m = ev.data;
      if (m?.type === 'hello' && this._leading) {
        this._broadcast();
        return;
      }
      if (this._leading || this._stopped || m?.type !== 'status' || m.status === null || typeof m.status !== 'object') return;
      const { state, pending, lastSync, error } = m.status;
      if (!['connecting', 'live', 'offline', 'error'].includes(state) || !Number.isSafeInteger(pending)) return;
      this._set({
        state, pending, lastSync: typeof lastSync === 'number' ? lastSync : null,
        error: error ? new IdbsyncError(codes.includes(error.code) ? error.code : 'INTERNAL', String(error.message)) : null,
        leader: false,
      }, false);
    });
    this._leading = false;
    this._done = navigator.locks.request(`idbsync-live:${engine.name}`, { signal: this._abort.signal }, () => this._lead())
      .catch((err) => { if (err?.name !== 'AbortError') this._fail(asError(err)); });
    this._channel?.postMessage({ type: 'hello' });
  }

  /** Calls cb with the status now and after every change; returns the unsubscribe function. */
  subscribe(cb) {
    if (typeof cb !== 'function') throw invalid('LiveSync.subscribe(cb)', 'a function', cb);
    this._subs.add(cb);
    callback(cb, this.status);
    return () => { this._subs.delete(cb); };
  }

  /** Syncs now (the leader), or resolves at once (a follower); rejects as sync() would. */
  async syncNow() {
    if (!this._leading) return;
    await this._run();
  }

  /** Stops syncing, here and (if this tab leads) for the tabs that follow, until another takes over. */
  async stop() {
    if (this._stopped) return;
    this._stopped = true;
    if (this._engine._blobSource === this._transport) this._engine._blobSource = undefined;
    this._abort.abort();
    this._release?.();
    this._teardown?.();
    this._channel?.close();
    await this._done;
  }

  _set(patch, broadcast = true) {
    const next = { ...this.status, ...patch };
    const same = Object.keys(next).every((k) => next[k] === this.status[k]);
    if (same) return;
    this.status = next;
    for (const cb of this._subs) callback(cb, next);
    if (broadcast && this._leading) this._broadcast();
  }

  /** Tells the tabs that follow the leader's status. */
  _broadcast() {
    const { error, ...rest } = this.status;
    try {
      this._channel?.postMessage({ type: 'status', status: { ...rest, error: error ? { code: error.code, message: error.message } : null } });
    } catch { /* closed */ }
  }

  _fail(err) {
    this._set({ state: 'error', error: err });
  }

  /** The loop of the tab that holds the lock; resolves when it stops. */
  async _lead() {
    if (this._stopped) return;
    this._leading = true;
    const { _engine: engine, _transport: transport, _opts: o } = this;
    let timer = null;
    let poll = null;
    let fails = 0;
    let unsubscribeServer = null;
    let reconnect = null;
    let channelFails = 0;
    this._server = null; // the server's cursors, as its live channel last said
    const wake = (ms) => {
      if (this._stopped || this._fatal) return;
      clearTimeout(timer);
      timer = setTimeout(() => { this._run().catch(() => {}); }, ms);
    };
    this._wake = wake;
    this._backoff = () => {
      fails++;
      const ms = Math.min(o.maxBackoff, o.minBackoff * 2 ** (fails - 1));
      wake(ms / 2 + Math.random() * ms / 2);
    };
    this._ok = () => { fails = 0; };
    const listen = () => {
      if (typeof transport.subscribe !== 'function' || this._stopped) return;
      unsubscribeServer = transport.subscribe((c) => {
        channelFails = 0;
        this._server = c;
        if (this.status.state === 'connecting' || this.status.state === 'offline') this._set({ state: 'live' });
        this._pending().then(() => { if (this._behind(c)) wake(0); });
      }, (err) => {
        unsubscribeServer = null;
        if (this._stopped || err === null) return;
        if (this.status.state !== 'error') this._set({ state: 'offline', error: err });
        channelFails++;
        const ms = Math.min(o.maxBackoff, o.minBackoff * 2 ** (channelFails - 1));
        clearTimeout(reconnect);
        reconnect = setTimeout(listen, ms / 2 + Math.random() * ms / 2);
      });
    };
    const stopWatch = engine.watchCursors(() => {
      this._pending().then(() => { if (this.status.pending > 0) wake(o.debounce); });
    }, {
      // The browser closed the database: the live sync ends with it.
      onError: (err) => { if (!this._stopped) { this._fail(asError(err, 'CLOSED')); this.stop(); } },
    });
    const online = () => {
      fails = 0;
      channelFails = 0;
      if (!unsubscribeServer) { clearTimeout(reconnect); listen(); }
      wake(0);
    };
    const visible = () => { if (globalThis.document?.visibilityState === 'visible') wake(0); };
    globalThis.addEventListener?.('online', online);
    globalThis.document?.addEventListener?.('visibilitychange', visible);
    if (o.interval > 0) poll = setInterval(() => wake(0), o.interval);
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    this._release = release;
    this._teardown = () => {
      clearTimeout(timer);
      clearTimeout(reconnect);
      clearInterval(poll);
      stopWatch();
      unsubscribeServer?.();
      globalThis.removeEventListener?.('online', online);
      globalThis.document?.removeEventListener?.('visibilitychange', visible);
      this._leading = false;
    };
    this._set({ leader: true });
    listen();
    wake(0);
    await held;
  }

  /** Is the server behind or ahead of the engine by its cursors c? */
  _behind(c) {
    const mine = this._mine ?? {};
    for (const [p, n] of Object.entries(c)) if ((mine[p] ?? 0) < n) return true;
    for (const [p, n] of Object.entries(mine)) if ((c[p] ?? 0) < n) return true;
    return false;
  }

  /** Recomputes pending: this peer's entries the server is not known to hold. */
  async _pending() {
    let mine;
    try {
      mine = await this._engine.cursors();
    } catch {
      return;
    }
    this._mine = mine;
    const peer = this._engine.peer;
    const local = Number(mine[peer] ?? 0);
    const acked = Math.max(Number(this._server?.[peer] ?? 0), this._acked ?? 0);
    this._set({ pending: Math.max(0, local - acked) });
  }

  /** Fetches the bytes of every attachment that is not here yet (live({prefetch: true})). */
  async _prefetch() {
    if (typeof this._transport.getBlob !== 'function') return;
    let missing;
    try {
      missing = await this._engine.missingBlobs();
    } catch {
      return;
    }
    for (const m of missing) {
      if (this._stopped) return;
      try {
        await this._engine._fetchBlob(m.hash, m.size, this._transport);
      } catch (err) {
        this._set({ error: asError(err) });
        return; // the next sync tries again
      }
    }
  }

  /** One sync, one at a time; a call while one runs runs another after it. */
  async _run() {
    if (this._running) {
      this._again = true;
      return this._running;
    }
    const go = async () => {
      if (this._stopped || !this._leading) return;
      const peer = this._engine.peer;
      let before;
      try {
        before = Number((await this._engine.cursors())[peer] ?? 0);
        await sync(this._engine, this._transport, this._opts.pageSize === undefined ? {} : { pageSize: this._opts.pageSize });
      } catch (err) {
        const e = asError(err);
        if (this._stopped) return;
        if (e.code === 'CLOSED') {
          this._fail(e);
          this.stop();
          return;
        }
        const stop = fatal.has(e.code) || (Array.isArray(e.errors) && e.errors.some((x) => fatal.has(x.code)));
        if (stop) {
          this._fatal = true;
          this._set({ state: 'error', error: e });
          return;
        }
        this._set({ state: e.code === 'UNAVAILABLE' ? 'offline' : 'error', error: e });
        this._backoff();
        throw e;
      }
      this._ok();
      // The server holds this peer's entries up to where the sync began.
      this._acked = Math.max(this._acked ?? 0, before);
      this._set({ state: 'live', error: null, lastSync: Date.now() });
      await this._pending();
      if (this._opts.prefetch) await this._prefetch();
    };
    this._running = (async () => {
      try {
        do {
          this._again = false;
          await go().catch((err) => { if (!this._again) throw err; });
        } while (this._again && !this._stopped);
      } finally {
        this._running = null;
      }
    })();
    return this._running;
  }
}
