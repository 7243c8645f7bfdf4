// Shared by the API suites (api, tabs, badinput): a fresh browser context
// per test, pages on the empty test page, and helpers installed in every
// page as globalThis.T (they run in the browser, not in Node).
import { start } from './browser.mjs';

export { start };

/**
 * In-page helpers, installed by an init script before any page script runs.
 * Everything they return crosses back to Node as plain data (arrays instead
 * of Uint8Arrays, strings instead of BigInts) so assert.deepEqual reads well.
 */
function installHelpers(mode) {
  const T = {
    /** Where the suite's engines run unless a test says: undefined (the default), 'dedicated' or false. */
    mode,

    /**
     * The module under test, with open() running engines where the suite
     * says (IDBSYNC_WORKER). With opts.module (the default) it also loads
     * the Go module in this page: decode() is synchronous and needs it here,
     * where open() loads it only with worker: false.
     */
    load: async ({ module = true } = {}) => {
      const m = await import('/idbsync.js');
      T.IdbsyncError = m.IdbsyncError;
      if (module) await m.load();
      if (mode === undefined) return m;
      const open = (o) => m.open(o !== null && typeof o === 'object' && !Array.isArray(o) && !('worker' in o) ? { ...o, worker: mode } : o);
      return { ...m, open };
    },

    /** A Uint8Array as a plain array (undefined stays undefined). */
    arr: (u8) => (u8 === undefined ? undefined : Array.from(u8)),

    /** UTF-8 bytes of a string, as a plain array. */
    utf8: (s) => Array.from(new TextEncoder().encode(s)),

    /** Scan rows as [{key, value: number[]}]. */
    rows: (rows) => rows.map((r) => ({ key: r.key, value: Array.from(r.value) })),

    /** Cursors with BigInts as strings, for deepEqual in Node. */
    cur: (c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === 'bigint' ? `${v}n` : v])),

    /** An entry of decode() with ts as a string and value as an array. */
    entry: (e) => {
      const o = { ...e };
      if (typeof o.ts === 'bigint') o.ts = `${o.ts}`;
      if (typeof o.idx === 'bigint') o.idx = `${o.idx}n`;
      if (o.value !== undefined) o.value = Array.from(o.value);
      return o;
    },

    /** SHA-256 of bytes, hex. */
    sha: async (u8) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', u8)))
      .map((b) => b.toString(16).padStart(2, '0')).join(''),

    /** Deterministic pseudo-random bytes (xorshift32). */
    bytes: (n, seed = 1) => {
      const out = new Uint8Array(n);
      let x = seed >>> 0 || 1;
      for (let i = 0; i < n; i++) {
        x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        out[i] = x & 0xff;
      }
      return out;
    },

    /** The module's IdbsyncError class, once T.load() or T.outcome() imported it. */
    IdbsyncError: undefined,

    /** The error of a rejection or throw as plain data. */
    err: (e) => ({
      isError: e instanceof Error,
      ...(T.IdbsyncError ? { idbsync: e instanceof T.IdbsyncError } : {}),
      code: e?.code,
      message: typeof e?.message === 'string' ? e.message : String(e),
      name: e?.name,
      ...(e?.expected !== undefined ? { expected: `${e.expected}` } : {}),
      ...(e?.actual !== undefined ? { actual: `${e.actual}` } : {}),
      ...(e?.cause !== undefined ? { cause: { name: e.cause?.name, code: e.cause?.code, message: String(e.cause?.message ?? e.cause) } } : {}),
    }),

    /**
     * How a call ends: {kind: 'threw' | 'rejected' | 'resolved' | 'returned'
     * | 'hung', ...}. 'returned' is a synchronous non-Promise result; 'hung'
     * is a Promise still pending after ms (a bound, not a pass condition).
     */
    outcome: async (fn, ms = 10_000) => {
      await T.load({ module: false }); // for T.IdbsyncError
      let p;
      try {
        p = fn();
      } catch (e) {
        return { kind: 'threw', ...T.err(e) };
      }
      if (!(p instanceof Promise)) return { kind: 'returned', type: typeof p };
      let timer;
      const hung = new Promise((resolve) => { timer = setTimeout(() => resolve({ kind: 'hung' }), ms); });
      try {
        return await Promise.race([
          p.then((v) => ({ kind: 'resolved', value: T.show(v) }), (e) => ({ kind: 'rejected', ...T.err(e) })),
          hung,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },

    /** A short printable form of any value. */
    show: (v) => {
      try {
        return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? `Uint8Array(${x.length})` : x))?.slice(0, 200);
      } catch {
        return String(v);
      }
    },

    /**
     * Waits until pred() is truthy (polled), or throws after ms: a bound
     * so that a missing event fails the test instead of hanging it.
     */
    waitFor: async (pred, what, ms = 10_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await pred();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },

    /** Yields to the event loop n times (lets queued callbacks run). */
    settle: async (n = 5) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
    },
  };
  globalThis.T = T;
}

/**
 * Where this suite's engines run: IDBSYNC_WORKER=false (in the page) or
 * dedicated; unset, open()'s default (the shared worker). The files under
 * tests/inpage/ and tests/dedicated/ run suites with it set.
 */
export const mode = ({ false: false, dedicated: 'dedicated', shared: 'shared' })[process.env.IDBSYNC_WORKER ?? ''];

/** A fresh browser context (its own IndexedDB) with the helpers installed. */
export async function newContext(env) {
  const context = await env.browser.newContext();
  await context.addInitScript(installHelpers, mode);
  return context;
}

/**
 * A page of context on the empty test page. Uncaught page errors are
 * collected in page.errors (a test can assert there are none).
 */
export async function openPage(env, context) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${env.url}test/`);
  return page;
}

/** A fresh context and one page on it. */
export async function freshPage(env) {
  const context = await newContext(env);
  const page = await openPage(env, context);
  return { context, page };
}

/** Matches a lowercase uuid. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
