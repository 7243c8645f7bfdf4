// A static server for the demo and the browser tests: web/ at / with the
// built module beside idbsync.js (as the npm package lays them out), dist/ at
// /dist/, and for the benchmark page Dexie's ESM build at /vendor/dexie.mjs,
// Yjs's at /vendor/yjs.mjs, y-indexeddb's at /vendor/y-indexeddb.js and the
// lib0 modules they import under /vendor/lib0/. Loopback only. Run: node
// web/serve.mjs [port]
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * Files served from outside web/ and dist/, by exact URL path: what `make
 * build` puts beside idbsync.js in the package (see `make package`), Dexie,
 * Yjs and y-indexeddb (and lib0, below).
 */
const vendor = {
  '/idbsync.wasm': path.join(root, 'dist', 'idbsync.wasm'),
  '/wasm_exec.js': path.join(root, 'dist', 'wasm_exec.js'),
  '/version.js': path.join(root, 'dist', 'version.js'),
  '/vendor/dexie.mjs': path.join(root, 'node_modules', 'dexie', 'dist', 'dexie.mjs'),
  '/vendor/yjs.mjs': path.join(root, 'node_modules', 'yjs', 'dist', 'yjs.mjs'),
  '/vendor/y-indexeddb.js': path.join(root, 'node_modules', 'y-indexeddb', 'src', 'y-indexeddb.js'),
};

/**
 * The lib0 modules (the browser builds) that yjs and y-indexeddb import, of
 * the versions package-lock.json pins, served at /vendor/lib0/<file>:
 * web/bench/index.html's import map sends their bare names ('lib0/map')
 * there, and their own relative imports ('./math.js') resolve beside them.
 * Another version of lib0 may import others: a missing one is a 404 in the
 * benchmark page's console.
 */
const lib0 = ['array', 'binary', 'buffer', 'conditions', 'decoding', 'dom', 'encoding', 'environment', 'error',
  'eventloop', 'function', 'indexeddb', 'iterator', 'json', 'logging', 'logging.common', 'map', 'math', 'metric',
  'number', 'object', 'observable', 'pair', 'prng', 'prng/Xoroshiro128plus', 'prng/Xorshift32', 'promise', 'random',
  'schema', 'set', 'storage', 'string', 'symbol', 'time', 'trait/equality', 'webcrypto'];
for (const m of lib0) vendor[`/vendor/lib0/${m}.js`] = path.join(root, 'node_modules', 'lib0', ...`${m}.js`.split('/'));

/**
 * Maps a URL path to a vendor file or a file under web/ or dist/; null if it
 * escapes them, undefined if it is not a valid percent-encoded path.
 */
function resolve(urlPath) {
  let p;
  try {
    p = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return undefined; // a URIError: '%' not followed by a UTF-8 sequence
  }
  if (Object.hasOwn(vendor, p)) return vendor[p];
  if (p.endsWith('/')) p += 'index.html';
  const base = p.startsWith('/dist/') ? root : path.join(root, 'web');
  const file = path.join(base, path.normalize(p));
  const allowed = [path.join(root, 'web') + path.sep, path.join(root, 'dist') + path.sep];
  return allowed.some((dir) => file.startsWith(dir)) ? file : null;
}

/**
 * Starts the server; resolves to {url, close}. Port 0 picks a free one.
 * routes: answers of its own by exact URL path, each a function returning
 * {type, body} (the demo's config.json).
 */
export function serve({ port = 0, host = '127.0.0.1', routes = {} } = {}) {
  const server = http.createServer(async (req, res) => {
    const routePath = req.url.split('?')[0];
    if (Object.hasOwn(routes, routePath)) {
      const { type, body } = routes[routePath]();
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
      return;
    }
    const file = resolve(req.url);
    if (file === undefined) {
      res.writeHead(400).end('bad request: malformed URL');
      return;
    }
    if (!file) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': types[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port } = server.address();
      ok({ url: `http://${host}:${port}/`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const { url } = await serve({ port });
  console.log(`idbsync demo: ${url}demo/   (Ctrl-C stops it)`);
}
