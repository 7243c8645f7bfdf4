// Shared helpers of crash.test.mjs and converge.test.mjs: pages with
// in-page helpers, killing a renderer (CDP Page.crash) or a whole browser
// (SIGKILL of a persistent profile's process), and the LWW model.
import { mode } from './lib.mjs';
import { chromium } from 'playwright-core';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** The same flags as tests/browser.mjs. */
export const chromiumArgs = [
  '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/**
 * Helpers installed in every page (an init script, so they survive reloads),
 * as globalThis.H. Runs in the browser: it may use nothing from here.
 */
function pageHelpers(mode) {
  const enc = new TextEncoder();
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
  const H = {
    /**
     * The module, its Go module loaded in this page too (for decode), with
     * open() running engines where the suite says (see lib.mjs's mode).
     */
    async mod() {
      const m = await import('/idbsync.js');
      await m.load();
      if (mode === undefined) return m;
      return { ...m, open: (o) => m.open('worker' in o ? o : { ...o, worker: mode }) };
    },
    hex,
    async sha(bytes) { return hex(await crypto.subtle.digest('SHA-256', bytes)); },
    /** SHA-256 over the rows (length-prefixed keys and values), and their count. */
    async digestRows(rows) {
      let size = 0;
      const keys = rows.map((r) => enc.encode(r.key));
      for (let i = 0; i < rows.length; i++) size += 8 + keys[i].length + rows[i].value.length;
      const buf = new Uint8Array(size);
      const view = new DataView(buf.buffer);
      let off = 0;
      for (let i = 0; i < rows.length; i++) {
        view.setUint32(off, keys[i].length); buf.set(keys[i], off + 4); off += 4 + keys[i].length;
        view.setUint32(off, rows[i].value.length); buf.set(rows[i].value, off + 4); off += 4 + rows[i].value.length;
      }
      return `${rows.length}:${hex(await crypto.subtle.digest('SHA-256', buf))}`;
    },
    /** n deterministic pseudo-random bytes of seed (xorshift32). */
    bytes(n, seed) {
      const words = new Uint32Array(Math.ceil(n / 4));
      let x = (seed >>> 0) || 1;
      for (let i = 0; i < words.length; i++) {
        x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        words[i] = x;
      }
      return new Uint8Array(words.buffer, 0, n);
    },
    bigKey: (i) => `big/${String(i).padStart(5, '0')}`,
    /** The 100-byte value of big/ key i. */
    bigValue: (i) => `${H.bigKey(i)}=`.padEnd(100, String.fromCharCode(97 + (i % 26))),
    bigOps(n) {
      const ops = new Array(n);
      for (let i = 0; i < n; i++) ops[i] = { put: H.bigKey(i), value: H.bigValue(i) };
      return ops;
    },
    /** Every entry of every peer db knows of, decoded, as JSON-able objects. */
    async entries(db) {
      const m = await H.mod();
      const out = [];
      const cursors = await db.cursors();
      for (const [peer, next] of Object.entries(cursors)) {
        for (let from = 0; from < Number(next);) {
          const batch = m.decode(await db.readSince(peer, from, 5000));
          if (batch.length === 0) throw new Error(`readSince(${peer}, ${from}) is empty below cursor ${next}`);
          for (const e of batch) {
            out.push({
              peer: e.peer, idx: Number(e.idx), ts: e.ts === undefined ? undefined : e.ts.toString(),
              put: e.put, del: e.del, value: e.value === undefined ? undefined : hex(e.value),
              expunged: e.expunged,
            });
          }
          from += batch.length;
        }
      }
      return out;
    },
    /** cursors, scan as [key, hex value], the scan digest. */
    async state(db) {
      const rows = await db.scan();
      return {
        cursors: Object.fromEntries(Object.entries(await db.cursors()).map(([p, n]) => [p, Number(n)])),
        rows: rows.map((r) => [r.key, hex(r.value)]),
        digest: await H.digestRows(rows),
      };
    },
    /** A seeded PRNG (mulberry32): returns a function giving floats in [0, 1). */
    prng(seed) {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6D2B79F5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    },
    /** 1..max random ops (puts and dels) over nkeys keys. */
    randomOps(rand, max = 5, nkeys = 30) {
      const n = 1 + Math.floor(rand() * max);
      const ops = [];
      for (let i = 0; i < n; i++) {
        const key = `k${String(Math.floor(rand() * nkeys)).padStart(2, '0')}`;
        if (rand() < 0.25) {
          ops.push({ del: key });
        } else {
          const len = 1 + Math.floor(rand() * 16);
          let v = '';
          for (let j = 0; j < len; j++) v += String.fromCharCode(33 + Math.floor(rand() * 94));
          ops.push({ put: key, value: v });
        }
      }
      return ops;
    },
  };
  globalThis.H = H;
}

/** Installs the helpers in every page of context (present and future navigations). */
export async function withHelpers(context) {
  await context.addInitScript(pageHelpers, mode);
  return context;
}

/** A new page of context on the empty test page, collecting its errors. */
export async function testPage(context, url, label = 'page') {
  const page = await context.newPage();
  page.errors = [];
  page.crashed = new Promise((ok) => page.once('crash', () => ok(true)));
  page.on('pageerror', (e) => page.errors.push(`${label}: ${e.message}`));
  await page.goto(`${url}test/`);
  return page;
}

/** Kills page's renderer with CDP Page.crash; resolves once the page reports the crash. */
export async function crashPage(context, page) {
  const cdp = await context.newCDPSession(page);
  cdp.send('Page.crash').catch(() => {});
  const crashed = await Promise.race([page.crashed, sleep(10_000).then(() => false)]);
  if (!crashed) throw new Error('the page did not crash within 10 s');
}

/** A fresh profile directory; remove it with rm(dir). */
export async function profileDir(tag) {
  return mkdtemp(path.join(tmpdir(), `idbsync-${tag}-`));
}

export async function removeProfile(dir) {
  await rm(dir, { recursive: true, force: true });
}

/** Launches Chromium on the persistent profile dir, with the page helpers. */
export async function launchProfile(dir) {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
  return withHelpers(context);
}

/** Pids of the processes running with --user-data-dir=dir: [browser, ...children]. */
async function profilePids(dir) {
  const out = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmd;
    try {
      cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0');
    } catch {
      continue; // gone
    }
    if (!cmd.some((a) => a === `--user-data-dir=${dir}`)) continue;
    out.push({ pid: Number(name), browser: !cmd.some((a) => a.startsWith('--type=')) });
  }
  return out;
}

/**
 * SIGKILLs the browser process of the persistent profile dir (its renderers
 * and helpers die with it; any left after a moment are SIGKILLed too, by
 * pid). Resolves once context reports it closed.
 */
export async function killProfile(context, dir) {
  const procs = await profilePids(dir);
  const main = procs.filter((p) => p.browser);
  if (main.length !== 1) throw new Error(`expected one browser process for ${dir}, found ${JSON.stringify(procs)}`);
  const closed = new Promise((ok) => context.once('close', ok));
  process.kill(main[0].pid, 'SIGKILL');
  await Promise.race([closed, sleep(10_000)]);
  for (let i = 0; i < 50; i++) {
    const left = await profilePids(dir);
    if (left.length === 0) return;
    if (i === 20) for (const p of left) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    await sleep(100);
  }
  throw new Error(`processes of ${dir} outlived the kill`);
}

/** Runs fn (a promise) and settles to {ok, value} or {ok: false, error} instead of throwing. */
export async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: String(error?.message ?? error) };
  }
}

/**
 * The LWW model: the live rows the union of entries predicts. Per key the
 * greatest timestamp wins; on a tie a delete beats a write, then the greater
 * value bytes win. Entries: H.entries' objects (values as lowercase hex,
 * whose string order is the bytes' order). Returns [key, hex value] sorted by
 * key (UTF-8 byte order equals code unit order for these ASCII keys).
 */
export function lwwModel(entries) {
  const win = new Map();
  const beats = (a, b) => {
    if (a.ts !== b.ts) return a.ts > b.ts;
    const ad = a.del !== undefined;
    const bd = b.del !== undefined;
    if (ad !== bd) return ad;
    if (ad) return false;
    return a.value > b.value;
  };
  for (const e of entries) {
    if (e.expunged !== undefined) continue;
    const key = e.put ?? e.del;
    const rec = { ts: BigInt(e.ts), del: e.del, value: e.value };
    const cur = win.get(key);
    if (!cur || beats(rec, cur)) win.set(key, rec);
  }
  return [...win].filter(([, r]) => r.del === undefined).map(([k, r]) => [k, r.value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Entries sorted by (peer, idx), for comparing two replicas' logs. */
export function sortEntries(entries) {
  return [...entries].sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : a.idx - b.idx));
}

/** Checks a log holds every index 0..cursor-1 of every peer exactly once. */
export function gaps(entries, cursors) {
  const problems = [];
  const byPeer = new Map();
  for (const e of entries) {
    if (!byPeer.has(e.peer)) byPeer.set(e.peer, []);
    byPeer.get(e.peer).push(e.idx);
  }
  for (const [peer, next] of Object.entries(cursors)) {
    const idx = (byPeer.get(peer) ?? []).sort((a, b) => a - b);
    if (idx.length !== next || idx.some((v, i) => v !== i)) {
      problems.push(`${peer}: ${idx.length} entries for cursor ${next}`);
    }
  }
  return problems;
}
