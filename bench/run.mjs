// `make bench`: runs the benchmark page (web/bench/) in headless Chromium,
// adds the module sizes and the Go change-log figure, prints one table and
// writes it as JSON to bench/results/ (a dated file and latest.json).
// Progress goes to stderr, the table to stdout.
//
// It then measures memory: a browser of its own with a few tabs open on one
// database, once per mode (idbsync's shared worker, idbsync in each page,
// plain IndexedDB), and the sum of that browser's processes' resident memory
// as the OS counts it (/proc).
//
// Environment: BENCH_QUICK=1 small sizes (a smoke test; nothing is written),
// BENCH_RUNS=n runs a figure (default 5), BENCH_GO=0 leaves the Record+Remove
// figure to `make bench-go`, BENCH_MEMORY=0 skips the memory figures,
// BENCH_WASM=/dist/other.wasm measures another build of the module (a URL
// path the server serves), BENCH_CONFIG='{"cold": {"large": 10000}}' other
// sizes (merged into the workloads of web/bench/table.js; '{"only":
// ["trace"]}' runs only the workloads named), CHROMIUM=path another browser.
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { serve } from '../web/serve.mjs';
import { DEFAULTS, QUICK, buildRows, formatText } from '../web/bench/table.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const began = Date.now();
const say = (text) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);

const quick = process.env.BENCH_QUICK === '1';
const config = structuredClone(quick ? QUICK : DEFAULTS);
if (process.env.BENCH_RUNS) config.runs = Math.max(1, Number(process.env.BENCH_RUNS));
if (process.env.BENCH_WASM) config.wasm = process.env.BENCH_WASM;
for (const [key, value] of Object.entries(JSON.parse(process.env.BENCH_CONFIG ?? '{}'))) {
  config[key] = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...config[key], ...value } : value;
}
const withGo = process.env.BENCH_GO !== '0';
const withMemory = process.env.BENCH_MEMORY !== '0';
const TIMEOUT_MS = 30 * 60_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Chromium on a new persistent profile under bench/tmp/ (IndexedDB on disk,
 * as in a user's browser); resolves to {context, profile}.
 */
async function launch() {
  const tmp = path.join(root, 'bench', 'tmp');
  await mkdir(tmp, { recursive: true });
  const profile = await mkdtemp(path.join(tmp, 'profile-'));
  // Not browser.newContext(): that is an incognito context, whose
  // IndexedDB lives in memory and makes durability meaningless.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  return { context, profile };
}

/** The page's run, in a persistent profile. */
async function runPage(server) {
  const { context, profile } = await launch();
  try {
    let finish;
    const finished = new Promise((resolve, reject) => { finish = { resolve, reject }; });
    await context.exposeBinding('__benchReport', (_source, msg) => {
      if (msg.type === 'progress') say(msg.text);
      else if (msg.type === 'done') finish.resolve(msg);
      else if (msg.type === 'error') finish.reject(new Error(`the benchmark page failed:\n${msg.text}`));
    });
    const page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (e) => say(`page error: ${e.message}`));
    page.on('crash', () => finish.reject(new Error('the page crashed')));
    const cdp = await context.newCDPSession(page);
    const { product } = await cdp.send('Browser.getVersion');
    await cdp.detach();
    await page.goto(`${server.url}bench/`);
    await page.evaluate((cfg) => globalThis.idbsyncBench.start(cfg), config);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${TIMEOUT_MS / 60_000} min`)), TIMEOUT_MS);
    });
    try {
      return { ...(await Promise.race([finished, timeout])), product };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/**
 * The processes of the browser launched on profile: those whose command
 * line names it as --user-data-dir (the browser, its zygotes, renderers,
 * GPU and utility processes), and their descendants.
 */
async function processesOf(profile) {
  const procs = new Map();
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmdline = (await readFile(`/proc/${d}/cmdline`, 'latin1')).split('\0');
      const stat = await readFile(`/proc/${d}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      procs.set(Number(d), { ppid, mine: cmdline.includes(`--user-data-dir=${profile}`) });
    } catch { /* gone meanwhile */ }
  }
  const mine = new Set([...procs].filter(([, p]) => p.mine).map(([pid]) => pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  return [...mine];
}

/** The sum over pids of Rss and Pss (/proc/PID/smaps_rollup), in MB; and how many processes. */
async function memoryOf(pids) {
  let rss = 0;
  let pss = 0;
  let n = 0;
  for (const pid of pids) {
    try {
      const text = await readFile(`/proc/${pid}/smaps_rollup`, 'latin1');
      const kB = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
      rss += kB('Rss');
      pss += kB('Pss');
      n++;
    } catch { /* gone meanwhile */ }
  }
  return { rss: (rss * 1024) / 1e6, pss: (pss * 1024) / 1e6, processes: n };
}

/**
 * One memory figure: a new browser, config.memory.tabs tabs of the
 * benchmark page each opening one database with kind ('idbsync': its
 * default mode, 'inpage': worker false, 'raw': plain IndexedDB) and
 * writing a little; after a settling pause, the median of three samples of
 * the sum of the browser's processes' memory.
 */
async function runMemory(server, kind) {
  const { tabs, writes } = config.memory;
  const { context, profile } = await launch();
  try {
    const pages = [];
    for (let tab = 0; tab < tabs; tab++) {
      const page = (tab === 0 && context.pages()[0]) || await context.newPage();
      pages.push(page);
      await page.goto(`${server.url}bench/`);
      const got = await page.evaluate((o) => globalThis.idbsyncBench.memoryTab(o), {
        kind, name: 'bench-memory', tab, writes, wasm: config.wasm,
      });
      const want = { idbsync: { worker: 'shared', module: false }, inpage: { worker: false, module: true }, raw: { worker: null, module: false } }[kind];
      if (got.worker !== want.worker || got.module !== want.module) {
        throw new Error(`memory ${kind}, tab ${tab}: engine.worker ${got.worker}, module in the page ${got.module}; want ${want.worker}, ${want.module}`);
      }
    }
    await sleep(3000); // let the tabs and the worker settle
    const samples = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(1000);
      samples.push(await memoryOf(await processesOf(profile)));
    }
    samples.sort((a, b) => a.rss - b.rss);
    return samples[1];
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** The memory figures of every run and mode: {memRss: {kind: MB[]}, memPss: {...}}. */
async function runMemories(server) {
  const kinds = ['idbsync', 'inpage', 'raw'];
  const out = { memRss: {}, memPss: {} };
  for (let r = 0; r < config.memory.runs; r++) {
    for (const kind of kinds.map((_, i) => kinds[(i + r) % kinds.length])) {
      const m = await runMemory(server, kind);
      (out.memRss[kind] ??= []).push(m.rss);
      (out.memPss[kind] ??= []).push(m.pss);
      say(`memory ${kind} run ${r + 1}: ${config.memory.tabs} tabs, ${m.processes} processes, RSS ${m.rss.toFixed(0)} MB, PSS ${m.pss.toFixed(0)} MB`);
    }
  }
  return out;
}

/**
 * The change log's Record + Remove pair, which the JavaScript API does not
 * expose: the Go benchmark in Chromium (wasmbrowsertest), one figure per
 * -count. Returns ms per pair, or null when it could not run.
 */
async function runGo(runs) {
  const gobin = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim() + '/bin';
  const args = ['test', '-run', '^$', '-bench', '^BenchmarkChangelog$', '-benchtime', '50x', '-count', String(runs), './idb/'];
  say(`change log: GOOS=js GOARCH=wasm go ${args.join(' ')}`);
  const out = await new Promise((resolve) => {
    const child = spawn('go', args, {
      cwd: root,
      env: { ...process.env, GOOS: 'js', GOARCH: 'wasm', PATH: `${gobin}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.stderr.on('data', (d) => { text += d; });
    child.on('close', (code) => resolve({ code, text }));
    child.on('error', (err) => resolve({ code: -1, text: String(err) }));
  });
  const ms = [...out.text.matchAll(/BenchmarkChangelog\/RecordRemove\S*\s+\d+\s+([\d.]+) ns\/op/g)].map((m) => Number(m[1]) / 1e6);
  if (out.code !== 0 || ms.length === 0) {
    say(`change log: the Go benchmark failed (exit ${out.code}); the row says "see bench-go"\n${out.text.slice(-2000)}`);
    return null;
  }
  say(`change log: Record+Remove ${ms.map((x) => x.toFixed(1)).join(', ')} ms`);
  return ms;
}

/** Raw, gzip -9 and brotli (quality 11) sizes of a file, in bytes. */
async function sizes(file) {
  const buf = await readFile(file);
  return {
    file: path.relative(root, file),
    raw: buf.length,
    gzip: zlib.gzipSync(buf, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(buf, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}

function machine() {
  const cpus = os.cpus();
  let go = null;
  try { go = execFileSync('go', ['version'], { encoding: 'utf8' }).trim(); } catch { /* no Go */ }
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpu: cpus[0]?.model ?? null,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    go,
    loadavgStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

/** The version of an npm package in node_modules (null if it is not there). */
async function packageVersion(name) {
  try {
    return JSON.parse(await readFile(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** What the table's figures mean, for the printout and the JSON. */
function notes(cfg, meta, versions = {}) {
  const ing = cfg.ingest;
  const tr = cfg.trace;
  return [
    'Durability: strict everywhere but in the editing trace (relaxed, below). raw IndexedDB: transaction(..., {durability: "strict"}); Dexie: new Dexie(name, {chromeTransactionDurability: "strict"}) (checked: its transactions report "strict"); idbsync: its default (strict).',
    'Chromium runs headless on a persistent profile (IndexedDB on disk, not an incognito context). Each run uses a fresh database; the contenders take turns in a rotating order.',
    'Same rows everywhere: per entry a log row keyed [peer, idx] and a state row keyed by the op key. The baselines write them blind, from entries already decoded to objects; idbsync applies wire batches (decoding and checking them included) and reads the state rows it may overwrite (last writer wins) and its heads and clock rows.',
    `Ingest: one transaction per batch (${(ing.peers * ing.perPeer) / ing.batch} batches; idbsync: one apply() of a readSince page each). Local writes: one transaction per write. Catch-up read: idbsync readSince (one encoded wire batch a page) vs getAll / Dexie where().between().limit() over [peer, from…], one peer's entries a page.`,
    'Cold start: each measurement in a freshly reloaded page; the browser process (its IndexedDB backend, the OS file cache) stays warm. The server sends no-store, so module load is a full fetch + compile every time (a first visit). The baselines compute the cursors with a key cursor over the whole log; idbsync reads its heads table (one row per peer).',
    `putBlob: ${cfg.blobs.perRun} puts of each size a run (median). idbsync goes through the change log (record, chunks, manifest, CAS, cleanup); the baselines put the bytes in one transaction.`,
    `Where idbsync runs: its column is its default mode, open() without worker (${meta?.idbsyncWorker === undefined ? 'a shared worker' : `here engine.worker = ${JSON.stringify(meta.idbsyncWorker)}`}): the engine in a SharedWorker, the page holding a proxy over a MessagePort. The ↳ rows under a figure are the same work with open({worker: false}), the Go module on the page's thread, measured in the same rotation.`,
    `Main-thread stall: the longest gap between two turns of a setTimeout(0) loop on the page (clamped to 4 ms once nested: an idle page shows about 4-5 ms) from just before the call until the loop's first turn after it resolved; ${cfg.stall.runs ?? cfg.runs} run${(cfg.stall.runs ?? cfg.runs) === 1 ? '' : 's'} per mode, each on fresh databases. The arguments are built before the window; packing them and the structured clone to the worker are in it. The cold-start stall is over the cold start's own window (one figure per cold page).`,
    `Editing trace (issue #15): idbsync (default mode) beside Yjs ${versions.yjs ?? ''} with y-indexeddb ${versions.yIndexeddb ?? ''}, ${cfg.runs} runs in turns, each on fresh databases. ${tr.ops.toLocaleString('en-US')} ops generated once (seeded, the same for both): ${tr.writers} writers, each deleting one of its own live keys with probability ${tr.deletes} (while it has one) and otherwise inserting a fresh key with a one-character value; batches of ${tr.batch}. Durability relaxed on both sides: open({durability: "relaxed"}); y-indexeddb opens its transactions without a durability, which is Chromium's default, relaxed since Chrome 121. A Yjs figure ends when a readwrite transaction on the doc's updates store, created after the work, completes: IndexedDB runs transactions of overlapping scope in order, so every update y-indexeddb queued before it is committed. Writers: all at once, each awaiting its batch (an exec; a doc.transact and that barrier) before its next. Pull: a fresh replica from each writer in turn (idbsync: a one-way pull, the writer's readSince pages applied to the replica, as sync()'s first half does, the JS API having no pull of its own; the ↳ row: sync(replica, writer), which also sends each writer what the replica got before it; Yjs: the writer's state since the replica's state vector, applied to a Y.Doc persisted by y-indexeddb). Cold start: a freshly reloaded page, the module imports included, to the replica's first read (idbsync: cursors(); Yjs: whenSynced and a get of the map); the Yjs modules load as unbundled ES modules (yjs, y-indexeddb and 36 lib0 files over loopback).`,
    ...(withMemory ? [`Memory: a browser of its own per figure (${cfg.memory.runs} run${cfg.memory.runs === 1 ? '' : 's'} × 3 modes, rotating), ${cfg.memory.tabs} tabs of the benchmark page each opening the same database and writing ${cfg.memory.writes} ops one at a time, 3 s to settle, then the median of 3 samples of the sum over the browser's processes (found by --user-data-dir, and their descendants) of Rss and Pss from /proc/PID/smaps_rollup. RSS counts a page shared by several processes in each of them; PSS divides it among them.`] : []),
  ];
}

async function main() {
  say(`idbsync benchmarks${quick ? ' (BENCH_QUICK: small sizes)' : ''}: ${config.runs} runs a figure; progress below, the table at the end`);
  const mach = machine();
  const wasm = path.join(root, 'dist', 'idbsync.wasm');
  await readFile(wasm).catch(() => { throw new Error('dist/idbsync.wasm is missing: run make build (make bench does)'); });
  const server = await serve();
  let out;
  try {
    out = await runPage(server);
    say(`browser part done in ${Math.round(out.seconds)} s`);
    if (withMemory) Object.assign(out.results, await runMemories(server));
  } finally {
    await server.close();
  }
  const go = withGo ? { recordRemoveMs: await runGo(config.runs) } : {};
  if (go.recordRemoveMs === null) delete go.recordRemoveMs;
  say('module sizes (gzip -9, brotli quality 11)');
  const size = {
    idbsync: await sizes(wasm),
    dexie: await sizes(path.join(root, 'node_modules', 'dexie', 'dist', 'dexie.min.js')),
  };
  const rows = buildRows(out.results, { config, sizes: size, go });
  mach.loadavgEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  const chromiumVersion = /Chrome\/([\d.]+)/.exec(out.product ?? '')?.[1] ?? null;
  const seconds = Math.round((Date.now() - began) / 1000);
  const versions = { yjs: await packageVersion('yjs'), yIndexeddb: await packageVersion('y-indexeddb'), lib0: await packageVersion('lib0') };
  const labels = {
    idbsync: `idbsync ${out.meta?.idbsync ?? ''}`.trim(), raw: 'raw IndexedDB', dexie: `Dexie ${out.meta?.dexie ?? ''}`.trim(),
    yjs: `Yjs ${versions.yjs ?? ''}`.trim(),
  };

  const text = [
    formatText(rows, labels),
    '',
    `Medians of ${config.runs} runs (± half the range); ÷ raw is in each row's unit (↑ higher is better, ↓ lower is better).`,
    ...notes(config, out.meta, versions).map((n) => `- ${n}`),
    `- Record+Remove: ${go.recordRemoveMs ? 'idbsync from the Go benchmark (BenchmarkChangelog/RecordRemove, wasmbrowsertest\'s Chromium), baselines in the page.' : 'idbsync: see make bench-go.'}`,
    ...rows.filter((r) => r.note && r.id !== 'record-remove').map((r) => `- ${r.workload.trim()}: ${r.note}.`),
    `- Machine: ${mach.cpus} × ${mach.cpu}, ${mach.memoryGiB} GiB, ${mach.os}; Chromium ${chromiumVersion}; load average ${mach.loadavgStart.join(' ')} at start, ${mach.loadavgEnd.join(' ')} at end.`,
    ...(out.errors.length ? [`- Steps that failed once and were run again: ${out.errors.map((e) => `${e.step} (${e.error})`).join('; ')}`] : []),
    `- make bench took ${seconds} s (the build excluded).`,
  ].join('\n');
  process.stdout.write(`${text}\n`);

  if (quick) {
    say('BENCH_QUICK: results not written');
    return;
  }
  const now = new Date();
  const json = {
    date: now.toISOString(),
    seconds,
    machine: mach,
    browser: { chromium: chromiumVersion, userAgent: out.meta?.userAgent ?? null, headless: true, profile: 'persistent (on disk)' },
    versions: { idbsync: out.meta?.idbsync ?? null, dexie: out.meta?.dexie ?? null, yjs: versions.yjs, yIndexeddb: versions.yIndexeddb, lib0: versions.lib0 },
    durability: {
      raw: 'strict', dexie: 'strict (chromeTransactionDurability)', idbsync: 'strict (default); the editing trace: relaxed',
      yjs: "the editing trace: y-indexeddb's transactions without a durability (Chromium's default: relaxed)",
    },
    worker: { idbsync: out.meta?.idbsyncWorker ?? null, inpage: false },
    config,
    notes: notes(config, out.meta, versions),
    rows,
    samples: out.results,
    errors: out.errors,
    sizes: size,
    go: go.recordRemoveMs ? { benchmark: 'BenchmarkChangelog/RecordRemove', recordRemoveMs: go.recordRemoveMs } : null,
    table: formatText(rows, labels),
  };
  const dir = path.join(root, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const stamp = now.toISOString().slice(0, 16).replace(':', '');
  const body = `${JSON.stringify(json, null, 2)}\n`;
  await writeFile(path.join(dir, `${stamp}.json`), body);
  if (config.only) {
    // A partial table: latest.json stays the last full one.
    say(`wrote bench/results/${stamp}.json (only ${config.only.join(', ')}: latest.json left as it was)`);
    return;
  }
  await writeFile(path.join(dir, 'latest.json'), body);
  say(`wrote bench/results/${stamp}.json and bench/results/latest.json`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  process.exit(1);
});
