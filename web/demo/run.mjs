// `make demo`: the sync server (dist/idbsync-server on its embedded
// defaults, data in idbsync-data/) and the static server of the notes app,
// which tells the page where the server is (/demo/config.json). Each browser
// profile (or private window) that opens the printed URL is a device syncing
// live through the server. Loopback only.
//   node web/demo/run.mjs [port]   (SERVER_PORT: the sync server's, default 8787)
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { serve } from '../serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
const serverPort = Number(process.env.SERVER_PORT ?? 8787);

/** Starts idbsync-server in development mode; resolves to {url, token} from what it prints. */
function startServer() {
  const child = spawn(path.join(root, 'dist', 'idbsync-server'), ['-listen', `127.0.0.1:${serverPort}`, '-allow-origin', '*'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its log, without a line per request.
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    if (!line.includes('"msg":"request"')) console.error(line);
  });
  process.on('exit', () => child.kill());
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { child.kill(); process.exit(0); });
  return new Promise((resolve, reject) => {
    let url;
    let wantToken = false;
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(line);
      const m = line.match(/serving (\S+)/);
      if (m) url = m[1];
      if (wantToken) resolve({ url, token: line.trim() });
      wantToken = /development token/.test(line);
    });
    child.once('exit', (code) => reject(new Error(`idbsync-server exited (${code}) before it served`)));
  });
}

const server = await startServer();
const config = JSON.stringify({ server: server.url, token: server.token, space: 'demo' });
const { url } = await serve({ port, routes: { '/demo/config.json': () => ({ type: 'application/json', body: config }) } });
console.log(`idbsync demo: ${url}demo/   one device per browser profile, syncing live through ${server.url}`);
console.log(`              ${url}demo/?view=two   two devices in one page, synced on demand (Ctrl-C stops both)`);
