// The benchmark page: idbsync beside raw IndexedDB and Dexie, the same work
// in the same browser in the same run. `make bench` drives it headless
// (bench/run.mjs); open /bench/ in a browser (make demo) to run it by hand.
//
// The run is a plan of steps kept in sessionStorage, because the cold-start
// steps reload the page (a fresh page: nothing loaded, no connection open)
// and must carry on afterwards. Each contender below is written the way a
// reader would write it with that tool; all three commit with strict
// durability (flushed to disk before a write resolves). idbsync runs in its
// default mode (open()'s worker: a shared worker where there is one), and
// again in the page (worker: false) as the contender 'inpage'. The editing
// trace puts idbsync beside Yjs with y-indexeddb instead (relaxed
// durability on both sides).
import { buildRows, formatText, tableCells, isFigureColumn, KINDS, median, DEFAULTS, QUICK } from './table.js';

/** Every contender: the table's columns, and idbsync in the page (its ↳ rows). */
const ALL = [...KINDS, 'inpage'];

const STATE = 'idbsync-bench:state';
const LAST = 'idbsync-bench:last';

const STRICT = { durability: 'strict' };

// ---- small helpers ----

/** The result of an IDBRequest. */
function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Resolves when tx commits (for strict durability: once it is on disk). */
function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

function deleteDatabase(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    const timer = setTimeout(() => reject(new Error(`deleting ${name}: blocked by an open connection`)), 10_000);
    req.onsuccess = () => { clearTimeout(timer); resolve(); };
    req.onerror = () => { clearTimeout(timer); reject(req.error); };
  });
}

/** Deterministic pseudo-random bytes (xorshift32), so every contender writes the same values. */
function bytes(n, seed) {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs fn while a setTimeout(0) loop ticks on this page's thread; resolves
 * to {value, ms, stall}: fn's result, how long it took, and the longest gap
 * between two turns of the loop from just before fn was called until the
 * loop's first turn after it resolved (the main-thread stall). setTimeout is
 * clamped to 4 ms once nested, so an idle page shows about 4-5 ms.
 */
async function measureStall(fn) {
  let on = true;
  let last;
  let max = 0;
  let wake = null;
  const tick = () => {
    const now = performance.now();
    if (last !== undefined) max = Math.max(max, now - last);
    last = now;
    if (wake) {
      const w = wake;
      wake = null;
      w();
    }
    if (on) setTimeout(tick, 0);
  };
  const turn = () => new Promise((r) => { wake = r; });
  setTimeout(tick, 0);
  for (let i = 0; i < 6; i++) await turn(); // past the nesting clamp
  max = 0;
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    await turn(); // a gap that ends after fn counts too
    return { value, ms, stall: max };
  } finally {
    on = false;
  }
}

/** Runs fn over items with at most n at a time. */
async function pool(items, n, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

// ---- the three contenders ----
// Rows are the same everywhere: a log row keyed [peer, idx] and a state row
// keyed by the op's key, per entry; blobs and change records keyed by key/id.

/** Plain IndexedDB from JavaScript: the floor of what the browser allows. */
const raw = {
  label: 'raw IndexedDB',

  /** Opens name, creating the stores; version null opens an existing database as it is. */
  open(name, version = 1) {
    return new Promise((resolve, reject) => {
      const req = version === null ? indexedDB.open(name) : indexedDB.open(name, version);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('log', { keyPath: ['peer', 'idx'] });
        db.createObjectStore('state', { keyPath: 'key' });
        db.createObjectStore('blobs', { keyPath: 'key' });
        db.createObjectStore('changes', { keyPath: 'id' });
      };
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => db.close(); // let a deletion or an upgrade through
        resolve(db);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error(`opening ${name}: blocked`));
    });
  },

  async drop(name, db) {
    db?.close();
    await deleteDatabase(name);
  },

  /** Entries of other peers, one transaction. */
  async ingest(db, entries) {
    const tx = db.transaction(['log', 'state'], 'readwrite', STRICT);
    const log = tx.objectStore('log');
    const state = tx.objectStore('state');
    for (const e of entries) {
      log.put({ peer: e.peer, idx: e.idx, ts: e.ts, key: e.put, value: e.value });
      state.put({ key: e.put, value: e.value, ts: e.ts, peer: e.peer, idx: e.idx });
    }
    await done(tx);
  },

  /** One local write, one transaction. */
  async write(db, w) {
    const tx = db.transaction(['log', 'state'], 'readwrite', STRICT);
    const ts = Date.now();
    tx.objectStore('log').put({ peer: w.peer, idx: w.idx, ts, key: w.key, value: w.value });
    tx.objectStore('state').put({ key: w.key, value: w.value, ts, peer: w.peer, idx: w.idx });
    await done(tx);
  },

  /** The next index of every peer, from a key cursor over the whole log. */
  cursors(db) {
    const req = db.transaction('log', 'readonly').objectStore('log').openKeyCursor();
    const cursors = {};
    return new Promise((resolve, reject) => {
      req.onsuccess = () => {
        const c = req.result;
        if (!c) return resolve(cursors);
        const [peer, idx] = c.primaryKey;
        cursors[peer] = idx + 1; // ascending: the last key of a peer wins
        c.continue();
      };
      req.onerror = () => reject(req.error);
    });
  },

  readPage(db, peer, from, limit) {
    const range = IDBKeyRange.bound([peer, from], [peer, Infinity]);
    return request(db.transaction('log', 'readonly').objectStore('log').getAll(range, limit));
  },

  async putBlob(db, key, data) {
    const tx = db.transaction('blobs', 'readwrite', STRICT);
    tx.objectStore('blobs').put({ key, data });
    await done(tx);
  },

  /** A change record written, then removed: two transactions. */
  async recordRemove(db, change) {
    let tx = db.transaction('changes', 'readwrite', STRICT);
    tx.objectStore('changes').put(change);
    await done(tx);
    tx = db.transaction('changes', 'readwrite', STRICT);
    tx.objectStore('changes').delete(change.id);
    await done(tx);
  },
};

let DexieClass = null;
async function loadDexie() {
  DexieClass ??= (await import('/vendor/dexie.mjs')).Dexie;
  return DexieClass;
}

/** Dexie, the most used IndexedDB library, as its documentation writes it. */
const dexie = {
  label: 'Dexie',

  async open(name, durability = 'strict') {
    const Dexie = await loadDexie();
    // Dexie's option for IDBTransaction durability (Chromium honours it).
    const db = new Dexie(name, { chromeTransactionDurability: durability });
    db.version(1).stores({ log: '[peer+idx]', state: 'key', blobs: 'key', changes: 'id' });
    await db.open();
    return db;
  },

  async drop(name, db) {
    db?.close();
    await (await loadDexie()).delete(name);
  },

  async ingest(db, entries) {
    await db.transaction('rw', db.log, db.state, async () => {
      await db.log.bulkPut(entries.map((e) => ({ peer: e.peer, idx: e.idx, ts: e.ts, key: e.put, value: e.value })));
      await db.state.bulkPut(entries.map((e) => ({ key: e.put, value: e.value, ts: e.ts, peer: e.peer, idx: e.idx })));
    });
  },

  async write(db, w) {
    await db.transaction('rw', db.log, db.state, async () => {
      const ts = Date.now();
      await db.log.put({ peer: w.peer, idx: w.idx, ts, key: w.key, value: w.value });
      await db.state.put({ key: w.key, value: w.value, ts, peer: w.peer, idx: w.idx });
    });
  },

  async cursors(db) {
    const cursors = {};
    await db.log.toCollection().eachPrimaryKey(([peer, idx]) => { cursors[peer] = idx + 1; });
    return cursors;
  },

  readPage(db, peer, from, limit) {
    return db.log.where('[peer+idx]').between([peer, from], [peer, DexieClass.maxKey], true, true).limit(limit).toArray();
  },

  async putBlob(db, key, data) {
    await db.blobs.put({ key, data });
  },

  async recordRemove(db, change) {
    await db.changes.put(change);
    await db.changes.delete(change.id);
  },
};

let idbsyncModule = null;
/** Another build of the module to measure (config.wasm), or the default one. */
let wasmURL;

/** The ESM entry point, without loading the Go module in this page (a worker runs it). */
async function importIdbsync() {
  idbsyncModule ??= await import('/idbsync.js');
  return idbsyncModule;
}

/** The entry point with the Go module loaded in this page too: for decode() and worker: false. */
async function loadIdbsync() {
  const m = await importIdbsync();
  await m.load(wasmURL ? { wasm: wasmURL } : {});
  return m;
}

/** open()'s options for name: config.wasm when set, and extra. */
const openOptions = (name, extra = {}) => ({ name, ...(wasmURL ? { wasm: wasmURL } : {}), ...extra });

/**
 * idbsync with its defaults (strict durability), in its default mode
 * (worker undefined: a shared worker) or in this page (worker false).
 */
function idbsyncContender(worker, label) {
  return {
    label,

    async open(name) {
      const m = worker === false ? await loadIdbsync() : await importIdbsync();
      return m.open(openOptions(name, worker === undefined ? {} : { worker }));
    },

    async drop(name, db) {
      await db?.close();
      await deleteDatabase(name);
    },

    /** idbsync ingests the wire batch itself (decoding and checking it is part of the work). */
    async ingest(db, entries, wire) {
      const res = await db.apply(wire);
      if (res.applied !== entries.length) throw new Error(`apply: ${res.applied} applied, want ${entries.length}`);
    },

    async write(db, w) {
      await db.exec([{ put: w.key, value: w.value }]);
    },

    cursors(db) {
      return db.cursors();
    },

    readPage(db, peer, from, limit) {
      return db.readSince(peer, from, limit);
    },

    async putBlob(db, key, data) {
      await db.putBlob(key, data);
    },
  };
}

const idbsync = idbsyncContender(undefined, 'idbsync');
const inpage = idbsyncContender(false, 'idbsync (in page)');

const isIdbsync = (kind) => kind === 'idbsync' || kind === 'inpage';

const contenders = { raw, dexie, idbsync, inpage };

// ---- progress and state ----

const listeners = new Set();

function report(msg) {
  for (const l of listeners) l(msg);
  globalThis.__benchReport?.(msg); // bench/run.mjs listens here
}

function progress(text) {
  console.log(`bench: ${text}`);
  report({ type: 'progress', text });
}

function loadState() {
  try {
    return JSON.parse(sessionStorage.getItem(STATE) ?? 'null');
  } catch {
    return null;
  }
}

function saveState(st) {
  sessionStorage.setItem(STATE, JSON.stringify(st));
}

function record(st, metric, kind, value) {
  ((st.results[metric] ??= {})[kind] ??= []).push(value);
}

/** Contenders in a different order each run, so drift and warm-up do not favour one. */
function rotated(r, kinds = ['raw', 'dexie', 'idbsync', 'inpage']) {
  return kinds.map((_, i) => kinds[(i + r) % kinds.length]);
}

// ---- workloads ----

/**
 * Source engine p (untimed setup): a database of its own (its own peer)
 * that execs count ops in one call; returns its peer and the readSince
 * pages asked for ([from, limit] pairs). Setup commits relaxed: the data it
 * leaves is the same, and it spends less time waiting on the disk.
 */
async function source(p, count, valueSize, reads) {
  const m = await importIdbsync();
  const name = `bench-src-${p}`;
  await deleteDatabase(name);
  const src = await m.open(openOptions(name, { durability: 'relaxed' }));
  const ops = [];
  for (let i = 0; i < count; i++) ops.push({ put: `doc/${p}/${i}`, value: bytes(valueSize, p * 1_000_003 + i) });
  await src.exec(ops);
  const wires = [];
  for (const [from, limit] of reads) wires.push(await src.readSince(src.peer, from, limit));
  await src.close();
  await deleteDatabase(name);
  return { peer: src.peer, wires };
}

/** The cold-start pages of sources built early (for the ingest), by peer number. */
const coldPages = new Map();

/** Whether the ingest's sources can serve the cold start too (the same ops). */
const sharedSources = (cfg) => cfg.cold.large === cfg.ingest.perPeer;

/** The remote entries of the ingest workload, built once per page (untimed). */
let ingestData = null;

async function buildIngest(cfg) {
  if (ingestData) return ingestData;
  const { peers, perPeer, batch, valueSize } = cfg.ingest;
  progress(`ingest setup: ${peers} source engines × ${perPeer} ops, pages of ${batch}`);
  const m = await loadIdbsync();
  const reads = [];
  for (let from = 0; from < perPeer; from += batch) reads.push([from, batch]);
  const shared = sharedSources(cfg) && peers <= cfg.cold.peers;
  if (shared) reads.push([0, cfg.cold.large], [0, cfg.cold.small]);
  const sources = [];
  await pool([...Array(peers).keys()], 3, async (p) => {
    const { peer, wires } = await source(p, perPeer, valueSize, reads);
    const n = Math.ceil(perPeer / batch);
    sources[p] = { peer, pages: wires.slice(0, n).map((wire) => ({ wire, entries: m.decode(wire) })) };
    if (shared) coldPages.set(p, { peer, wireL: wires[n], wireS: wires[n + 1] });
  });
  // Page k of every peer, then page k+1: each peer's indexes in order.
  const pages = [];
  for (let k = 0; k < sources[0].pages.length; k++) for (const s of sources) pages.push(s.pages[k]);
  ingestData = { peers: sources.map((s) => s.peer), pages, total: peers * perPeer };
  return ingestData;
}

async function ingestRun(st, kind, r) {
  const data = await buildIngest(st.config);
  const c = contenders[kind];
  const name = `bench-ingest-${kind}-${r}`;
  await deleteDatabase(name); // what a failed attempt left
  const db = await c.open(name);
  const t0 = performance.now();
  for (const page of data.pages) await c.ingest(db, page.entries, page.wire);
  const ms = performance.now() - t0;
  record(st, 'ingest', kind, data.total / (ms / 1000));
  // The last run's database stays for the catch-up reads.
  if (r === st.config.runs - 1) await db.close();
  else await c.drop(name, db);
  progress(`ingest ${kind} run ${r + 1}: ${Math.round(data.total / (ms / 1000))} entries/s (${Math.round(ms)} ms)`);
}

async function readRun(st, kind, r) {
  const data = await buildIngest(st.config);
  const { perPeer } = st.config.ingest;
  const limit = st.config.readPage;
  const c = contenders[kind];
  const db = await c.open(`bench-ingest-${kind}-${st.config.runs - 1}`);
  let pages = 0;
  let first;
  const t0 = performance.now();
  for (const peer of data.peers) {
    for (let from = 0; from < perPeer; from += limit) {
      const page = await c.readPage(db, peer, from, limit);
      first ??= page;
      pages++;
    }
  }
  const ms = performance.now() - t0;
  await check(kind, first, Math.min(limit, perPeer));
  record(st, 'read', kind, data.total / (ms / 1000));
  record(st, 'readPageMs', kind, ms / pages);
  await db.close();
  progress(`read ${kind} run ${r + 1}: ${Math.round(data.total / (ms / 1000))} entries/s (${(ms / pages).toFixed(1)} ms a page)`);
}

/** Checks (untimed) that the first page holds what it should. */
async function check(kind, page, want) {
  const n = isIdbsync(kind) ? (await loadIdbsync()).decode(page).length : page.length;
  if (n !== want) throw new Error(`${kind}: a page of ${n} entries, want ${want}`);
}

async function dropIngest(st) {
  for (const kind of ALL) {
    const name = `bench-ingest-${kind}-${st.config.runs - 1}`;
    await deleteDatabase(name);
  }
}

async function writesRun(st, kind, r) {
  const { writes } = st.config;
  const c = contenders[kind];
  const name = `bench-writes-${kind}-${r}`;
  await deleteDatabase(name); // what a failed attempt left
  const db = await c.open(name);
  const peer = crypto.randomUUID(); // the baselines' own peer id
  const values = Array.from({ length: writes }, (_, i) => bytes(100, i + 7));
  const t0 = performance.now();
  for (let i = 0; i < writes; i++) await c.write(db, { peer, idx: i, key: `note/${i}`, value: values[i] });
  const ms = performance.now() - t0;
  record(st, 'writes', kind, ms / writes);
  await c.drop(name, db);
  progress(`local writes ${kind} run ${r + 1}: ${(ms / writes).toFixed(2)} ms/write`);
}

async function blobsRun(st, kind, r) {
  const { sizes, perRun } = st.config.blobs;
  const c = contenders[kind];
  const name = `bench-blobs-${kind}-${r}`;
  await deleteDatabase(name); // what a failed attempt left
  const db = await c.open(name);
  const figures = [];
  for (const [s, size] of sizes.entries()) {
    const data = bytes(size, size + r);
    const lat = [];
    for (let i = 0; i < perRun; i++) {
      const t0 = performance.now();
      await c.putBlob(db, `blob/${size}/${i}`, data);
      lat.push(performance.now() - t0);
    }
    figures.push({ metric: s === 0 ? 'blobLarge' : 'blobSmall', ms: median(lat), size });
  }
  await c.drop(name, db);
  for (const f of figures) record(st, f.metric, kind, f.ms);
  progress(`putBlob ${kind} run ${r + 1}: ${figures.map((f) => `${f.size >> 10} KiB ${f.ms.toFixed(1)} ms`).join(', ')}`);
}

async function pairsRun(st, kind, r) {
  const c = contenders[kind];
  const name = `bench-pairs-${kind}-${r}`;
  await deleteDatabase(name); // what a failed attempt left
  const db = await c.open(name);
  const lat = [];
  for (let i = 0; i < st.config.pairs; i++) {
    // Shaped like idbsync's change record: a time-ordered id, the object, the new revision.
    const change = { id: `${Date.now().toString(16).padStart(12, '0')}-${crypto.randomUUID()}`, object: 'bench/object', new: bytes(16, i), old: null };
    const t0 = performance.now();
    await c.recordRemove(db, change);
    lat.push(performance.now() - t0);
  }
  record(st, 'pair', kind, median(lat));
  await c.drop(name, db);
  progress(`record+remove ${kind} run ${r + 1}: ${median(lat).toFixed(2)} ms`);
}

// ---- cold start ----

/**
 * The cold-start databases: idbsync's own, and one the baselines share
 * (Dexie builds it; the raw code opens it as it finds it): the same rows,
 * read by a key cursor in both, so building it twice would only add minutes.
 */
const coldName = (kind, size) => `bench-cold-${isIdbsync(kind) ? 'idbsync' : 'base'}-${size}`;

/**
 * Builds the cold-start databases (untimed, relaxed durability): source
 * engines each exec their ops in one call (the ingest's sources serve again
 * when they match), the target applies one readSince page per source, the
 * baselines get the same entries, one transaction per source.
 */
async function coldSetup(st) {
  const { peers, large, small } = st.config.cold;
  const valueSize = st.config.ingest.valueSize;
  progress(`cold start setup: ${peers} peers × ${large} and × ${small} entries, for idbsync and for the baselines`);
  const m = await loadIdbsync(); // for decode()
  const targets = {};
  for (const size of ['L', 'S']) {
    await deleteDatabase(coldName('idbsync', size));
    await deleteDatabase(coldName('raw', size));
    targets[`idbsync${size}`] = await m.open(openOptions(coldName('idbsync', size), { durability: 'relaxed' }));
    targets[`base${size}`] = await dexie.open(coldName('raw', size), 'relaxed');
  }
  let chain = Promise.resolve();
  let built = 0;
  const t0 = performance.now();
  await pool([...Array(peers).keys()], 3, async (p) => {
    let pages = coldPages.get(p);
    if (!pages) {
      const { peer, wires } = await source(p, large, valueSize, [[0, large], [0, small]]);
      pages = { peer, wireL: wires[0], wireS: wires[1] };
    }
    const entries = m.decode(pages.wireL);
    // One writer per target database at a time; the targets side by side.
    const step = chain.then(() => Promise.all([
      targets.idbsyncL.apply(pages.wireL),
      targets.idbsyncS.apply(pages.wireS),
      dexie.ingest(targets.baseL, entries),
      dexie.ingest(targets.baseS, entries.slice(0, small)),
    ]));
    chain = step.catch(() => {});
    await step;
    if (++built % 10 === 0) progress(`cold start setup: ${built}/${peers} peers (${Math.round((performance.now() - t0) / 1000)} s)`);
  });
  for (const t of Object.values(targets)) await t.close();
  coldPages.clear();
  await sleep(2000); // let the browser's storage settle before the first cold start
}

/** The key under which a cold start notes its worker's instance, to tell a fresh worker from one that outlived the reload. */
const WORKER = 'idbsync-bench:worker';

/**
 * Measures one cold start in this (fresh) page: module load, then open →
 * cursors, and the page's main-thread stall over both. idbsync in its
 * default mode loads the module in the worker, which the first open()
 * starts: its module load is the import and the first open() of an empty
 * database (bench-cold-probe); in the page (inpage) it is the import and
 * load().
 */
async function coldMeasure(st, kind, size, r) {
  const { peers, large, small } = st.config.cold;
  let t1;
  let t2;
  let probe;
  const { value: cursors, stall } = await measureStall(async () => {
    const t0 = performance.now();
    if (kind === 'idbsync') probe = await (await importIdbsync()).open(openOptions('bench-cold-probe'));
    if (kind === 'inpage') await loadIdbsync();
    if (kind === 'dexie') await loadDexie();
    t1 = performance.now() - t0;
    // The baselines' database is Dexie's: the raw code opens it at the version it has.
    const db = kind === 'raw' ? await raw.open(coldName(kind, size), null) : await contenders[kind].open(coldName(kind, size));
    const c = await contenders[kind].cursors(db);
    t2 = performance.now() - t0;
    await db.close();
    return c;
  });
  const want = size === 'L' ? large : small;
  const got = Object.values(cursors).filter((n) => Number(n) > 0);
  if (got.length !== peers || got.some((n) => Number(n) !== want)) {
    throw new Error(`cold ${kind}: cursors of ${got.length} peers (${got.slice(0, 3)}…), want ${peers} × ${want}`);
  }
  if (probe) {
    // A worker that outlived the reload would have had its module loaded already.
    const before = sessionStorage.getItem(WORKER);
    sessionStorage.setItem(WORKER, probe.instance);
    await probe.close();
    if (probe.worker !== 'shared') throw new Error(`cold idbsync: engine.worker is ${probe.worker}, want 'shared' (the default)`);
    if (before === probe.instance) throw new Error('cold idbsync: the shared worker outlived the reload (not a cold start)');
  }
  const open = t2 - t1;
  if (kind !== 'raw') record(st, 'coldLoad', kind, t1);
  record(st, size === 'L' ? 'coldOpenL' : 'coldOpenS', kind, open);
  record(st, 'stallLoad', kind, stall);
  progress(`cold ${kind} ${peers}×${want} run ${r + 1}: load ${t1.toFixed(0)} ms, open→cursors ${open.toFixed(1)} ms, main-thread stall ${stall.toFixed(0)} ms`);
}

async function coldDrop() {
  for (const kind of ['idbsync', 'raw']) for (const size of ['L', 'S']) await deleteDatabase(coldName(kind, size));
  await deleteDatabase('bench-cold-probe');
}

/** Deletes every database an earlier (interrupted) run left. */
async function clean() {
  for (const { name } of await indexedDB.databases()) {
    if (name.startsWith('bench-')) await deleteDatabase(name);
  }
}

/**
 * Versions, where idbsync's default mode runs its engines, and the
 * durability Dexie's transactions actually get (its option is a hint it
 * passes on).
 */
async function meta(st) {
  const m = await loadIdbsync();
  const Dexie = await loadDexie();
  const db = await dexie.open('bench-probe');
  let durability;
  await db.transaction('rw', db.changes, async () => { durability = Dexie.currentTransaction.idbtrans.durability; });
  await dexie.drop('bench-probe', db);
  if (durability !== 'strict') throw new Error(`Dexie transactions have durability ${durability}, want strict`);
  const [e, p] = [await idbsync.open('bench-probe-idbsync'), await inpage.open('bench-probe-inpage')];
  const worker = e.worker;
  await idbsync.drop('bench-probe-idbsync', e);
  await inpage.drop('bench-probe-inpage', p);
  if (p.worker !== false) throw new Error(`idbsync with worker: false runs in ${p.worker}, want the page`);
  st.meta = {
    idbsync: m.version(), idbsyncWorker: worker, dexie: Dexie.semVer ?? Dexie.version, dexieDurability: durability, userAgent: navigator.userAgent,
  };
}

// ---- the main-thread stall ----

/** The stall's apply batch: a readSince page of another engine, built once per page (untimed). */
let stallBatch = null;

async function stallBatchOf(cfg) {
  if (stallBatch) return stallBatch;
  const m = await importIdbsync();
  const name = 'bench-stall-src';
  await deleteDatabase(name);
  const src = await m.open(openOptions(name, { durability: 'relaxed' }));
  await src.exec(Array.from({ length: cfg.apply }, (_, i) => ({ put: `remote/${i}`, value: bytes(100, i + 11) })));
  stallBatch = { peer: src.peer, wire: await src.readSince(src.peer, 0, cfg.apply) };
  await src.close();
  await deleteDatabase(name);
  return stallBatch;
}

/** The side a of each mode's sync: syncExecs × syncPerExec entries (untimed, relaxed), open for the page's life. */
const syncSources = new Map();

async function syncSourceOf(cfg, kind) {
  if (syncSources.has(kind)) return syncSources.get(kind);
  const name = `bench-stall-synca-${kind}`;
  await deleteDatabase(name);
  const m = await importIdbsync();
  const a = await m.open(openOptions(name, { durability: 'relaxed', ...(kind === 'inpage' ? { worker: false } : {}) }));
  progress(`stall setup ${kind}: ${cfg.syncExecs} execs of ${cfg.syncPerExec} ops for the sync`);
  for (let e = 0; e < cfg.syncExecs; e++) {
    await a.exec(Array.from({ length: cfg.syncPerExec }, (_, i) => ({ put: `sync/${e}/${i}`, value: bytes(100, e * 1_000_003 + i) })));
  }
  syncSources.set(kind, a);
  return a;
}

/** Zero-padded: keys that sort as their numbers do. */
const pad = (i) => String(i).padStart(7, '0');

/**
 * One run of the stall workload in mode kind ('idbsync': the default mode,
 * 'inpage'): on a fresh database, the main-thread stall of an exec, an
 * apply of another engine's batch, a scan, a putBlob, and a sync of two
 * engines. The arguments are built before each measurement; a structured
 * clone on the way to the worker is part of the call.
 */
async function stallRun(st, kind, r) {
  const cfg = st.config.stall;
  const c = contenders[kind];
  const m = await importIdbsync();
  const batch = await stallBatchOf(cfg);
  const a = await syncSourceOf(cfg, kind);
  const [name, nameB] = [`bench-stall-${kind}-${r}`, `bench-stall-syncb-${kind}-${r}`];
  await deleteDatabase(name); // what a failed attempt left
  await deleteDatabase(nameB);
  const db = await c.open(name);
  const b = await c.open(nameB);
  const want = kind === 'inpage' ? false : st.meta?.idbsyncWorker;
  for (const e of [db, b, a]) if (e.worker !== want) throw new Error(`stall ${kind}: engine.worker is ${e.worker}, want ${want}`);
  const figures = {};
  const ops = Array.from({ length: cfg.exec }, (_, i) => ({ put: `stall/${pad(i)}`, value: bytes(100, i + 1) }));
  const exec = await measureStall(() => db.exec(ops));
  if (Number(exec.value.to) - Number(exec.value.from) !== cfg.exec) throw new Error(`stall ${kind}: exec wrote ${exec.value.from}..${exec.value.to}`);
  figures.stallExec = exec;
  const apply = await measureStall(() => db.apply(batch.wire));
  if (apply.value.applied !== cfg.apply) throw new Error(`stall ${kind}: apply: ${apply.value.applied} applied, want ${cfg.apply}`);
  figures.stallApply = apply;
  const scan = await measureStall(() => db.scan({ prefix: 'stall/', limit: cfg.scan }));
  if (scan.value.length !== cfg.scan || scan.value[cfg.scan - 1].key !== `stall/${pad(cfg.scan - 1)}`) {
    throw new Error(`stall ${kind}: scan: ${scan.value.length} rows, want ${cfg.scan}`);
  }
  figures.stallScan = scan;
  const blob = bytes(cfg.blob, r + 5);
  figures.stallBlob = await measureStall(() => db.putBlob('stall/blob', blob));
  if ((await db.getBlob('stall/blob'))?.length !== cfg.blob) throw new Error(`stall ${kind}: getBlob: not the ${cfg.blob} bytes put`);
  const total = cfg.syncExecs * cfg.syncPerExec;
  const sync = await measureStall(() => m.sync(a, b));
  if (sync.value.toB !== total || sync.value.toA !== 0) throw new Error(`stall ${kind}: sync: toA ${sync.value.toA}, toB ${sync.value.toB}, want 0 and ${total}`);
  figures.stallSync = sync;
  await c.drop(name, db);
  await c.drop(nameB, b);
  for (const [metric, f] of Object.entries(figures)) {
    record(st, metric, kind, f.stall);
    record(st, `${metric}Call`, kind, f.ms);
  }
  progress(`stall ${kind} run ${r + 1}: ${Object.entries(figures).map(([k, f]) => `${k.slice(5).toLowerCase()} ${f.stall.toFixed(0)} ms (call ${f.ms.toFixed(0)} ms)`).join(', ')}`);
}

async function dropStall() {
  for (const [kind, a] of syncSources) {
    await a.close();
    await deleteDatabase(`bench-stall-synca-${kind}`);
  }
  syncSources.clear();
  stallBatch = null;
}

// ---- the editing trace: idbsync beside Yjs + y-indexeddb (issue #15) ----

let yjsModules = null;
/** Yjs and y-indexeddb, by the bare names web/bench/index.html's import map resolves. */
function loadYjs() {
  yjsModules ??= Promise.all([import('yjs'), import('y-indexeddb')])
    .then(([Y, { IndexeddbPersistence }]) => ({ Y, IndexeddbPersistence }));
  return yjsModules;
}

/** A deterministic generator of numbers in [0, 1) (xorshift32 of seed). */
function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

/** The one-character values of the trace. */
const CHARS = 'abcdefghijklmnopqrstuvwxyz ';

/** The trace of the config it was built for, built once per page (untimed). */
let traceData = null;

/**
 * The editing trace of cfg ({ops, writers, deletes, batch}): for each writer
 * its ops in batches of at most batch. A writer's op deletes one of its own
 * live keys (picked at random) with probability deletes while it has one,
 * else inserts a fresh key with a one-character value. A writer deletes only
 * keys it has seen: its own, as the writers do not sync while they write (a
 * Y.Map ignores a delete of a key it does not hold, so deleting another
 * writer's keys would not be the same work). Seeded: every contender and run
 * writes the same ops. Also: the number of live keys at the end, a live key
 * with its value and a deleted key, for the checks.
 */
function traceOf(cfg, quiet = false) {
  const id = JSON.stringify(cfg);
  if (traceData?.id === id) return traceData;
  const { ops, writers, deletes, batch } = cfg;
  const batches = [];
  let live = 0;
  let dels = 0;
  let probe;
  let gone;
  for (let w = 0; w < writers; w++) {
    const rand = prng(0x9e3779b9 ^ ((w + 1) * 2654435761));
    const n = Math.floor(ops / writers) + (w < ops % writers ? 1 : 0);
    const alive = []; // this writer's live keys, and their values
    const values = new Map();
    const list = [];
    let fresh = 0;
    for (let i = 0; i < n; i++) {
      if (alive.length > 0 && rand() < deletes) {
        const j = Math.floor(rand() * alive.length);
        const key = alive[j];
        alive[j] = alive[alive.length - 1];
        alive.pop();
        values.delete(key);
        gone ??= key;
        dels++;
        list.push({ del: key });
      } else {
        const key = `${w}/${(fresh++).toString(36)}`;
        const value = CHARS[Math.floor(rand() * CHARS.length)];
        alive.push(key);
        values.set(key, value);
        list.push({ put: key, value });
      }
    }
    live += alive.length;
    if (w === 0) probe = { key: alive[alive.length >> 1], value: values.get(alive[alive.length >> 1]) };
    const out = [];
    for (let i = 0; i < list.length; i += batch) out.push(list.slice(i, i + batch));
    batches.push(out);
  }
  traceData = { id, batches, ops, live, deletes: dels, probe, gone };
  if (!quiet) progress(`editing trace: ${ops} ops (${ops - dels} inserts, ${dels} deletes, ${live} keys live at the end) by ${writers} writers, ${batches.reduce((s, b) => s + b.length, 0)} batches`);
  return traceData;
}

const traceName = (kind, what) => `bench-trace-${kind}-${what}`;

/**
 * The barrier of a y-indexeddb persistence: a readwrite transaction on its
 * updates store, awaited. Transactions whose scopes overlap run in the order
 * they were created, so it completes once every write y-indexeddb queued
 * before it (its doc's update handler adds each update in a transaction of
 * its own) has committed.
 */
function yjsFlushed(p) {
  return done(p.db.transaction(['updates'], 'readwrite'));
}

/** A Y.Doc persisted by y-indexeddb in name, once its (empty) stored state is read. */
async function yjsDoc(name) {
  const { Y, IndexeddbPersistence } = await loadYjs();
  const doc = new Y.Doc();
  const p = new IndexeddbPersistence(name, doc);
  await p.whenSynced;
  return { doc, p };
}

/**
 * A one-way pull of dst from src, which the JS API has no call for (sync()
 * goes both ways): what syncer.Pull does, through the public calls. For each
 * peer of src's cursors that dst lacks, readSince pages of at most pageSize
 * from src, each applied to dst (one transaction a page). Resolves to the
 * entries dst applied.
 */
async function pull(dst, src, pageSize = 1000) {
  const mine = await dst.cursors();
  const theirs = await src.cursors();
  let applied = 0;
  for (const [peer, to] of Object.entries(theirs)) {
    for (let from = Number(mine[peer] ?? 0); from < Number(to); from += pageSize) {
      const res = await dst.apply(await src.readSince(peer, from, Math.min(pageSize, Number(to) - from)));
      applied += res.applied;
    }
  }
  return applied;
}

/**
 * One run of the editing trace with kind ('idbsync' in its default mode, or
 * 'yjs'), on fresh databases: the writers apply their batches, all writers
 * at once (each awaits its batch before the next), timed from the first
 * batch until every writer's last is in IndexedDB; then a fresh replica
 * pulls every writer's ops, one writer after the other, timed until they are
 * in IndexedDB. The last run's replica stays for the cold starts. In the
 * first trace.syncRuns runs idbsync then does the pull again with sync()
 * (traceSync).
 */
async function traceRun(st, kind, r) {
  const cfg = st.config.trace;
  const data = traceOf(cfg);
  const names = data.batches.map((_, w) => traceName(kind, `w${w}`));
  const replicaName = traceName(kind, 'replica');
  for (const name of [...names, replicaName]) await deleteDatabase(name); // an earlier run's, or a failed attempt's
  let writeMs;
  let pullMs;
  if (kind === 'idbsync') {
    const m = await importIdbsync();
    const writers = [];
    for (const name of names) writers.push(await m.open(openOptions(name, { durability: 'relaxed' })));
    const t0 = performance.now();
    await Promise.all(writers.map(async (db, w) => {
      for (const batch of data.batches[w]) await db.exec(batch);
    }));
    writeMs = performance.now() - t0;
    const replica = await m.open(openOptions(replicaName, { durability: 'relaxed' }));
    let pulled = 0;
    const t1 = performance.now();
    for (const db of writers) pulled += await pull(replica, db);
    pullMs = performance.now() - t1;
    // Checks (untimed): every entry pulled, the replica reads what was written.
    const cursors = await replica.cursors();
    const sum = Object.values(cursors).reduce((s, x) => s + Number(x), 0);
    const got = await replica.get(data.probe.key);
    const stale = await replica.get(data.gone);
    if (pulled !== data.ops || sum !== data.ops) throw new Error(`trace idbsync: pulled ${pulled}, cursors sum to ${sum}, want ${data.ops}`);
    if (new TextDecoder().decode(got) !== data.probe.value || stale !== undefined) {
      throw new Error(`trace idbsync: the replica reads ${data.probe.key} = ${got} and ${data.gone} = ${stale}, want ${data.probe.value} and undefined`);
    }
    // The same pull with sync(), both ways (it changes the writers: last),
    // in the first syncRuns runs: it takes about twice the pull.
    if (r < (cfg.syncRuns ?? st.config.runs)) await traceSync(st, writers, data, r);
    for (const [w, db] of writers.entries()) await idbsync.drop(names[w], db);
    await replica.close();
  } else {
    const { Y } = await loadYjs();
    const writers = [];
    for (const name of names) writers.push(await yjsDoc(name));
    const t0 = performance.now();
    await Promise.all(writers.map(async ({ doc, p }, w) => {
      const map = doc.getMap('trace');
      for (const batch of data.batches[w]) {
        doc.transact(() => {
          for (const op of batch) {
            if (op.del !== undefined) map.delete(op.del);
            else map.set(op.put, op.value);
          }
        });
        await yjsFlushed(p);
      }
    }));
    writeMs = performance.now() - t0;
    const replica = await yjsDoc(replicaName);
    const t1 = performance.now();
    for (const { doc } of writers) Y.applyUpdate(replica.doc, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(replica.doc)));
    await yjsFlushed(replica.p);
    pullMs = performance.now() - t1;
    const map = replica.doc.getMap('trace');
    if (map.size !== data.live || map.get(data.probe.key) !== data.probe.value || map.has(data.gone)) {
      throw new Error(`trace yjs: the replica holds ${map.size} keys (want ${data.live}), ${data.probe.key} = ${map.get(data.probe.key)} (want ${data.probe.value}), ${data.gone} ${map.has(data.gone) ? 'present' : 'absent'} (want absent)`);
    }
    for (const [w, { doc, p }] of writers.entries()) {
      await p.destroy();
      doc.destroy();
      await deleteDatabase(names[w]);
    }
    await replica.p.destroy();
    replica.doc.destroy();
  }
  record(st, 'traceWrite', kind, data.ops / (writeMs / 1000));
  record(st, 'tracePull', kind, data.ops / (pullMs / 1000));
  if (r < st.config.runs - 1) await deleteDatabase(replicaName);
  progress(`trace ${kind} run ${r + 1}: writers ${Math.round(data.ops / (writeMs / 1000))} ops/s (${Math.round(writeMs)} ms), pull ${Math.round(data.ops / (pullMs / 1000))} ops/s (${Math.round(pullMs)} ms)`);
}

/**
 * The trace's pull again with sync(replica, writer) for each writer in turn,
 * into another fresh replica: sync goes both ways, so each writer also
 * receives what the replica got from the writers before it. Records the
 * ops that reached the replica ÷ time, and how many went to the writers.
 */
async function traceSync(st, writers, data, r) {
  const m = await importIdbsync();
  const name = traceName('idbsync', 'sync-replica');
  await deleteDatabase(name);
  const replica = await m.open(openOptions(name, { durability: 'relaxed' }));
  let toA = 0;
  let toB = 0;
  const t0 = performance.now();
  for (const db of writers) {
    const res = await m.sync(replica, db);
    toA += res.toA;
    toB += res.toB;
  }
  const ms = performance.now() - t0;
  await idbsync.drop(name, replica);
  if (toA !== data.ops) throw new Error(`trace idbsync: sync() brought ${toA} entries to the replica, want ${data.ops}`);
  record(st, 'tracePullSync', 'idbsync', data.ops / (ms / 1000));
  record(st, 'tracePullSyncToWriters', 'idbsync', toB);
  progress(`trace idbsync run ${r + 1}: sync(replica, writer) × ${writers.length}: ${Math.round(data.ops / (ms / 1000))} ops/s into the replica (${Math.round(ms)} ms; ${toB} entries to the writers as well)`);
}

/**
 * One cold start of the trace's replica in this (fresh) page, module load
 * included: idbsync imports idbsync.js, opens the replica (the first open()
 * starts the shared worker, which loads the module) and reads its cursors,
 * then one get (untimed: a check). Yjs imports yjs and y-indexeddb, creates
 * a Y.Doc with an IndexeddbPersistence on the replica and waits for
 * whenSynced, after which the map is readable (one get inside the time).
 */
async function traceCold(st, kind, r) {
  const data = traceOf(st.config.trace, true);
  const name = traceName(kind, 'replica');
  let ms;
  let load;
  let opened; // idbsync: until open() resolved
  if (kind === 'idbsync') {
    const t0 = performance.now();
    const m = await importIdbsync();
    load = performance.now() - t0;
    const db = await m.open(openOptions(name, { durability: 'relaxed' }));
    opened = performance.now() - t0;
    const cursors = await db.cursors();
    ms = performance.now() - t0;
    const got = await db.get(data.probe.key);
    const sum = Object.values(cursors).reduce((s, x) => s + Number(x), 0);
    const before = sessionStorage.getItem(WORKER);
    sessionStorage.setItem(WORKER, db.instance);
    const worker = db.worker;
    await db.close();
    if (sum !== data.ops || new TextDecoder().decode(got) !== data.probe.value) {
      throw new Error(`trace cold idbsync: cursors sum to ${sum} (want ${data.ops}), ${data.probe.key} = ${got} (want ${data.probe.value})`);
    }
    if (worker !== 'shared') throw new Error(`trace cold idbsync: engine.worker is ${worker}, want 'shared' (the default)`);
    if (before === db.instance) throw new Error('trace cold idbsync: the shared worker outlived the reload (not a cold start)');
  } else {
    const t0 = performance.now();
    const { Y, IndexeddbPersistence } = await loadYjs();
    load = performance.now() - t0;
    const doc = new Y.Doc();
    const p = new IndexeddbPersistence(name, doc);
    await p.whenSynced;
    const got = doc.getMap('trace').get(data.probe.key);
    ms = performance.now() - t0;
    const size = doc.getMap('trace').size;
    await p.destroy();
    doc.destroy();
    if (size !== data.live || got !== data.probe.value) {
      throw new Error(`trace cold yjs: ${size} keys (want ${data.live}), ${data.probe.key} = ${got} (want ${data.probe.value})`);
    }
  }
  record(st, 'traceCold', kind, ms);
  record(st, 'traceColdImport', kind, load);
  if (opened !== undefined) record(st, 'traceColdOpen', kind, opened);
  progress(`trace cold ${kind} run ${r + 1}: ${ms.toFixed(0)} ms (the import ${load.toFixed(0)} ms${opened === undefined ? '' : `, then open() ${(opened - load).toFixed(0)} ms, then cursors() ${(ms - opened).toFixed(0)} ms`})`);
}

async function traceDrop() {
  for (const kind of ['idbsync', 'yjs']) await deleteDatabase(traceName(kind, 'replica'));
  await deleteDatabase(traceName('idbsync', 'sync-replica'));
  traceData = null;
}

// ---- memory (bench/run.mjs opens tabs and reads the OS's figures) ----

/**
 * One of the tabs of bench/run.mjs's memory figure: opens name with kind
 * ('idbsync': its default mode, 'inpage': worker false, 'raw': plain
 * IndexedDB), writes writes ops of 100 bytes, one exec (one transaction)
 * each, and keeps the database open. Resolves to where the engine runs and
 * whether this page loaded the Go module.
 */
async function memoryTab({ kind, name, tab, writes, wasm }) {
  wasmURL = wasm;
  const c = contenders[kind];
  const db = await c.open(name);
  globalThis.benchMemoryDb = db;
  for (let i = 0; i < writes; i++) await c.write(db, { peer: `tab-${tab}`, idx: i, key: `tab/${tab}/${i}`, value: bytes(100, tab * 1000 + i) });
  return { worker: kind === 'raw' ? null : db.worker, module: globalThis.__idbsync !== undefined };
}

// ---- the plan ----

const steps = {
  clean, coldSetup, coldDrop, dropIngest, dropStall, meta, traceDrop,
  trace: (st, s) => traceRun(st, s.kind, s.run),
  traceCold: (st, s) => traceCold(st, s.kind, s.run),
  stall: (st, s) => stallRun(st, s.kind, s.run),
  cold: (st, s) => coldMeasure(st, s.kind, s.size, s.run),
  ingest: (st, s) => ingestRun(st, s.kind, s.run),
  read: (st, s) => readRun(st, s.kind, s.run),
  writes: (st, s) => writesRun(st, s.kind, s.run),
  blobs: (st, s) => blobsRun(st, s.kind, s.run),
  pairs: (st, s) => pairsRun(st, s.kind, s.run),
};

/**
 * The steps of a run of cfg: its workloads in order, or only those named in
 * cfg.only (e.g. ['trace']), of 'ingest' (and the catch-up read), 'writes',
 * 'blobs', 'pairs', 'stall', 'trace' and 'cold'.
 */
function plan(cfg) {
  const runs = [...Array(cfg.runs).keys()];
  const each = (fn, kinds, n = runs) => n.flatMap((run) => rotated(run, kinds).map((kind) => ({ fn, kind, run })));
  const workloads = {
    ingest: [...each('ingest'), ...each('read'), { fn: 'dropIngest' }],
    writes: each('writes'),
    blobs: each('blobs'),
    pairs: each('pairs', ['raw', 'dexie']),
    stall: [...each('stall', ['idbsync', 'inpage'], [...Array(cfg.stall?.runs ?? cfg.runs).keys()]), { fn: 'dropStall' }],
    trace: [
      ...each('trace', ['idbsync', 'yjs']),
      ...runs.flatMap((run) => rotated(run, ['idbsync', 'yjs']).map((kind) => ({ fn: 'traceCold', kind, run, reload: true }))),
      { fn: 'traceDrop' },
    ],
    // Last: its setup writes and its cleanup deletes the most, which keeps
    // the browser's storage busy for a while.
    cold: [
      { fn: 'coldSetup' },
      ...runs.flatMap((run) => ['L', 'S'].flatMap((size) => rotated(run).map((kind) => ({ fn: 'cold', kind, size, run, reload: true })))),
      { fn: 'coldDrop' },
    ],
  };
  const only = cfg.only ?? Object.keys(workloads);
  for (const w of only) if (!workloads[w]) throw new Error(`config.only: no workload ${JSON.stringify(w)} (there are ${Object.keys(workloads).join(', ')})`);
  return [{ fn: 'clean' }, { fn: 'meta' }, ...Object.keys(workloads).filter((w) => only.includes(w)).flatMap((w) => workloads[w])];
}

/** Set by the Stop button: the run ends after the step in progress. */
let stopRequested = false;

/** Starts a run with cfg (DEFAULTS, QUICK, or either with overrides). */
export function start(cfg = DEFAULTS) {
  stopRequested = false;
  const st = { config: cfg, plan: plan(cfg), step: 0, reloaded: false, results: {}, started: Date.now() };
  saveState(st);
  void drive();
}

/**
 * Carries on the plan in sessionStorage from where it is. A step that fails
 * is tried once more (a fresh database; a cold start after a new reload),
 * and its error kept in the results; a second failure ends the run.
 */
async function drive() {
  const st = loadState();
  if (!st) return;
  wasmURL = st.config.wasm;
  try {
    while (st.step < st.plan.length) {
      if (stopRequested) {
        sessionStorage.removeItem(STATE);
        report({ type: 'stopped', text: 'stopped' });
        return;
      }
      const s = st.plan[st.step];
      if (s.reload && !st.reloaded) {
        st.reloaded = true;
        saveState(st);
        location.reload();
        return;
      }
      st.reloaded = false;
      try {
        await steps[s.fn](st, s);
      } catch (err) {
        const what = `${s.fn}${s.kind ? ` ${s.kind}` : ''}${s.size ? ` ${s.size}` : ''}${s.run !== undefined ? ` run ${s.run + 1}` : ''}`;
        (st.errors ??= []).push({ step: what, error: `${err?.code ?? ''} ${err?.message ?? err}`.trim() });
        if (s.failed) throw err;
        s.failed = true;
        progress(`${what} failed, trying it once more in 5 s: ${err?.stack ?? err}`);
        saveState(st);
        await sleep(5000);
        continue;
      }
      st.step++;
      saveState(st);
    }
  } catch (err) {
    sessionStorage.removeItem(STATE);
    const text = `${err?.stack ?? err}`;
    console.error('bench failed:', err);
    report({ type: 'error', text });
    return;
  }
  sessionStorage.removeItem(STATE);
  const out = { config: st.config, results: st.results, errors: st.errors ?? [], meta: st.meta, seconds: (Date.now() - st.started) / 1000 };
  localStorage.setItem(LAST, JSON.stringify(out));
  report({ type: 'done', ...out });
}

// ---- the page ----

function render(out) {
  const el = document.getElementById('table');
  if (!el || !out) return;
  const rows = buildRows(out.results, { config: out.config, sizes: out.sizes, go: out.go });
  const dexieLabel = out.meta?.dexie ? `Dexie ${out.meta.dexie}` : 'Dexie';
  const { header, body } = tableCells(rows, { idbsync: 'idbsync', raw: 'raw IndexedDB', dexie: dexieLabel, yjs: 'Yjs' });
  const table = document.createElement('table');
  const tr = (cells, tag) => {
    const row = document.createElement('tr');
    for (const [i, c] of cells.entries()) {
      const td = document.createElement(tag);
      td.textContent = c;
      if (isFigureColumn(i)) td.className = 'num';
      if (i === cells.length - 1 && c === 'NO') td.className = 'missed';
      row.append(td);
    }
    return row;
  };
  table.createTHead().append(tr(header, 'th'));
  const tbody = table.createTBody();
  for (const r of body) tbody.append(tr(r, 'td'));
  const notes = document.createElement('ul');
  for (const r of rows.filter((row) => row.note)) {
    const li = document.createElement('li');
    li.className = 'note';
    li.textContent = `${r.workload}: ${r.note}`;
    notes.append(li);
  }
  el.replaceChildren(table, notes);
  document.getElementById('when').textContent =
    `idbsync ${out.meta?.idbsync ?? '?'}, ${dexieLabel}, ${out.config.runs} runs a figure (median ±half the range), ` +
    `${Math.round(out.seconds)} s. ${out.meta?.userAgent ?? ''}`;
  console.log(formatText(rows));
}

function ui() {
  const log = document.getElementById('log');
  if (!log) return;
  listeners.add((msg) => {
    if (msg.type === 'progress' || msg.type === 'error') {
      log.textContent += `${msg.text}\n`;
      log.scrollTop = log.scrollHeight;
    }
    if (msg.type === 'done') render(msg);
    document.body.dataset.state = msg.type === 'progress' ? 'running' : msg.type === 'stopped' ? 'idle' : msg.type;
  });
  const running = loadState();
  document.body.dataset.state = running ? 'running' : 'idle';
  for (const btn of document.querySelectorAll('button[data-run]')) {
    btn.addEventListener('click', () => {
      log.textContent = '';
      start(btn.dataset.run === 'quick' ? QUICK : DEFAULTS);
    });
  }
  document.getElementById('stop')?.addEventListener('click', () => {
    stopRequested = true;
    sessionStorage.removeItem(STATE);
    log.textContent += 'stopping after the step in progress\n';
  });
  if (!running) render(JSON.parse(localStorage.getItem(LAST) ?? 'null'));
}

globalThis.idbsyncBench = { start, memoryTab, DEFAULTS, QUICK };

ui();
// A run in progress carries on (after a cold-start reload: measures at once).
if (loadState()) void drive();
