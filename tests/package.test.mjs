// The npm package as an app outside this repository meets it: the tarball of
// `make package` installs offline into a scratch project, a default `vite
// build` of an app that does `import { open } from 'idbsync'` emits the wasm
// and the worker as assets, and the build, served under
//   Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'
// opens, writes, reads, watches and closes a database in Chromium with the
// engine in the shared worker, in a dedicated worker and in the page, with
// no CSP violation reported. A last test serves the build without
// 'wasm-unsafe-eval' and checks that the violation is seen, so that "no
// violation" above means something.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, createLogger } from 'vite';
import { start } from './browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const appTemplate = path.join(root, 'tests', 'pkgapp');

/** The policy of the issue: wasm may compile, scripts and workers come from the origin only. */
const policy = "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";

/** The same without 'wasm-unsafe-eval': compiling the module must be refused, and reported. */
const noWasmPolicy = "script-src 'self'; worker-src 'self'";

/** The ?worker= values of the app (tests/pkgapp/main.js) and the engine.worker each must give. */
const modes = [
  { param: 'shared', worker: 'shared', what: 'the shared worker (the default)' },
  { param: 'dedicated', worker: 'dedicated', what: "worker: 'dedicated'" },
  { param: 'page', worker: false, what: 'worker: false (in the page)' },
];

let env;
let scratch;
/** What the first test built: {outDir, version (the installed package's)}. */
let app;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'idbsync-pkgapp-'));
  env = await start();
});
after(async () => {
  await env?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The one dist/idbsync-*.tgz; fails saying how to make it if there is none. */
async function tarball() {
  const dist = path.join(root, 'dist');
  const found = (await readdir(dist).catch(() => [])).filter((f) => /^idbsync-.+\.tgz$/.test(f));
  assert.ok(found.length > 0, `no dist/idbsync-*.tgz: run \`make package\` first (in ${root})`);
  assert.equal(found.length, 1, `more than one tarball in dist/ (${found.join(', ')}): run \`make package\` again after removing the stale ones`);
  return path.join(dist, found[0]);
}

/** Runs a command with a bound; resolves {stdout, stderr} or rejects with both in the message. */
async function run(cmd, args, opts) {
  try {
    return await promisify(execFile)(cmd, args, { timeout: 30_000, ...opts });
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${err.stdout}\n${err.stderr}`);
  }
}

/** The files under dir (relative paths, sorted) with their sizes. */
async function files(dir) {
  const out = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath ?? e.path, e.name);
    out.push({ file: path.relative(dir, full), size: (await stat(full)).size });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Fails if a file of the installed package differs from the one of this
 * tree it was packed from (web/ and dist/, as `make package` copies them):
 * the test is about the package of this tree, not a stale tarball.
 */
async function fresh(installed) {
  const sources = [
    ...['idbsync.js', 'idbsync-core.js', 'idbsync-worker.js', 'idbsync.d.ts', 'package.json'].map((f) => [f, path.join(root, 'web', f)]),
    ...['idbsync.wasm', 'wasm_exec.js', 'version.js'].map((f) => [f, path.join(root, 'dist', f)]),
  ];
  for (const [f, source] of sources) {
    const [a, b] = await Promise.all([readFile(path.join(installed, f)), readFile(source)]);
    assert.ok(a.equals(b), `the tarball's ${f} is not ${path.relative(root, source)}: the tarball is stale, run \`make package\``);
  }
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * Serves dir on 127.0.0.1 (a free port) with header as the
 * Content-Security-Policy of every response, worker scripts and wasm
 * included, plus a report-uri (a reporting directive: it loosens nothing)
 * whose POSTs land in reports: violations of any context of the origin,
 * workers too, whose consoles Playwright does not all see. Resolves
 * {url, reports, close}.
 */
function serveBuild(dir, header) {
  const reports = [];
  const csp = `${header}; report-uri /csp-report`;
  /** The file of a URL path under dir; null if it escapes dir or is not valid percent-encoding. */
  const resolve = (p) => {
    let file;
    try {
      file = path.join(dir, path.normalize(decodeURIComponent(p === '/' ? '/index.html' : p)));
    } catch {
      return null;
    }
    return file.startsWith(dir + path.sep) ? file : null;
  };
  const server = http.createServer(async (req, res) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', 'no-store');
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/csp-report') {
      let body = '';
      req.setEncoding('utf8');
      for await (const chunk of req) body += chunk;
      try {
        reports.push(JSON.parse(body)['csp-report'] ?? JSON.parse(body));
      } catch {
        reports.push({ unparsed: body });
      }
      res.writeHead(204).end();
      return;
    }
    const file = resolve(url.pathname);
    if (file === null) {
      res.writeHead(400).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}/`,
      reports,
      close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
    }));
  });
}

/**
 * Opens the app that server serves, with ?worker=param, in a fresh browser
 * context (its own storage) and waits, bounded, for it to finish; resolves
 * {status, violations, errors}. status is the app's globalThis.pkgapp (still
 * 'running', at the step it reached, if it did not finish in time).
 * violations are the page's securitypolicyviolation events, the console
 * messages of the page and of its dedicated workers that speak of the
 * policy, and the reports the server got meanwhile. errors are the page's
 * uncaught errors.
 */
async function runApp(server, param) {
  const context = await env.browser.newContext();
  const violations = [];
  const fromConsole = (where) => (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(`${where} console: ${msg.text()}`);
  };
  try {
    // An init script runs before the page's own, and is not subject to its policy.
    await context.addInitScript(() => {
      globalThis.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        globalThis.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', fromConsole('page'));
    page.on('worker', (w) => w.on('console', fromConsole(`worker ${w.url()}`)));
    const reportsBefore = server.reports.length;
    await page.goto(`${server.url}?worker=${param}`, { timeout: 10_000 });
    // A timeout is not thrown: the state and step of the app say where it stopped.
    await page.waitForFunction(() => globalThis.pkgapp?.state !== 'running', null, { timeout: 30_000 }).catch(() => {});
    const status = await page.evaluate(() => globalThis.pkgapp ?? { state: 'not started' });
    violations.push(...(await page.evaluate(() => globalThis.__csp)).map((v) => `page event: ${v}`));
    // A report is posted after the violation; give the last ones a moment to land.
    await new Promise((r) => setTimeout(r, 300));
    violations.push(...server.reports.slice(reportsBefore).map((r) => `report: ${r['violated-directive'] ?? r['effective-directive']} blocked ${r['blocked-uri']} in ${r['document-uri']}`));
    return { status, violations, errors };
  } finally {
    await context.close();
  }
}

test('the tarball installs offline, and a default vite build emits the wasm and the worker', { timeout: 60_000 }, async (t) => {
  const tgz = await tarball();
  const packed = (await stat(tgz)).size;

  await cp(appTemplate, scratch, { recursive: true });
  await writeFile(path.join(scratch, 'package.json'), `${JSON.stringify({ name: 'pkgapp', private: true, type: 'module' }, null, 2)}\n`);
  // The package has no dependencies: it installs without the network.
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', tgz], { cwd: scratch });
  const installed = path.join(scratch, 'node_modules', 'idbsync');
  const contents = await files(installed);
  const unpacked = contents.reduce((n, f) => n + f.size, 0);
  t.diagnostic(`${path.basename(tgz)}: ${packed} bytes packed, ${unpacked} bytes unpacked in ${contents.length} files`);
  for (const f of contents) t.diagnostic(`  ${f.file}: ${f.size} bytes`);
  await fresh(installed);
  const wasm = await readFile(path.join(installed, 'idbsync.wasm'));
  const version = (await readFile(path.join(installed, 'version.js'), 'utf8')).match(/version = '([^']*)'/)?.[1];
  assert.ok(version, 'the package has a version.js');

  // A default build: no vite config, only where the project is. What Vite
  // warns is a finding too.
  const warnings = [];
  const logger = createLogger('warn');
  logger.warn = (msg) => warnings.push(msg);
  logger.warnOnce = (msg) => warnings.push(msg);
  const started = Date.now();
  await build({ root: scratch, configFile: false, logLevel: 'warn', customLogger: logger });
  t.diagnostic(`vite build: ${Date.now() - started} ms`);
  assert.deepEqual(warnings, [], 'vite build warned');

  const outDir = path.join(scratch, 'dist');
  const out = await files(outDir);
  for (const f of out) t.diagnostic(`  built ${f.file}: ${f.size} bytes`);
  const wasms = out.filter((f) => f.file.endsWith('.wasm'));
  assert.equal(wasms.length, 1, `one .wasm in the build: ${JSON.stringify(out)}`);
  assert.match(wasms[0].file, /^assets\//);
  assert.equal(sha256(await readFile(path.join(outDir, wasms[0].file))), sha256(wasm), 'the emitted wasm is the package\'s idbsync.wasm');
  const workers = out.filter((f) => /^assets\/idbsync-worker[^/]*\.js$/.test(f.file));
  assert.equal(workers.length, 1, `one worker script in the build: ${JSON.stringify(out)}`);
  const worker = await readFile(path.join(outDir, workers[0].file), 'utf8');
  assert.ok(worker.includes(path.basename(wasms[0].file)), 'the worker loads the emitted wasm');
  const chunks = await Promise.all(out.filter((f) => f.file.endsWith('.js')).map((f) => readFile(path.join(outDir, f.file), 'utf8')));
  assert.ok(chunks.some((c) => c.includes(path.basename(workers[0].file))), 'a chunk of the page starts the emitted worker');
  assert.ok(!chunks.some((c) => c.includes('node_modules')), 'nothing in the build points into node_modules');
  app = { outDir, version };
});

for (const m of modes) {
  test(`under the policy, open/exec/get/watch/close with ${m.what}, and no violation`, { timeout: 45_000 }, async () => {
    assert.ok(app, 'the build of the first test is missing (it failed)');
    const server = await serveBuild(app.outDir, policy);
    try {
      const { status, violations, errors } = await runApp(server, m.param);
      assert.deepEqual(violations, [], 'CSP violations');
      assert.deepEqual(errors, [], 'uncaught page errors');
      assert.equal(status.state, 'done', `the app stopped at step ${status.step}: ${JSON.stringify(status.error)}`);
      const r = status.result;
      assert.equal(r.worker, m.worker, 'engine.worker is the mode asked for');
      assert.match(r.peer, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.deepEqual(r.exec, { peer: r.peer, from: 0, to: 2 });
      assert.deepEqual(r.get, ['one', 'two', undefined]);
      assert.deepEqual(r.exec3, { peer: r.peer, from: 2, to: 4 });
      assert.deepEqual(r.changes, [{ key: 'note/3', value: 'three' }], 'the watch reports the write under its prefix, and only it');
      assert.equal(r.afterClose, 'CLOSED');
      assert.equal(r.version, app.version, 'version() is the package\'s');
    } finally {
      await server.close();
    }
  });
}

test("without 'wasm-unsafe-eval' the module is refused, and the worker's violation is seen", { timeout: 45_000 }, async (t) => {
  assert.ok(app, 'the build of the first test is missing (it failed)');
  const server = await serveBuild(app.outDir, noWasmPolicy);
  try {
    const { status, violations } = await runApp(server, 'shared');
    for (const v of violations) t.diagnostic(v);
    t.diagnostic(`the app: ${JSON.stringify(status.error)}`);
    assert.equal(status.state, 'failed', `the app should fail to open: ${JSON.stringify(status)}`);
    assert.equal(status.step, 'open');
    assert.equal(status.error.code, 'PERMISSION_DENIED', 'the policy, not the module, is at fault');
    assert.match(status.error.message, /wasm-unsafe-eval/, 'the message says what the policy lacks');
    // Compiling happens in the shared worker, whose violations only its
    // report tells: the channel the tests above rely on for the workers.
    assert.ok(violations.some((v) => /^report: script-src blocked wasm-eval in .*\/idbsync-worker[^/]*\.js$/.test(v)),
      `the shared worker's violation of script-src is reported: ${JSON.stringify(violations)}`);
  } finally {
    await server.close();
  }
});
