// Types of idbsync.js: an offline-first sync engine over IndexedDB.

/**
 * The stable `code` of every error an idbsync call rejects with or throws.
 * - `CURSOR_MISMATCH`: an entry past the next index expected of its peer (it would leave a hole);
 *   the error also has `expected` and `actual`.
 * - `FORKED`: a peer offered an entry at an index this replica holds with other content (the same
 *   peer id with two histories); nothing of that batch was applied.
 * - `UNIQUE_VIOLATION`, `CONFLICT`: a write lost to a concurrent one and was rolled back.
 * - `CLOCK_SKEW`: a remote timestamp more than 60 s ahead of this clock; nothing was applied.
 * - `QUOTA_EXCEEDED`: the browser refused the space; the store is as it was before the call.
 * - `CLOSED`: the engine was closed, or the browser closed its database (a newer tab upgraded it,
 *   storage was cleared). Reopen with open().
 * - `BLOCKED`: open() waited too long for an older tab to let an upgrade through.
 * - `CORRUPT`: a batch, a stored record, a server's answer or the module file failed its integrity
 *   check or is not what the protocol says; nothing of it was used.
 * - `INVALID_ARGUMENT`: a wrong type, a missing field, a malformed id or index, a key that is not
 *   well-formed UTF-16 (a lone surrogate), a request the other side refused as malformed.
 * - `UNAVAILABLE`: a transport, a server or the browser failed for a passing reason (a server that
 *   could not be reached, a connect() call without an answer in time, an aborted transaction);
 *   nothing was applied: retry later. Being offline is UNAVAILABLE, never CLOSED.
 * - `UNAUTHENTICATED`: the server did not accept the credentials (HTTP 401): sign in again.
 * - `PERMISSION_DENIED`: the caller may not do this: a server's refusal (HTTP 403), a serve()
 *   whose `authorize` hook refused the request (nothing was applied), or a Content-Security-Policy
 *   that does not allow compiling the module (script-src needs 'wasm-unsafe-eval').
 * - `INTERNAL`: a bug in idbsync (a recovered panic, the module exited); nothing was applied.
 *   Please report it.
 */
export type ErrorCode =
  | 'CURSOR_MISMATCH' | 'FORKED' | 'UNIQUE_VIOLATION' | 'CONFLICT' | 'CLOCK_SKEW' | 'QUOTA_EXCEEDED'
  | 'CLOSED' | 'BLOCKED' | 'CORRUPT' | 'INVALID_ARGUMENT' | 'UNAVAILABLE' | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED' | 'INTERNAL';

/** Every code, for checks at run time. */
export const codes: readonly ErrorCode[];

/**
 * What every idbsync call rejects with or throws (argument checks, the Go module, transports alike):
 * test it with `err instanceof IdbsyncError` and branch on `err.code`.
 */
export class IdbsyncError extends Error {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown });
  /** Always `'IdbsyncError'`. */
  readonly name: 'IdbsyncError';
  /** What went wrong, stable across versions. */
  code: ErrorCode;
  /**
   * The error that caused this one, when there is one: the `TypeError` of a fetch that could not reach
   * its server, the transport's IdbsyncError behind a failed sync() (and behind that, what the app's own
   * transport threw).
   */
  cause?: unknown;
  /** CURSOR_MISMATCH: the next index the replica expects of the peer. */
  expected?: Index;
  /** CURSOR_MISMATCH: the index that was offered. */
  actual?: Index;
}

/** A log index: a Number while it is a safe integer, a BigInt beyond. */
export type Index = number | bigint;

/** A peer id: a lowercase uuid string. */
export type PeerId = string;

/** The version vector: peer id -> next index expected of that peer (absent: 0). */
export type Cursors = Record<PeerId, Index>;

/** One op of exec(): a write (string values are stored as their UTF-8 bytes) or a delete. */
export type Op =
  | { put: string; value: Uint8Array | string }
  | { del: string };

/** A live key and its value. */
export interface Row {
  key: string;
  value: Uint8Array;
}

/** A key that changed, with its value now (absent: deleted). */
export interface Change {
  key: string;
  value?: Uint8Array;
}

/** One entry of a wire batch, decoded for inspection. */
export interface Entry {
  peer: PeerId;
  idx: Index;
  /** Hybrid logical clock: 48 bits of wall milliseconds, 16 of counter. Absent on a marker. */
  ts?: bigint;
  /** The server-vouched author, when attributed. */
  user?: string;
  /** The key a write wrote. */
  put?: string;
  /** The value a write wrote. */
  value?: Uint8Array;
  /** The key a delete deleted. */
  del?: string;
  /** The SHA-256 (hex) of the entry an expunged marker replaced. */
  expunged?: string;
  /** An expunge: the entry it removes everywhere, and that entry's SHA-256 (hex), checked before anything is removed. */
  expunge?: { peer: PeerId; idx: Index; hash: string };
}

export interface OpenOptions {
  /** The IndexedDB database name. */
  name: string;
  /** The local peer id of a new database (default: a random one); another one than an existing database's is INVALID_ARGUMENT. */
  peer?: PeerId;
  /**
   * `strict` (default): a call resolves once the browser flushed the data to disk.
   * `relaxed`: once the OS has it; faster, may lose the last writes on a power cut.
   * Engines of one page on one name share the first open's choice.
   */
  durability?: 'strict' | 'relaxed';
  /**
   * How a new database keeps its tables: `'paged'` (default: sorted pages plus a write-ahead row per commit,
   * so a commit costs a few IndexedDB requests whatever its size) or `'rows'` (a row per key, the layout of
   * older builds). An existing database keeps the layout it has.
   */
  layout?: 'paged' | 'rows';
  /** Ask navigator.storage.persist(); the answer is engine.persisted. */
  persist?: boolean;
  /** Where the module is (default: idbsync.wasm beside idbsync.js, where the package puts it). */
  wasm?: string | URL;
  /**
   * Where the engine runs, so that its work never holds the page's thread:
   * - `'shared'` (the default where `SharedWorker` exists): one worker of the origin, named by the module
   *   version, serves every tab on the database: one Go runtime, one connection, one change log instance.
   *   Falls back to `'dedicated'` where `SharedWorker` is missing (Chrome on Android).
   * - `'dedicated'`: a worker of this tab's own; tabs on one database stay exactly-once as separate instances.
   * - `false`: in this page (the default inside a worker of the app's). For tests and comparisons.
   *
   * A worker that dies (crashed, killed) rejects the calls it had with `CLOSED` and closes its engines
   * (`onclose` fires); the next open() starts a new one, which recovers what the old one left.
   * Engines of one page on one name and mode share one connection.
   */
  worker?: 'shared' | 'dedicated' | false;
}

/** Where getBlob fetches bytes written elsewhere. */
export interface GetBlobOptions {
  /** The transport to fetch from (default: the one of a live() running on the engine). */
  from?: BlobTransport;
  /** Hears the progress of a fetch. */
  onProgress?: (p: BlobProgress) => void;
}

/** Progress of an attachment's upload (`up`) or download (`down`): bytes done of total. */
export interface BlobProgress {
  direction: 'up' | 'down';
  hash: string;
  done: number;
  total: number;
}

/**
 * A transport that carries attachments (fetchTransport to a space does): sync uploads, before the entries
 * that reference them, the bytes hasBlobs says the server lacks; getBlob fetches bytes by name. Blobs over
 * 1 MiB go in parts of 1 MiB; an upload cut short resumes with the parts the server has.
 */
export interface BlobTransport {
  hasBlobs(hashes: string[]): Promise<boolean[]>;
  putBlob(hash: string, bytes: Uint8Array, opts?: { onProgress?: (p: BlobProgress) => void }): Promise<void>;
  getBlob(hash: string, size: number, opts?: { onProgress?: (p: BlobProgress) => void }): Promise<Uint8Array>;
}

/** Counts of the blob tier and the change log: what recovery has yet to do. */
export interface Stats {
  /** Blob revisions stored, partial ones included. */
  blobs: number;
  /** Blob revisions some key points to. */
  referenced: number;
  /** Change log entries outstanding, of every tab. */
  changes: number;
  /** Tabs registered in the change log: this one, others open, and dead ones no tab has claimed yet. */
  instances: number;
  /** Of those, the dead ones (their Web Lock is free or their heartbeat lapsed): the next recovery claims them. */
  dead: number;
  /** Attachments' bytes held here, one per content. */
  contents: number;
  /** Parts of chunked uploads staged and not assembled yet (on a server). */
  parts: number;
  /** How the last background recovery round failed (after its retries); null when it succeeded or none ran yet. */
  recoveryError: IdbsyncError | null;
  /**
   * The paged layout's state, as this engine last read it (absent in the rows layout): pages in the
   * manifest, write-ahead rows and bytes not merged into them yet, and how many times the manifest
   * changed (merges and new tables, by every tab).
   */
  paged?: { pages: number; unmerged: number; memBytes: number; generation: number };
}

/** The other side of sync(): what connect() and fetchTransport() return, or any object with these calls. */
export interface Transport {
  cursors(): Promise<Cursors>;
  readSince(peer: PeerId, from: Index, limit: number): Promise<Uint8Array>;
  apply(batch: Uint8Array): Promise<{ applied: number; skipped: number }>;
  /**
   * `true`: this transport reaches the app's sync server, which authenticated whoever pushed each entry it
   * serves and stamped it with their user id, so sync keeps those ids (an entry's `user`); from any other
   * transport they are dropped, since a peer could claim any user. fetchTransport() sets it when given a
   * `space`. Set it on a transport of your own only when it too reaches such a server.
   */
  readonly attests?: boolean;
}

/**
 * Anything that posts and receives messages and is only as open as whoever holds it: a MessagePort (of a
 * MessageChannel), a BroadcastChannel, a Worker, a worker's own global scope (`self`). A Window is not one
 * (any frame or opener can post to it): serve() and connect() take a Window only with `origin`.
 *
 * A BroadcastChannel reaches every context of the origin, and every one of them can read the requests and
 * replies on it (and open the database itself): use one only between contexts of one app that trust each
 * other, and a MessageChannel port to keep a peer to itself.
 */
export interface Port {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  start?(): void;
}

/** How a subscription (watch, watchCursors) reports what goes wrong. */
export interface SubscriptionOptions {
  /**
   * Called with the IdbsyncError when reading what changed fails (the change itself is not lost: the next
   * read sees it). When the browser closes the database under the engine, called once with that CLOSED
   * error (the one engine.onclose gets) and the subscription ends. Not called after the unsubscribe
   * function or engine.close(). Without onError, a failed read is thrown as an uncaught error.
   */
  onError?: (err: IdbsyncError) => void;
}

/**
 * One open database. Every call returns a Promise (watch, watchCursors and decode return at once); errors
 * are IdbsyncErrors. Keys and prefixes are strings stored as their UTF-8 bytes: one with a lone surrogate
 * (`'\uD800'`) has no UTF-8 form and is INVALID_ARGUMENT, as is a string value with one.
 */
export class Engine implements Transport {
  /** The database name. */
  readonly name: string;
  /** The local peer id: the same in every tab on this database. */
  readonly peer: PeerId;
  /** The change log instance of the context that runs the engine: the worker, or this tab (it holds a Web Lock of that name while open). */
  readonly instance: string;
  /** Where the engine runs (see OpenOptions.worker). */
  readonly worker: 'shared' | 'dedicated' | false;
  /** How the database keeps its tables (see OpenOptions.layout). */
  readonly layout: 'paged' | 'rows';
  /** What navigator.storage.persist() answered, when open() was given `persist: true`. */
  persisted: boolean | undefined;
  /** Called with a CLOSED error when the browser closes the database under this engine. */
  onclose: ((err: IdbsyncError) => void) | null;

  /** Writes ops as this peer's next entries, all in one transaction; resolves to the indexes [from, to) they took. */
  exec(ops: Op[]): Promise<{ peer: PeerId; from: Index; to: Index }>;
  /** The value of key, or undefined. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** The values of keys in their order (undefined: absent), read in one transaction and one call into the module. */
  getMany(keys: string[]): Promise<(Uint8Array | undefined)[]>;
  /** Live keys in ascending order: those starting with prefix, from start on (inclusive), at most limit. */
  scan(opts?: { prefix?: string; start?: string; limit?: number }): Promise<Row[]>;
  /** The version vector, peers in ascending order. */
  cursors(): Promise<Cursors>;
  /** One wire batch (msgp, integrity-checked) of up to limit entries of peer from index from on. */
  readSince(peer: PeerId, from: Index, limit: number): Promise<Uint8Array>;
  /** Ingests a wire batch all or nothing; entries already here are skipped. */
  apply(batch: Uint8Array): Promise<{ applied: number; skipped: number }>;
  /**
   * Calls cb with the cursors now, then whenever they advance (here, in another tab, by a sync); returns the
   * unsubscribe function. A read of the cursors that fails goes to `opts.onError` (see SubscriptionOptions).
   */
  watchCursors(cb: (cursors: Cursors) => void, opts?: SubscriptionOptions): () => void;
  /**
   * Calls cb with the keys under prefix that changed (here, in another tab, by a sync); returns the unsubscribe
   * function. A change made elsewhere is re-read here; a re-read that fails goes to `opts.onError`.
   */
  watch(opts: SubscriptionOptions & { prefix?: string }, cb: (changes: Change[]) => void): () => void;
  /** Replaces the stored entry of peer at idx by a marker holding its hash; the index stays taken. */
  expunge(peer: PeerId, idx: Index): Promise<void>;
  /**
   * Writes bytes of any size as the attachment key, crash-safely: after a crash the key reads its old or its
   * new bytes, and no orphan stays. The bytes are stored once per content, named by their SHA-256, and an
   * entry of the op log references them, so attachments replicate: a sync to a transport that takes blobs
   * (fetchTransport to a space) uploads the bytes before the entry, and another replica fetches them when it
   * reads the key (getBlob) or ahead of time (live({prefetch: true})). Resolves to the name and size.
   */
  putBlob(key: string, bytes: Uint8Array | string): Promise<{ hash: string; size: number }>;
  /**
   * The attachment key, or undefined. Bytes written on another replica that are not here yet are fetched
   * (from `opts.from`, else the transport of a live() running on this engine, in parts with progress),
   * checked against their hash (CORRUPT otherwise), kept and returned; concurrent reads share one fetch.
   * With no transport it rejects with UNAVAILABLE.
   */
  getBlob(key: string, opts?: GetBlobOptions): Promise<Uint8Array | undefined>;
  /**
   * Deletes the attachment key (an entry of the op log: it syncs); its bytes go once no key references
   * them, here at once, on the server when its sweep finds them unreferenced. A missing one is fine.
   */
  deleteBlob(key: string): Promise<void>;
  /** The attachments whose bytes are only on other replicas so far. */
  missingBlobs(): Promise<{ key: string; hash: string; size: number }[]>;
  /** Runs a recovery round and a sweep of orphaned blobs now (open() starts both; recovery then runs every 10 s, the sweep every 10 min); resolves to the changes cleaned up plus the orphans deleted. */
  recover(): Promise<number>;
  /** Counts of the blob tier and the change log. */
  stats(): Promise<Stats>;
  /** decode(), as a method. */
  decode(batch: Uint8Array): Entry[];
  /** Closes this engine (the database closes with the page's last engine on it); later calls reject with CLOSED. Idempotent. */
  close(): Promise<void>;
}

/** Opens (creating if needed) a database. Concurrent opens of one name in one page share its connection. */
export function open(opts: OpenOptions): Promise<Engine>;

/**
 * Loads the module into this page (once). open() loads it where the engine runs: here only with
 * `worker: false`. decode() needs it here.
 */
export function load(opts?: { wasm?: string | URL }): Promise<unknown>;

/** The module's version: the one loaded in this page, else the one this page's worker runs; undefined before either. */
export function version(): string | undefined;

/** Decodes a wire batch into plain objects, for inspection; needs the module in this page (await load() first), else throws CLOSED. */
export function decode(batch: Uint8Array): Entry[];

/** One peer's entries that a sync could not apply, while it applied the rest. */
export interface SyncError extends IdbsyncError {
  /** The peer whose entries these were. */
  peer: PeerId;
  /** The side they were being applied to: `'a'` (sync's first argument) or `'b'`. */
  side: 'a' | 'b';
}

/** What sync() did. */
export interface SyncResult {
  /** Entries newly applied to a. */
  toA: number;
  /** Entries newly applied to b. */
  toB: number;
}

/**
 * What sync() rejects with when some peers' entries failed (a FORKED peer, a refused apply, a skewed
 * clock) while it synced everything else: the code of the first failure, each failure with its peer
 * and side, and what did go through. A sync that could not run at all rejects with a plain IdbsyncError.
 */
export interface SyncIncompleteError extends IdbsyncError {
  errors: SyncError[];
  toA: number;
  toB: number;
}

/**
 * Brings a and b to the same entries: each pulls what it lacks from the other, in pages of
 * pageSize entries (default 1,000), one transaction a page. Safe to interrupt and to run
 * concurrently; resolves to the entries newly applied to each side. A peer whose entries fail
 * does not stop the others: sync goes on, then rejects with a SyncIncompleteError naming them.
 */
export function sync(a: Engine, b: Engine | Transport, opts?: { pageSize?: number }): Promise<SyncResult>;

/** One request to serve(), as its `authorize` hook sees it (frozen). */
export interface ServeRequest {
  /** What the caller asks for: `cursors` reads the cursors, `readSince` entries of the log, `apply` writes. */
  method: 'cursors' | 'readSince' | 'apply';
  /**
   * The arguments, as they will be passed to the engine: `[]`, `[peer, from, limit]` (limit already
   * clamped to maxLimit) or `[batch]`. They come from the other side: untrusted.
   */
  args: readonly unknown[];
  /** The sender's origin where the channel tells it: a Window's (the one checked), a BroadcastChannel's. */
  origin?: string;
}

export interface ServeOptions {
  /** The name connect() callers ask for (default: the engine's peer id). */
  name?: string;
  /**
   * Required when port is a Window, refused otherwise: the one origin (as `location.origin` writes it,
   * not `'*'`) whose messages are answered. A reply goes to the window that asked (`ev.source`) with this
   * origin as targetOrigin, so no other frame hears it. `serve(engine, window, {origin})` takes requests
   * of every window of that origin; `serve(engine, frame.contentWindow, {origin})` of that frame only.
   */
  origin?: string;
  /**
   * Decides each request before the engine sees it; a falsy answer (or a Promise of one) or a throw
   * rejects the request with PERMISSION_DENIED, and nothing of it is applied. Without it every request
   * that reaches the port is served.
   */
  authorize?: (request: ServeRequest) => unknown;
  /**
   * The most entries one readSince answers (default 1,000; at most 2^31-1): a larger limit is clamped,
   * not refused (a sync then takes more pages).
   */
  maxLimit?: number;
}

/**
 * Serves engine to connect() callers on port; returns the function that stops serving. Errors of the
 * engine reach the caller with their code (and expected/actual).
 */
export function serve(engine: Engine, port: Port | Window, opts?: ServeOptions): () => void;

export interface ConnectOptions {
  /** The name the engine is served under (serve()'s name: its peer id by default). */
  name: string;
  /** A call without an answer within timeout ms rejects with UNAVAILABLE (default 30,000). */
  timeout?: number;
  /**
   * Required when port is a Window (`parent`, `opener`, `frame.contentWindow`), refused otherwise: the one
   * origin requests are posted to (as targetOrigin) and replies are taken from (from that window only).
   */
  origin?: string;
}

/**
 * The transport to an engine served on port, for sync(engine, transport). Each request has an unguessable
 * id (a random UUID); a reply is taken only for a request of this transport still waiting, once.
 */
export function connect(port: Port | Window, opts: ConnectOptions): Transport;

/** Options of fetchTransport(). A wrong type is INVALID_ARGUMENT, thrown at once. */
export interface FetchTransportOptions {
  /**
   * The space to sync (a non-empty string; idbsync-server takes 1 to 64 letters, digits, `.`, `_` or `-`).
   * With it, url is the server's root (`https://sync.example/`) and the calls go to
   * `{url}v1/spaces/{space}/cursors`, `.../read-since` and `.../apply`, and the transport `attests`; without
   * it, directly under url (`{url}cursors`, ...), for servers of your own.
   */
  space?: string;
  /**
   * The bearer token, sent as `Authorization: Bearer <token>` (idbsync-server takes a JWT whose subject is
   * the user id and whose `spaces` claim lists the spaces granted). Either the token itself, or a function
   * that resolves to one: it is called on the first call, its token kept (concurrent calls share one
   * request for it), and called again when the server answers 401 (an expired token), the call then
   * retried once with the new token; a second 401 rejects with UNAUTHENTICATED. A function that throws
   * rejects the call with UNAUTHENTICATED (its error as `cause`; an IdbsyncError it throws keeps its
   * code: throw one with UNAVAILABLE when your auth server is what could not be reached), as does one
   * that resolves to `''`, null or undefined (nobody is signed in); a function that resolves to another
   * non-string rejects with INVALID_ARGUMENT; it is asked again on the next call. Without a token
   * the requests go without Authorization (idbsync-server answers UNAUTHENTICATED).
   */
  token?: string | (() => string | null | undefined | Promise<string | null | undefined>);
  /**
   * Milliseconds each request may take, from asking for the token to the last byte of the answer (default
   * 30,000; at most 2^31-1): a request past it is aborted (an AbortSignal) and rejects with UNAVAILABLE, as
   * does a server that cannot be reached. The retry after a 401 has its own.
   */
  timeout?: number;
  /** Extra headers of every request (not Authorization when token is given). */
  headers?: Record<string, string>;
  /** The fetch to call (default: globalThis.fetch), given the URL and {method, headers, body, signal}. */
  fetch?: typeof fetch;
  /** The WebSocket constructor of the live channel (default: globalThis.WebSocket). */
  WebSocket?: typeof WebSocket;
  /** Hears the progress of every attachment upload and download, after each part. */
  onProgress?: (p: BlobProgress) => void;
}

/** What fetchTransport() returns: with a `space`, a BlobTransport too (the server's blob calls). */
export interface FetchTransport extends Transport, Partial<BlobTransport> {
  /** `true` when made with a `space`: the server vouches for the user of each entry it serves (see Transport). */
  readonly attests?: true;
  /**
   * With a `space`: opens the space's live channel (`{url}v1/spaces/{space}/live`, a WebSocket, the token
   * in its query) and calls onCursors with the server's cursors at once and whenever they advance;
   * onClose gets the reason once the channel ends (UNAVAILABLE: it closed or failed; null: the returned
   * function was called). live() uses it to know when to pull.
   */
  subscribe?(onCursors: (c: Cursors) => void, onClose: (err: IdbsyncError | null) => void): () => void;
}

/** The state of a live sync. */
export type LiveState = 'connecting' | 'live' | 'offline' | 'error';

/** What a live sync reports. */
export interface LiveStatus {
  /**
   * `connecting` until the first sync or live message; `live` while syncs go through; `offline` while the
   * server cannot be reached (it backs off and tries again, and at once on the browser's `online` event);
   * `error` after a failure it retries (UNAUTHENTICATED, CLOCK_SKEW, ...) or one that stops it for good
   * (PERMISSION_DENIED, FORKED: see `error`).
   */
  state: LiveState;
  /** Entries of this device's peer that the server is not known to hold yet ("12 changes waiting"). */
  pending: number;
  /** The last failure, with its code; null once a sync went through. */
  error: IdbsyncError | null;
  /** When the last sync went through (Date.now()), or null. */
  lastSync: number | null;
  /** Does this tab run the sync (it holds the lock) or follow the tab that does? */
  leader: boolean;
}

/** Options of live(). */
export interface LiveOptions {
  /** Entries per page of each sync (see sync()). */
  pageSize?: number;
  /** A sync at least this often (ms, default 30,000; 0: none), besides what the live channel says. */
  interval?: number;
  /** How long a local write waits for more before they are pushed together (ms, default 20). */
  debounce?: number;
  /** The first and the longest wait between attempts while the server is unreachable (ms, defaults 250 and 30,000; each wait doubles, with jitter). */
  minBackoff?: number;
  maxBackoff?: number;
  /** Called with the status now and after every change (as subscribe()). */
  onStatus?: (s: LiveStatus) => void;
  /** After each sync, fetch the bytes of every attachment not here yet (default false: when read). */
  prefetch?: boolean;
}

/** A running live sync. */
export interface LiveSync {
  /** The status now. */
  readonly status: LiveStatus;
  /** Calls cb with the status now and after every change; returns the unsubscribe function. */
  subscribe(cb: (s: LiveStatus) => void): () => void;
  /** Syncs now, in the tab that leads (a follower resolves at once); rejects as sync() would. */
  syncNow(): Promise<void>;
  /** Stops it in this tab; if this tab led, another tab running live() on the database takes over. */
  stop(): Promise<void>;
}

/**
 * Keeps engine in sync with transport (a fetchTransport to a space) until stop(): local writes are pushed
 * soon after they commit, the server's live channel says when other devices wrote, a slow interval, the
 * browser's `online` event and the tab becoming visible trigger a sync too; while the server cannot be
 * reached it backs off exponentially with jitter, and it survives the server restarting. Tabs on one
 * database run one live sync between them (a Web Lock elects the tab that syncs; the others follow its
 * status and take over when it closes).
 */
export function live(engine: Engine, transport: Transport | FetchTransport, opts?: LiveOptions): LiveSync;

/**
 * The transport to a sync server over HTTP, for sync(engine, transport); for idbsync-server:
 * `fetchTransport('https://sync.example/', {space: 'team-1', token: getToken})`. The server answers three
 * POSTs: `cursors` (answers the cursors as JSON, indexes past 2^53 as decimal strings), `read-since` (takes
 * JSON `{peer, from, limit}`, `from` a decimal string when it is a BigInt, answers the wire batch as
 * `application/octet-stream`) and `apply` (takes the wire batch, answers JSON `{applied, skipped}`). A
 * failure is a non-2xx answer with JSON `{code, message}` (and `expected`, `actual` of a CURSOR_MISMATCH,
 * `peer`, `idx` of a FORKED peer, set on the error), which the call rejects with: UNAUTHENTICATED (no token,
 * a bad or expired one), PERMISSION_DENIED (the token does not grant the space, or the peer belongs to
 * another user), FORKED, CLOCK_SKEW, ...; without one of ours, the status decides: 401 UNAUTHENTICATED,
 * 403 PERMISSION_DENIED, 409 CONFLICT, 408, 429 and 5xx UNAVAILABLE, other 4xx INVALID_ARGUMENT. A server
 * that cannot be reached or does not answer within the timeout rejects with UNAVAILABLE (its `cause` is
 * fetch's error, or the abort's TimeoutError), never CLOSED: retry later. An answer that is not what the
 * protocol says rejects with CORRUPT.
 */
export function fetchTransport(url: string | URL, opts?: FetchTransportOptions): FetchTransport;
