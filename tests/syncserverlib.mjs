// The real sync server (dist/idbsync-server, which `make test-e2e` builds)
// as a child process of a browser suite: development mode over a bolt store
// in a folder of its own, on a port of its own, any origin allowed.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBin = process.env.IDBSYNC_SERVER ?? path.join(root, 'dist', 'idbsync-server');

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** The claims of a JWT, unverified. */
export function claims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** One idbsync-server process at a time over one store; restart() keeps the store and the port. */
export class SyncServer {
  /**
   * Starts a server over a fresh store in a temporary folder, or, with
   * postgres (a URL), over that database with a secret of its own (the
   * token is then minted here, for one user). args are more flags.
   */
  static async start({ postgres, args = [] } = {}) {
    if (!existsSync(serverBin)) {
      throw new Error(`${serverBin} is missing: run \`make test-e2e\` (or \`go build -o dist/idbsync-server ./server/cmd/idbsync-server\`) first`);
    }
    const s = new SyncServer(await mkdtemp(path.join(os.tmpdir(), 'idbsync-e2e-')));
    s.args = args;
    if (postgres) {
      s.postgres = postgres;
      writeFileSync(path.join(s.dir, 'dev-jwt-secret'), randomBytes(32).toString('hex'));
      s.token = s.mint({ spaces: ['*'] });
    }
    await s.#run('127.0.0.1:0');
    return s;
  }

  constructor(dir) {
    /** The data folder: the bolt file, the blobs, the development secret. */
    this.dir = dir;
    /** The server's root URL, http://127.0.0.1:PORT/. */
    this.url = undefined;
    /** The development token (every space), printed on stdout. */
    this.token = undefined;
    /** Every JSON log line of every process so far, parsed, with the process's number as `run`. */
    this.log = [];
    /** How many processes have started. */
    this.runs = 0;
    this.child = null;
  }

  /** The development user: the subject of the development token. */
  get user() { return claims(this.token).sub; }

  async #run(listen) {
    const store = this.postgres
      ? ['-store', this.postgres, '-jwt-secret-file', path.join(this.dir, 'dev-jwt-secret')]
      : ['-store', `bolt:${path.join(this.dir, 'db')}`];
    const child = spawn(serverBin, ['-listen', listen, ...store, '-allow-origin', '*', ...(this.args ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = ++this.runs;
    this.child = child;
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const stderr = [];
    let url;
    let token = this.postgres ? this.token : undefined;
    let wantToken = false;
    const ready = new Promise((resolve, reject) => {
      const done = () => { if (url && token) resolve(); };
      readline.createInterface({ input: child.stderr }).on('line', (line) => {
        stderr.push(line);
        let rec;
        try {
          rec = JSON.parse(line);
        } catch {
          return; // "idbsync-server: <error>" before exiting
        }
        rec.run = run;
        this.log.push(rec);
        if (rec.msg === 'serving') { url = rec.url; done(); }
      });
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        if (wantToken) { token = line.trim(); wantToken = false; done(); }
        if (/development token/.test(line)) wantToken = true;
      });
      child.exited.then(({ code, signal }) => reject(new Error(`idbsync-server exited (${code ?? signal}) before serving:\n${stderr.join('\n')}`)));
      setTimeout(() => reject(new Error(`idbsync-server did not serve within 15 s:\n${stderr.join('\n')}`)), 15_000).unref();
    });
    await ready;
    if (this.url !== undefined && url !== this.url) throw new Error(`restarted at ${url}, not ${this.url}`);
    if (this.token !== undefined && claims(token).sub !== this.user) throw new Error('a restart changed the development user');
    this.url = url;
    this.token = token;
  }

  /** Sends signal to the process and waits for it to end. */
  async kill(signal = 'SIGKILL') {
    const { child } = this;
    if (!child) return;
    this.child = null;
    child.kill(signal);
    await child.exited;
  }

  /** Starts a new process on the same store and the same port (after kill()). */
  async restart() {
    if (this.child) throw new Error('restart: the server is running');
    await this.#run(new URL(this.url).host);
  }

  /** Stops (SIGSTOP) or resumes (SIGCONT) the running process. */
  pause(on = true) { this.child.kill(on ? 'SIGSTOP' : 'SIGCONT'); }

  /**
   * A token signed with the development secret (HS256, its hex text as the
   * key): for user (a new one by default), granting spaces, expiring in
   * ttl seconds (negative: expired that long ago).
   */
  mint({ user = randomUUID(), spaces, ttl = 3600 }) {
    const key = readFileSync(path.join(this.dir, 'dev-jwt-secret'), 'utf8').trim();
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: user, spaces, iat: now, exp: now + ttl })}`;
    return `${unsigned}.${createHmac('sha256', Buffer.from(key, 'utf8')).update(unsigned).digest('base64url')}`;
  }

  /** The request log lines of calls on space ({method, path, status, ...}). */
  requests(space) {
    return this.log.filter((r) => r.msg === 'request' && r.path.startsWith(`/v1/spaces/${space}/`));
  }

  /** Stops the server (SIGCONT first, in case it was paused) and deletes its store. */
  async close() {
    if (this.child) {
      this.child.kill('SIGCONT');
      await this.kill('SIGTERM');
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
