// A throwaway PostgreSQL 15 cluster for a browser suite (Debian's binaries,
// run as the postgres user: initdb refuses root), on a loopback port of its
// own; stop() removes it. The Go suites use server/internal/pgtest.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, chownSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const bin = process.env.PGTEST_BIN ?? '/usr/lib/postgresql/15/bin';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Starts a cluster; resolves to {url, stop}. */
export async function startPostgres() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'idbsync-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const as = (cmd, args) => {
    const argv = process.getuid() === 0 ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    return execFileSync(argv[0], argv[1], { stdio: ['ignore', 'pipe', 'pipe'] });
  };
  as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
  const port = await freePort();
  as('pg_ctl', ['-D', data, '-o', `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off`, '-w', '-l', path.join(dir, 'log'), 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop() {
      try { as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch { /* gone already */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
