// The static server of the demo and the browser suites (web/serve.mjs): a
// request it cannot map answers an HTTP error, and the server goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { serve } from '../web/serve.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server?.close(); });

/** GETs path verbatim (no client-side normalisation); resolves {status, body}. */
function get(path) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.get({ hostname, port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`GET ${path}: no answer within 5 s`)));
  });
}

test('a malformed percent-encoding is a 400, and the server keeps serving', async () => {
  for (const path of ['/%E0%A4%A', '/%', '/test/%ZZ', '/dist/%C0%80', '/%E0%A4%A?x=1']) {
    const r = await get(path);
    assert.equal(r.status, 400, `${path}: ${JSON.stringify(r)}`);
  }
  const page = await get('/test/');
  assert.equal(page.status, 200);
  assert.match(page.body, /idbsync test page/);
});

test('paths that escape web/ and dist/ are refused; a missing file is a 404', async () => {
  assert.equal((await get('/dist/%2e%2e/package.json')).status, 403, 'dist/../package.json is outside');
  assert.equal((await get('/%2e%2e/go.mod')).status, 404, '/../go.mod stays inside web/');
  assert.equal((await get('/no-such-file.js')).status, 404);
  assert.equal((await get('/idbsync.js')).status, 200);
});
