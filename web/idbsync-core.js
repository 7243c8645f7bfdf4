// What web/idbsync.js (the page's entry point) and web/idbsync-worker.js (the
// worker that hosts the engine) share: the error class and codes, and the
// loader of the Go module. Not an entry point of the package.
import './wasm_exec.js';

/** The stable error codes (also in idbsync.d.ts, which says what each means). */
export const codes = Object.freeze([
  'CURSOR_MISMATCH', 'FORKED', 'UNIQUE_VIOLATION', 'CONFLICT', 'CLOCK_SKEW', 'QUOTA_EXCEEDED',
  'CLOSED', 'BLOCKED', 'CORRUPT', 'INVALID_ARGUMENT', 'UNAVAILABLE', 'UNAUTHENTICATED',
  'PERMISSION_DENIED', 'INTERNAL',
]);

/**
 * What every idbsync call rejects with or throws: an Error with a stable
 * code (one of codes), a readable message and, when another error caused it
 * (a failed fetch, a transport's rejection, a throwing hook), that error as
 * cause. A CURSOR_MISMATCH also has expected and actual.
 */
export class IdbsyncError extends Error {
  /**
   * @param {string} code one of codes
   * @param {string} message
   * @param {{cause?: unknown}} [options]
   */
  constructor(code, message, options) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
  }
}
IdbsyncError.prototype.name = 'IdbsyncError';

/** A new IdbsyncError whose message starts with "idbsync: ". */
export function fail(code, message, cause) {
  return new IdbsyncError(code, `idbsync: ${message}`, cause === undefined ? undefined : { cause });
}

/** The fields besides code and message that an error of ours may carry. */
export const errorFields = ['expected', 'actual', 'peer', 'side', 'idx'];

/**
 * err as an IdbsyncError: one already is; an Error of the Go module (a plain
 * Error with a code) keeps its message, code, expected and actual; anything
 * else becomes the cause of one with code fallback.
 */
export function asError(err, fallback = 'INTERNAL') {
  if (err instanceof IdbsyncError) return err;
  const known = typeof err?.code === 'string' && codes.includes(err.code);
  const message = typeof err?.message === 'string' ? err.message : String(err);
  const out = new IdbsyncError(known ? err.code : fallback, message, known ? undefined : { cause: err });
  if (err !== null && typeof err === 'object') {
    for (const f of errorFields) {
      if (err[f] !== undefined) out[f] = err[f];
    }
  }
  return out;
}

/**
 * An error as plain data that crosses a MessagePort (a structured clone of
 * an Error keeps neither its code nor its fields): code, message, the
 * fields, and what an incomplete sync adds (errors, toA, toB, keysA, keysB).
 */
export function errorData(err) {
  const out = {
    code: typeof err?.code === 'string' ? err.code : undefined,
    message: typeof err?.message === 'string' ? err.message : String(err),
  };
  if (err === null || typeof err !== 'object') return out;
  for (const f of [...errorFields, 'toA', 'toB', 'keysA', 'keysB']) {
    if (err[f] !== undefined) out[f] = err[f];
  }
  if (Array.isArray(err.errors)) out.errors = err.errors.map(errorData);
  return out;
}

/** The Error that errorData(err) described, with the same fields (a code unknown here stays for asError to judge). */
export function dataError(d) {
  const e = new Error(typeof d?.message === 'string' ? d.message : 'idbsync: the worker failed');
  if (d === null || typeof d !== 'object') return e;
  for (const f of ['code', ...errorFields, 'toA', 'toB', 'keysA', 'keysB']) {
    if (d[f] !== undefined) e[f] = d[f];
  }
  if (Array.isArray(d.errors)) e.errors = d.errors.map(dataError);
  return e;
}

// ---- packing keyed records (jsbridge/records.go) ----

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

const VALUE = 1;
const ABSENT = 2;

// A lone surrogate has no UTF-8 form: TextEncoder writes U+FFFD for it, so
// two different keys would be stored as one.
export const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const wellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (s) => s.isWellFormed()
  : (s) => !loneSurrogate.test(s);

/**
 * Packs [{key, value?}] (value undefined: a key alone; a string value is
 * packed as its UTF-8 bytes).
 */
export function pack(records) {
  const keys = records.map((r) => encoder.encode(r.key));
  const values = records.map((r) => (typeof r.value === 'string' ? encoder.encode(r.value) : r.value));
  let size = 0;
  for (let i = 0; i < records.length; i++) {
    size += 5 + keys[i].length + (values[i] === undefined ? 0 : 4 + values[i].length);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let off = 0;
  for (let i = 0; i < records.length; i++) {
    const v = values[i];
    out[off] = v === undefined ? ABSENT : VALUE;
    view.setUint32(off + 1, keys[i].length);
    out.set(keys[i], off + 5);
    off += 5 + keys[i].length;
    if (v !== undefined) {
      view.setUint32(off, v.length);
      out.set(v, off + 4);
      off += 4 + v.length;
    }
  }
  return out;
}

/** Unpacks records into [{key, value?}]; values are copies. */
export function unpack(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let off = 0; off < bytes.length;) {
    const tag = bytes[off];
    const klen = view.getUint32(off + 1);
    const key = decoder.decode(bytes.subarray(off + 5, off + 5 + klen));
    off += 5 + klen;
    if (tag === VALUE) {
      const vlen = view.getUint32(off);
      out.push({ key, value: bytes.slice(off + 4, off + 4 + vlen) });
      off += 4 + vlen;
    } else {
      out.push({ key });
    }
  }
  return out;
}

// ---- loading the module, once per realm (a page or a worker) ----

let loading = null;
let mod = null;

/**
 * Loads the module once per page or worker (open() does it where the
 * engine runs). opts.wasm: where idbsync.wasm is, if not beside this file.
 * @param {{wasm?: string | URL}} [opts]
 */
export function load(opts = {}) {
  loading ??= (async () => {
    // A literal URL, so that a bundler finds the file and copies it.
    const wasmURL = opts.wasm === undefined ? new URL('./idbsync.wasm', import.meta.url) : new URL(opts.wasm, globalThis.location?.href);
    const go = new globalThis.Go();
    const ready = new Promise((resolve) => { globalThis.__idbsyncReady = resolve; });
    let instance;
    try {
      ({ instance } = await WebAssembly.instantiateStreaming(fetch(wasmURL), go.importObject));
    } catch (err) {
      // A TypeError: a server that does not send application/wasm, or a
      // failed fetch; compiling from the bytes tells which. Anything else is
      // the module's own failure, and compiling again would not help.
      if (!(err instanceof TypeError)) throw compileError(wasmURL, err);
      instance = await instantiate(wasmURL, go.importObject);
    }
    go.run(instance).then(() => { mod = null; loading = null; });
    await ready;
    mod = globalThis.__idbsync;
    delete globalThis.__idbsyncReady;
    return mod;
  })();
  loading.catch(() => { loading = null; });
  return loading;
}

/** Fetches and instantiates the module from its bytes; failures are IdbsyncErrors. */
async function instantiate(url, imports) {
  const unreachable = (err) => fail('UNAVAILABLE', `load: ${url} could not be fetched: ${err?.message ?? err}`, err);
  let res;
  let bytes;
  try {
    res = await fetch(url);
  } catch (err) {
    throw unreachable(err);
  }
  if (!res.ok) throw fail('UNAVAILABLE', `load: ${url} answered HTTP ${res.status}`);
  try {
    bytes = await res.arrayBuffer();
  } catch (err) {
    throw unreachable(err);
  }
  try {
    return (await WebAssembly.instantiate(bytes, imports)).instance;
  } catch (err) {
    throw compileError(url, err);
  }
}

/**
 * The IdbsyncError of a module that failed to compile or instantiate: a
 * Content-Security-Policy without 'wasm-unsafe-eval' forbids it
 * (PERMISSION_DENIED), else the file is not the module (CORRUPT).
 */
function compileError(url, err) {
  const message = `${err?.message ?? err}`;
  if (/Content.Security.Policy|wasm-unsafe-eval/i.test(message)) {
    return fail('PERMISSION_DENIED', `load: this page's Content-Security-Policy does not allow compiling WebAssembly: add 'wasm-unsafe-eval' to script-src (${message})`, err);
  }
  return fail('CORRUPT', `load: ${url} is not the idbsync module: ${message}`, err);
}

/** The module loaded in this realm, or null. */
export function loaded() { return mod; }

/** An unguessable id: 122 random bits. */
export function randomId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Holds the Web Lock name until release resolves; resolves once it is held.
 * A context's locks die with it, so whoever waits for the lock learns that
 * the holder is gone.
 */
export function holdLock(name, release) {
  return new Promise((held, failed) => {
    navigator.locks.request(name, () => { held(); return release; }).catch(failed);
  });
}

/** Calls gone once the holder of the Web Lock name is gone (the lock is granted here, then freed). */
export function whenGone(name, gone) {
  navigator.locks.request(name, () => { gone(); }).catch(() => {});
}

/**
 * The ArrayBuffers of v (a Uint8Array, or an object with Uint8Array fields)
 * that can be transferred: those a view covers whole.
 */
export function transferables(v) {
  const out = [];
  const add = (x) => {
    if (x instanceof Uint8Array && x.byteOffset === 0 && x.byteLength === x.buffer.byteLength && !out.includes(x.buffer)) out.push(x.buffer);
  };
  add(v);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) for (const k of Object.keys(v)) add(v[k]);
  return out;
}
