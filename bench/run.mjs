// `make bench`: runs the benchmark page (web/bench/) in headless Chromium,
// adds the module sizes and the Go change-log figure, prints one table and
// writes it as JSON to bench/results/ (a dated file and latest.json).
// Progress goes to stderr, the table to stdout.
//
// Environment: BENCH_QUICK=1 small sizes (a smoke test; nothing is written),
// BENCH_RUNS=n runs a figure (default 5), BENCH_GO=0 leaves the Record+Remove
// figure to `make bench-go`, BENCH_WASM=/dist/other.wasm measures another
// build of the module (a URL path the server serves), BENCH_CONFIG='{"cold":
// {"large": 10000}}' other sizes (merged into the workloads of
// web/bench/table.js), CHROMIUM=path another browser.
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
const TIMEOUT_MS = 20 * 60_000;

/** The page's run, in a persistent profile: IndexedDB on disk, as in a user's browser. */
async function runPage() {
  const server = await serve();
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
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
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

/** What the table's figures mean, for the printout and the JSON. */
function notes(cfg) {
  const ing = cfg.ingest;
  return [
    'Durability: strict everywhere. raw IndexedDB: transaction(..., {durability: "strict"}); Dexie: new Dexie(name, {chromeTransactionDurability: "strict"}) (checked: its transactions report "strict"); idbsync: its default (strict).',
    'Chromium runs headless on a persistent profile (IndexedDB on disk, not an incognito context). Each run uses a fresh database; the contenders take turns in a rotating order.',
    'Same rows everywhere: per entry a log row keyed [peer, idx] and a state row keyed by the op key. The baselines write them blind, from entries already decoded to objects; idbsync applies wire batches (decoding and checking them included) and reads the state rows it may overwrite (last writer wins) and its heads and clock rows.',
    `Ingest: one transaction per batch (${(ing.peers * ing.perPeer) / ing.batch} batches; idbsync: one apply() of a readSince page each). Local writes: one transaction per write. Catch-up read: idbsync readSince (one encoded wire batch a page) vs getAll / Dexie where().between().limit() over [peer, from…], one peer's entries a page.`,
    'Cold start: each measurement in a freshly reloaded page; the browser process (its IndexedDB backend, the OS file cache) stays warm. The server sends no-store, so module load is a full fetch + compile every time (a first visit). The baselines compute the cursors with a key cursor over the whole log; idbsync reads its heads table (one row per peer).',
    `putBlob: ${cfg.blobs.perRun} puts of each size a run (median). idbsync goes through the change log (record, chunks, manifest, CAS, cleanup); the baselines put the bytes in one transaction.`,
  ];
}

async function main() {
  say(`idbsync benchmarks${quick ? ' (BENCH_QUICK: small sizes)' : ''}: ${config.runs} runs a figure; progress below, the table at the end`);
  const mach = machine();
  const wasm = path.join(root, 'dist', 'idbsync.wasm');
  await readFile(wasm).catch(() => { throw new Error('dist/idbsync.wasm is missing: run make build (make bench does)'); });
  const out = await runPage();
  say(`browser part done in ${Math.round(out.seconds)} s`);
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
  const labels = { idbsync: `idbsync ${out.meta?.idbsync ?? ''}`.trim(), raw: 'raw IndexedDB', dexie: `Dexie ${out.meta?.dexie ?? ''}`.trim() };

  const text = [
    formatText(rows, labels),
    '',
    `Medians of ${config.runs} runs (± half the range); ÷ raw is in each row's unit (↑ higher is better, ↓ lower is better).`,
    ...notes(config).map((n) => `- ${n}`),
    `- Record+Remove: ${go.recordRemoveMs ? 'idbsync from the Go benchmark (BenchmarkChangelog/RecordRemove, wasmbrowsertest\'s Chromium), baselines in the page.' : 'idbsync: see make bench-go.'}`,
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
    versions: { idbsync: out.meta?.idbsync ?? null, dexie: out.meta?.dexie ?? null },
    durability: { raw: 'strict', dexie: 'strict (chromeTransactionDurability)', idbsync: 'strict (default)' },
    config,
    notes: notes(config),
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
  await writeFile(path.join(dir, 'latest.json'), body);
  say(`wrote bench/results/${stamp}.json and bench/results/latest.json`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  process.exit(1);
});
