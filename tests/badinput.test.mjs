// Wrong input, call by call: every bad call fails cleanly and changes
// nothing.
//
// How a wrong call fails, by kind of function (web/idbsync.d.ts):
// - Promise-returning calls (open, sync, and the engine's exec, get, scan,
//   readSince, apply, expunge, putBlob, getBlob, deleteBlob) never throw
//   synchronously: they reject.
// - Synchronous functions (engine.watch, engine.watchCursors, decode and
//   engine.decode, connect, serve, fetchTransport) throw.
// Either way the error is an IdbsyncError (whether JavaScript, the Go module
// or a transport found the fault) with a stable `code` (INVALID_ARGUMENT, or
// CORRUPT for a malformed batch) and a readable message — never a Go
// panic ('internal error'), never a hang — and the stored state (cursors,
// scan, blobs, stats of both engines, the list of databases) is exactly as
// before. A call must not kill the Go module either: the cases run in one
// page, and the last test checks the engine still works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, newContext, openPage } from './lib.mjs';

const INVALID = ['INVALID_ARGUMENT'];
const CORRUPT = ['CORRUPT'];
// A batch whose checksum holds but whose entry is not valid (forged): the
// engine may call it either.
const FORGED = ['CORRUPT', 'INVALID_ARGUMENT'];
const SYNC_CALLS = new Set(['watch', 'watchCursors', 'decode', 'connect', 'serve', 'fetchTransport']);

// [call, case name, expression (in scope: m, e, other, peer, stranger,
// batch, otherBatch, port, fake, pull, forged, flip, K), the codes it may have].
// e and other are open engines with data; peer is e.peer; batch is
// e.readSince(peer, 0, 10); K is 'k'.repeat(n).
const cases = [
  // ---- open ----
  ['open', 'no argument', 'm.open()', INVALID],
  ['open', 'a number', 'm.open(42)', INVALID],
  ['open', 'null', 'm.open(null)', INVALID],
  ['open', 'a string', "m.open('bad-open')", INVALID],
  ['open', 'an array', "m.open(['bad-open'])", INVALID],
  ['open', 'no name', 'm.open({})', INVALID],
  ['open', 'name: number', 'm.open({ name: 42 })', INVALID],
  ['open', 'name: null', 'm.open({ name: null })', INVALID],
  ['open', 'name: empty', "m.open({ name: '' })", INVALID],
  ['open', 'name: object', 'm.open({ name: {} })', INVALID],
  ['open', 'name: array', "m.open({ name: ['x'] })", INVALID],
  ['open', 'name: boolean', 'm.open({ name: true })', INVALID],
  ['open', 'name: BigInt', 'm.open({ name: 1n })', INVALID],
  ['open', 'peer: number', "m.open({ name: 'bad-open', peer: 42 })", INVALID],
  ['open', 'peer: null', "m.open({ name: 'bad-open', peer: null })", INVALID],
  ['open', 'peer: BigInt', "m.open({ name: 'bad-open', peer: 1n })", INVALID],
  ['open', 'peer: object', "m.open({ name: 'bad-open', peer: {} })", INVALID],
  ['open', 'peer: not a uuid', "m.open({ name: 'bad-open', peer: 'not-a-uuid' })", INVALID],
  ['open', 'peer: empty', "m.open({ name: 'bad-open', peer: '' })", INVALID],
  ['open', 'peer: nil uuid', "m.open({ name: 'bad-open', peer: '00000000-0000-0000-0000-000000000000' })", INVALID],
  ['open', 'peer: uuid without dashes', "m.open({ name: 'bad-open', peer: stranger.replaceAll('-', '') })", INVALID],
  ['open', 'peer: uuid in braces', "m.open({ name: 'bad-open', peer: `{${stranger}}` })", INVALID],
  ['open', 'peer: another than the database\'s', "m.open({ name: e.name, peer: stranger })", INVALID],
  ['open', 'durability: unknown', "m.open({ name: 'bad-open', durability: 'fast' })", INVALID],
  ['open', 'durability: number', "m.open({ name: 'bad-open', durability: 1 })", INVALID],
  ['open', 'worker: unknown', "m.open({ name: 'bad-open', worker: 'service' })", INVALID],
  ['open', 'worker: null', "m.open({ name: 'bad-open', worker: null })", INVALID],
  ['open', 'worker: number', "m.open({ name: 'bad-open', worker: 0 })", INVALID],
  ['open', 'worker: object', "m.open({ name: 'bad-open', worker: {} })", INVALID],
  ['open', 'wasm: number', "m.open({ name: 'bad-open', wasm: 42 })", INVALID],
  ['open', 'layout: unknown', "m.open({ name: 'bad-open', layout: 'lsm' })", INVALID],
  ['open', 'layout: number', "m.open({ name: 'bad-open', layout: 1 })", INVALID],

  // ---- exec ----
  ['exec', 'no argument', 'e.exec()', INVALID],
  ['exec', 'a number', 'e.exec(42)', INVALID],
  ['exec', 'null', 'e.exec(null)', INVALID],
  ['exec', 'a string', "e.exec('put')", INVALID],
  ['exec', 'a boolean', 'e.exec(true)', INVALID],
  ['exec', 'a BigInt', 'e.exec(1n)', INVALID],
  ['exec', 'an op, not an array', "e.exec({ put: 'k', value: 'v' })", INVALID],
  ['exec', 'empty array', 'e.exec([])', INVALID],
  ['exec', 'op: null', 'e.exec([null])', INVALID],
  ['exec', 'op: number', 'e.exec([42])', INVALID],
  ['exec', 'op: string', "e.exec(['k'])", INVALID],
  ['exec', 'op: array', "e.exec([['k', 'v']])", INVALID],
  ['exec', 'op: neither put nor del', 'e.exec([{}])', INVALID],
  ['exec', 'op: both put and del', "e.exec([{ put: 'k', value: 'v', del: 'k' }])", INVALID],
  ['exec', 'op: del with a value', "e.exec([{ del: 'b', value: 'v' }])", INVALID],
  ['exec', 'op: put without value', "e.exec([{ put: 'k' }])", INVALID],
  ['exec', 'op: value undefined', "e.exec([{ put: 'k', value: undefined }])", INVALID],
  ['exec', 'value: number', "e.exec([{ put: 'k', value: 42 }])", INVALID],
  ['exec', 'value: null', "e.exec([{ put: 'k', value: null }])", INVALID],
  ['exec', 'value: object', "e.exec([{ put: 'k', value: {} }])", INVALID],
  ['exec', 'value: array', "e.exec([{ put: 'k', value: [1, 2] }])", INVALID],
  ['exec', 'value: boolean', "e.exec([{ put: 'k', value: false }])", INVALID],
  ['exec', 'value: BigInt', "e.exec([{ put: 'k', value: 1n }])", INVALID],
  ['exec', 'value: ArrayBuffer', "e.exec([{ put: 'k', value: new ArrayBuffer(2) }])", INVALID],
  ['exec', 'value: Uint16Array', "e.exec([{ put: 'k', value: new Uint16Array(2) }])", INVALID],
  ['exec', 'key: number', "e.exec([{ put: 42, value: 'v' }])", INVALID],
  ['exec', 'key: null', "e.exec([{ put: null, value: 'v' }])", INVALID],
  ['exec', 'key: object', "e.exec([{ put: {}, value: 'v' }])", INVALID],
  ['exec', 'key: array', "e.exec([{ put: ['k'], value: 'v' }])", INVALID],
  ['exec', 'key: BigInt', "e.exec([{ put: 1n, value: 'v' }])", INVALID],
  ['exec', 'del key: number', 'e.exec([{ del: 42 }])', INVALID],
  ['exec', 'del key: null', 'e.exec([{ del: null }])', INVALID],
  ['exec', 'key: empty (put)', "e.exec([{ put: '', value: 'v' }])", INVALID],
  ['exec', 'key: empty (del)', "e.exec([{ del: '' }])", INVALID],
  ['exec', 'key: 2000 chars', "e.exec([{ put: K(2000), value: 'v' }])", INVALID],
  ['exec', 'key: 1025 bytes', "e.exec([{ put: K(1025), value: 'v' }])", INVALID],
  ['exec', 'key: 1026 bytes in 513 chars', "e.exec([{ put: 'é'.repeat(513), value: 'v' }])", INVALID],
  ['exec', 'a good op then a bad one (all or nothing)', "e.exec([{ put: 'good', value: '1' }, { put: '', value: '2' }])", INVALID],
  ['exec', 'a good op then null', "e.exec([{ put: 'good', value: '1' }, null])", INVALID],
  // A lone surrogate has no UTF-8 form: it would be stored as U+FFFD, one key for many.
  ['exec', 'key: a lone high surrogate', "e.exec([{ put: '\\uD800', value: 'v' }])", INVALID],
  ['exec', 'key: a lone low surrogate inside', "e.exec([{ put: 'a\\uDC00b', value: 'v' }])", INVALID],
  ['exec', 'key: a pair in the wrong order', "e.exec([{ put: '\\uDC00\\uD800', value: 'v' }])", INVALID],
  ['exec', 'del key: a lone surrogate', "e.exec([{ del: 'b\\uD800' }])", INVALID],
  ['exec', 'value: a string with a lone surrogate', "e.exec([{ put: 'k', value: 'x\\uDBFF' }])", INVALID],
  ['exec', 'a good op then a lone surrogate (all or nothing)', "e.exec([{ put: 'good', value: '1' }, { put: '\\uDFFF', value: '2' }])", INVALID],

  // ---- get ----
  ['get', 'no argument', 'e.get()', INVALID],
  ['get', 'a number', 'e.get(42)', INVALID],
  ['get', 'null', 'e.get(null)', INVALID],
  ['get', 'an object', 'e.get({})', INVALID],
  ['get', 'an array', "e.get(['b'])", INVALID],
  ['get', 'a boolean', 'e.get(true)', INVALID],
  ['get', 'a BigInt', 'e.get(1n)', INVALID],
  ['get', 'empty key', "e.get('')", INVALID],
  ['get', 'a lone surrogate', "e.get('\\uD800')", INVALID],

  // ---- getMany ----
  ['getMany', 'no argument', 'e.getMany()', INVALID],
  ['getMany', 'a string', "e.getMany('b')", INVALID],
  ['getMany', 'null', 'e.getMany(null)', INVALID],
  ['getMany', 'an object', "e.getMany({ 0: 'b' })", INVALID],
  ['getMany', 'a number in it', "e.getMany(['b', 42])", INVALID],
  ['getMany', 'null in it', "e.getMany(['b', null])", INVALID],
  ['getMany', 'an empty key in it', "e.getMany(['b', ''])", INVALID],
  ['getMany', 'a lone surrogate in it', "e.getMany(['b', '\\uD800'])", INVALID],

  // ---- scan ----
  ['scan', 'null', 'e.scan(null)', INVALID],
  ['scan', 'a number', 'e.scan(42)', INVALID],
  ['scan', 'a string', "e.scan('b')", INVALID],
  ['scan', 'a boolean', 'e.scan(true)', INVALID],
  ['scan', 'a BigInt', 'e.scan(1n)', INVALID],
  ['scan', 'an array', 'e.scan([])', INVALID],
  ['scan', 'prefix: number', 'e.scan({ prefix: 42 })', INVALID],
  ['scan', 'prefix: null', 'e.scan({ prefix: null })', INVALID],
  ['scan', 'prefix: object', 'e.scan({ prefix: {} })', INVALID],
  ['scan', 'prefix: BigInt', 'e.scan({ prefix: 1n })', INVALID],
  ['scan', 'start: number', 'e.scan({ start: 42 })', INVALID],
  ['scan', 'start: array', "e.scan({ start: ['a'] })", INVALID],
  ['scan', 'prefix: a lone surrogate', "e.scan({ prefix: '\\uD800' })", INVALID],
  ['scan', 'start: a lone surrogate', "e.scan({ start: 'b\\uDC00' })", INVALID],
  ['scan', 'limit: string', "e.scan({ limit: '1' })", INVALID],
  ['scan', 'limit: null', 'e.scan({ limit: null })', INVALID],
  ['scan', 'limit: 0', 'e.scan({ limit: 0 })', INVALID],
  ['scan', 'limit: negative', 'e.scan({ limit: -1 })', INVALID],
  ['scan', 'limit: fractional', 'e.scan({ limit: 1.5 })', INVALID],
  ['scan', 'limit: NaN', 'e.scan({ limit: NaN })', INVALID],
  ['scan', 'limit: Infinity', 'e.scan({ limit: Infinity })', INVALID],
  ['scan', 'limit: 2^31', 'e.scan({ limit: 2 ** 31 })', INVALID],
  ['scan', 'limit: > 2^53', 'e.scan({ limit: 2 ** 54 })', INVALID],
  ['scan', 'limit: BigInt', 'e.scan({ limit: 1n })', INVALID],

  // ---- readSince ----
  ['readSince', 'no argument', 'e.readSince()', INVALID],
  ['readSince', 'peer: number', 'e.readSince(42, 0, 10)', INVALID],
  ['readSince', 'peer: null', 'e.readSince(null, 0, 10)', INVALID],
  ['readSince', 'peer: object', 'e.readSince({}, 0, 10)', INVALID],
  ['readSince', 'peer: array', 'e.readSince([peer], 0, 10)', INVALID],
  ['readSince', 'peer: boolean', 'e.readSince(true, 0, 10)', INVALID],
  ['readSince', 'peer: BigInt', 'e.readSince(1n, 0, 10)', INVALID],
  ['readSince', 'peer: not a uuid', "e.readSince('not-a-uuid', 0, 10)", INVALID],
  ['readSince', 'peer: empty', "e.readSince('', 0, 10)", INVALID],
  ['readSince', 'peer: nil uuid', "e.readSince('00000000-0000-0000-0000-000000000000', 0, 10)", INVALID],
  ['readSince', 'peer: uuid without dashes', "e.readSince(peer.replaceAll('-', ''), 0, 10)", INVALID],
  ['readSince', 'from: missing', 'e.readSince(peer)', INVALID],
  ['readSince', 'from: null', 'e.readSince(peer, null, 10)', INVALID],
  ['readSince', 'from: string', "e.readSince(peer, '0', 10)", INVALID],
  ['readSince', 'from: object', 'e.readSince(peer, {}, 10)', INVALID],
  ['readSince', 'from: negative', 'e.readSince(peer, -1, 10)', INVALID],
  ['readSince', 'from: negative BigInt', 'e.readSince(peer, -1n, 10)', INVALID],
  ['readSince', 'from: fractional', 'e.readSince(peer, 0.5, 10)', INVALID],
  ['readSince', 'from: NaN', 'e.readSince(peer, NaN, 10)', INVALID],
  ['readSince', 'from: Infinity', 'e.readSince(peer, Infinity, 10)', INVALID],
  ['readSince', 'from: 2^53 as a Number (not safe)', 'e.readSince(peer, 2 ** 53, 10)', INVALID],
  ['readSince', 'from: 2^64 as a BigInt', 'e.readSince(peer, 2n ** 64n, 10)', INVALID],
  ['readSince', 'limit: missing', 'e.readSince(peer, 0)', INVALID],
  ['readSince', 'limit: null', 'e.readSince(peer, 0, null)', INVALID],
  ['readSince', 'limit: string', "e.readSince(peer, 0, '10')", INVALID],
  ['readSince', 'limit: 0', 'e.readSince(peer, 0, 0)', INVALID],
  ['readSince', 'limit: negative', 'e.readSince(peer, 0, -1)', INVALID],
  ['readSince', 'limit: fractional', 'e.readSince(peer, 0, 2.5)', INVALID],
  ['readSince', 'limit: NaN', 'e.readSince(peer, 0, NaN)', INVALID],
  ['readSince', 'limit: 2^31', 'e.readSince(peer, 0, 2 ** 31)', INVALID],
  ['readSince', 'limit: BigInt', 'e.readSince(peer, 0, 10n)', INVALID],

  // ---- apply ----
  ['apply', 'no argument', 'e.apply()', INVALID],
  ['apply', 'a number', 'e.apply(42)', INVALID],
  ['apply', 'null', 'e.apply(null)', INVALID],
  ['apply', 'a string', "e.apply('batch')", INVALID],
  ['apply', 'an array of bytes', 'e.apply(Array.from(batch))', INVALID],
  ['apply', 'an object', 'e.apply({})', INVALID],
  ['apply', 'an ArrayBuffer', 'e.apply(batch.slice().buffer)', INVALID],
  ['apply', 'a boolean', 'e.apply(true)', INVALID],
  ['apply', 'a BigInt', 'e.apply(1n)', INVALID],
  ['apply', 'empty bytes', 'other.apply(new Uint8Array(0))', CORRUPT],
  ['apply', 'truncated by one byte', 'other.apply(batch.subarray(0, batch.length - 1))', CORRUPT],
  ['apply', 'truncated to half', 'other.apply(batch.subarray(0, batch.length >> 1))', CORRUPT],
  ['apply', 'one byte', 'other.apply(batch.subarray(0, 1))', CORRUPT],
  ['apply', 'a trailing byte', 'other.apply(Uint8Array.from([...batch, 0]))', CORRUPT],
  ['apply', 'two batches end to end', 'other.apply(Uint8Array.from([...batch, ...batch]))', CORRUPT],
  ['apply', 'random bytes', 'other.apply(T.bytes(64, 7))', CORRUPT],
  ['apply', 'random bytes after a map header', 'other.apply(Uint8Array.from([0x83, ...T.bytes(200, 9)]))', CORRUPT],
  ['apply', 'a middle byte flipped', 'other.apply(flip(batch, batch.length >> 1))', CORRUPT],
  ['apply', 'the last byte flipped', 'other.apply(flip(batch, batch.length - 1))', CORRUPT],
  ['apply', 'the first byte flipped', 'other.apply(flip(batch, 0))', CORRUPT],
  ['apply', 'forged: valid checksum, unknown op tag', "other.apply(forged.tag)", FORGED],
  ['apply', 'forged: valid checksum, 15-byte peer', "other.apply(forged.shortPeer)", FORGED],
  ['apply', 'forged: valid checksum, nil peer', "other.apply(forged.nilPeer)", FORGED],
  ['apply', 'forged: valid checksum, entry count past the bytes', "other.apply(forged.count)", FORGED],

  // ---- expunge ----
  ['expunge', 'no argument', 'e.expunge()', INVALID],
  ['expunge', 'peer: number', 'e.expunge(42, 0)', INVALID],
  ['expunge', 'peer: null', 'e.expunge(null, 0)', INVALID],
  ['expunge', 'peer: object', 'e.expunge({}, 0)', INVALID],
  ['expunge', 'peer: BigInt', 'e.expunge(1n, 0)', INVALID],
  ['expunge', 'peer: not a uuid', "e.expunge('not-a-uuid', 0)", INVALID],
  ['expunge', 'idx: missing', 'e.expunge(peer)', INVALID],
  ['expunge', 'idx: null', 'e.expunge(peer, null)', INVALID],
  ['expunge', 'idx: string', "e.expunge(peer, '0')", INVALID],
  ['expunge', 'idx: negative', 'e.expunge(peer, -1)', INVALID],
  ['expunge', 'idx: negative BigInt', 'e.expunge(peer, -1n)', INVALID],
  ['expunge', 'idx: fractional', 'e.expunge(peer, 0.5)', INVALID],
  ['expunge', 'idx: NaN', 'e.expunge(peer, NaN)', INVALID],
  ['expunge', 'idx: 2^53 as a Number', 'e.expunge(peer, 2 ** 53)', INVALID],
  ['expunge', 'idx: not written yet', 'e.expunge(peer, 99)', INVALID],
  ['expunge', 'idx: beyond 2^53, not written', 'e.expunge(peer, 2n ** 60n)', INVALID],
  ['expunge', 'a peer this replica never saw', 'e.expunge(stranger, 0)', INVALID],

  // ---- putBlob / getBlob / deleteBlob ----
  ['putBlob', 'no argument', 'e.putBlob()', INVALID],
  ['putBlob', 'no bytes', "e.putBlob('seed')", INVALID],
  ['putBlob', 'key: number', "e.putBlob(42, 'x')", INVALID],
  ['putBlob', 'key: null', "e.putBlob(null, 'x')", INVALID],
  ['putBlob', 'key: object', "e.putBlob({}, 'x')", INVALID],
  ['putBlob', 'key: BigInt', "e.putBlob(1n, 'x')", INVALID],
  ['putBlob', 'key: empty', "e.putBlob('', 'x')", INVALID],
  ['putBlob', 'bytes: number', "e.putBlob('seed', 42)", INVALID],
  ['putBlob', 'bytes: null', "e.putBlob('seed', null)", INVALID],
  ['putBlob', 'bytes: object', "e.putBlob('seed', {})", INVALID],
  ['putBlob', 'bytes: array', "e.putBlob('seed', [1, 2])", INVALID],
  ['putBlob', 'bytes: boolean', "e.putBlob('seed', true)", INVALID],
  ['putBlob', 'bytes: BigInt', "e.putBlob('seed', 1n)", INVALID],
  ['putBlob', 'bytes: ArrayBuffer', "e.putBlob('seed', new ArrayBuffer(4))", INVALID],
  ['putBlob', 'key: a lone surrogate', "e.putBlob('seed\\uD800', 'x')", INVALID],
  ['putBlob', 'bytes: a string with a lone surrogate', "e.putBlob('seed', '\\uDC00')", INVALID],
  ['getBlob', 'no argument', 'e.getBlob()', INVALID],
  ['getBlob', 'a number', 'e.getBlob(42)', INVALID],
  ['getBlob', 'null', 'e.getBlob(null)', INVALID],
  ['getBlob', 'an object', 'e.getBlob({})', INVALID],
  ['getBlob', 'an array', "e.getBlob(['seed'])", INVALID],
  ['getBlob', 'a BigInt', 'e.getBlob(1n)', INVALID],
  ['getBlob', 'empty key', "e.getBlob('')", INVALID],
  ['getBlob', 'key: a lone surrogate', "e.getBlob('seed\\uD800')", INVALID],
  ['deleteBlob', 'no argument', 'e.deleteBlob()', INVALID],
  ['deleteBlob', 'a number', 'e.deleteBlob(42)', INVALID],
  ['deleteBlob', 'null', 'e.deleteBlob(null)', INVALID],
  ['deleteBlob', 'an object', 'e.deleteBlob({})', INVALID],
  ['deleteBlob', 'an array', "e.deleteBlob(['seed'])", INVALID],
  ['deleteBlob', 'a BigInt', 'e.deleteBlob(1n)', INVALID],
  ['deleteBlob', 'empty key', "e.deleteBlob('')", INVALID],
  ['deleteBlob', 'key: a lone surrogate', "e.deleteBlob('seed\\uD800')", INVALID],

  // ---- watch / watchCursors (synchronous: they throw) ----
  ['watch', 'no argument', 'e.watch()', INVALID],
  ['watch', 'no callback', "e.watch({ prefix: 'a' })", INVALID],
  ['watch', 'callback: number', "e.watch({ prefix: 'a' }, 42)", INVALID],
  ['watch', 'callback: object', "e.watch({ prefix: 'a' }, {})", INVALID],
  ['watch', 'callback: string', "e.watch({}, 'cb')", INVALID],
  ['watch', 'options: null', 'e.watch(null, () => {})', INVALID],
  ['watch', 'options: number', 'e.watch(42, () => {})', INVALID],
  ['watch', 'options: string', "e.watch('a', () => {})", INVALID],
  ['watch', 'options: array', "e.watch(['a'], () => {})", INVALID],
  ['watch', 'options: BigInt', 'e.watch(1n, () => {})', INVALID],
  ['watch', 'prefix: number', 'e.watch({ prefix: 42 }, () => {})', INVALID],
  ['watch', 'prefix: null', 'e.watch({ prefix: null }, () => {})', INVALID],
  ['watch', 'prefix: BigInt', 'e.watch({ prefix: 1n }, () => {})', INVALID],
  ['watch', 'prefix: a lone surrogate', "e.watch({ prefix: '\\uD800' }, () => {})", INVALID],
  ['watch', 'onError: number', "e.watch({ prefix: 'a', onError: 42 }, () => {})", INVALID],
  ['watch', 'onError: string', "e.watch({ onError: 'log' }, () => {})", INVALID],
  ['watchCursors', 'no argument', 'e.watchCursors()', INVALID],
  ['watchCursors', 'a number', 'e.watchCursors(42)', INVALID],
  ['watchCursors', 'null', 'e.watchCursors(null)', INVALID],
  ['watchCursors', 'an object', 'e.watchCursors({})', INVALID],
  ['watchCursors', 'a string', "e.watchCursors('cb')", INVALID],
  ['watchCursors', 'a BigInt', 'e.watchCursors(1n)', INVALID],
  ['watchCursors', 'options: null', 'e.watchCursors(() => {}, null)', INVALID],
  ['watchCursors', 'options: a function', 'e.watchCursors(() => {}, () => {})', INVALID],
  ['watchCursors', 'onError: number', 'e.watchCursors(() => {}, { onError: 42 })', INVALID],

  // ---- sync ----
  ['sync', 'no argument', 'm.sync()', INVALID],
  ['sync', 'no other side', 'm.sync(e)', INVALID],
  ['sync', 'a: number', 'm.sync(42, other)', INVALID],
  ['sync', 'a: null', 'm.sync(null, other)', INVALID],
  ['sync', 'a: object', 'm.sync({}, other)', INVALID],
  ['sync', 'a: a transport, not an engine', 'm.sync(fake({}), other)', INVALID],
  ['sync', 'b: number', 'm.sync(e, 42)', INVALID],
  ['sync', 'b: null', 'm.sync(e, null)', INVALID],
  ['sync', 'b: string', "m.sync(e, 'other')", INVALID],
  ['sync', 'b: boolean', 'm.sync(e, true)', INVALID],
  ['sync', 'b: BigInt', 'm.sync(e, 1n)', INVALID],
  ['sync', 'b: array', 'm.sync(e, [])', INVALID],
  ['sync', 'b: object without methods', 'm.sync(e, {})', INVALID],
  ['sync', 'b: methods that are not functions', 'm.sync(e, { cursors: 1, readSince: 1, apply: 1 })', INVALID],
  ['sync', 'b: no apply', 'm.sync(e, { cursors: async () => ({}), readSince: async () => batch })', INVALID],
  ['sync', 'options: null', 'm.sync(e, other, null)', INVALID],
  ['sync', 'options: number', 'm.sync(e, other, 42)', INVALID],
  ['sync', 'options: string', "m.sync(e, other, 'fast')", INVALID],
  ['sync', 'pageSize: 0', 'm.sync(e, other, { pageSize: 0 })', INVALID],
  ['sync', 'pageSize: negative', 'm.sync(e, other, { pageSize: -1 })', INVALID],
  ['sync', 'pageSize: fractional', 'm.sync(e, other, { pageSize: 1.5 })', INVALID],
  ['sync', 'pageSize: NaN', 'm.sync(e, other, { pageSize: NaN })', INVALID],
  ['sync', 'pageSize: Infinity', 'm.sync(e, other, { pageSize: Infinity })', INVALID],
  ['sync', 'pageSize: 2^31', 'm.sync(e, other, { pageSize: 2 ** 31 })', INVALID],
  ['sync', 'pageSize: string', "m.sync(e, other, { pageSize: '10' })", INVALID],
  ['sync', 'pageSize: BigInt', 'm.sync(e, other, { pageSize: 10n })', INVALID],
  ['sync', 'transport: cursors() answers a number', 'm.sync(e, fake({ cursors: async () => 42 }))', INVALID],
  ['sync', 'transport: cursors() answers null', 'm.sync(e, fake({ cursors: async () => null }))', INVALID],
  ['sync', 'transport: cursors() has a bad peer', "m.sync(e, fake({ cursors: async () => ({ 'not-a-uuid': 1 }) }))", INVALID],
  ['sync', 'transport: cursors() has a negative index', 'm.sync(e, fake({ cursors: async () => ({ [stranger]: -1 }) }))', INVALID],
  ['sync', 'transport: cursors() has a fractional index', 'm.sync(e, fake({ cursors: async () => ({ [stranger]: 1.5 }) }))', INVALID],
  ['sync', 'transport: readSince() answers a string', "m.sync(e, pull({ [stranger]: 1 }, async () => 'bytes'))", INVALID],
  ['sync', 'transport: readSince() answers a BigInt', 'm.sync(e, pull({ [stranger]: 1 }, async () => 1n))', INVALID],
  ['sync', 'transport: readSince() answers nothing', 'm.sync(e, pull({ [stranger]: 1 }, async () => undefined))', INVALID],
  ['sync', 'transport: readSince() answers random bytes', 'm.sync(e, pull({ [stranger]: 1 }, async () => T.bytes(64, 3)))', CORRUPT],
  ['sync', 'transport: readSince() answers an empty batch', 'm.sync(e, pull({ [other.peer]: 1 }, async () => other.readSince(other.peer, 5, 10)))', CORRUPT],
  ['sync', 'transport: readSince() answers a truncated batch', 'm.sync(e, pull({ [other.peer]: 1 }, async () => otherBatch.subarray(0, otherBatch.length - 2)))', CORRUPT],
  ['sync', 'transport: readSince() answers another peer\'s entries', 'm.sync(e, pull({ [stranger]: 1 }, async () => otherBatch))', CORRUPT],
  ['sync', 'transport: apply() answers a number', 'm.sync(e, fake({ cursors: async () => ({}), apply: async () => 42 }))', INVALID],
  ['sync', 'transport: apply() answers a negative count', 'm.sync(e, fake({ cursors: async () => ({}), apply: async () => ({ applied: -1, skipped: 0 }) }))', INVALID],

  // ---- decode (synchronous: it throws) ----
  ['decode', 'no argument', 'm.decode()', INVALID],
  ['decode', 'a number', 'm.decode(42)', INVALID],
  ['decode', 'null', 'm.decode(null)', INVALID],
  ['decode', 'a string', "m.decode('batch')", INVALID],
  ['decode', 'an array of bytes', 'm.decode(Array.from(batch))', INVALID],
  ['decode', 'an object', 'm.decode({})', INVALID],
  ['decode', 'an ArrayBuffer', 'm.decode(batch.slice().buffer)', INVALID],
  ['decode', 'a BigInt', 'm.decode(1n)', INVALID],
  ['decode', 'engine.decode: a number', 'e.decode(42)', INVALID],
  ['decode', 'empty bytes', 'm.decode(new Uint8Array(0))', CORRUPT],
  ['decode', 'truncated', 'm.decode(batch.subarray(0, batch.length - 1))', CORRUPT],
  ['decode', 'random bytes', 'm.decode(T.bytes(64, 11))', CORRUPT],
  ['decode', 'a byte flipped', 'm.decode(flip(batch, batch.length >> 1))', CORRUPT],
  ['decode', 'engine.decode: a byte flipped', 'e.decode(flip(batch, 3))', CORRUPT],
  ['decode', 'forged: unknown op tag', 'm.decode(forged.tag)', FORGED],
  ['decode', 'forged: entry count past the bytes', 'm.decode(forged.count)', FORGED],

  // ---- connect / serve (synchronous: they throw) ----
  ['connect', 'no argument', 'm.connect()', INVALID],
  ['connect', 'no options', 'm.connect(port)', INVALID],
  ['connect', 'no name', 'm.connect(port, {})', INVALID],
  ['connect', 'options: null', 'm.connect(port, null)', INVALID],
  ['connect', 'options: number', 'm.connect(port, 42)', INVALID],
  ['connect', 'name: number', 'm.connect(port, { name: 42 })', INVALID],
  ['connect', 'name: null', 'm.connect(port, { name: null })', INVALID],
  ['connect', 'name: BigInt', 'm.connect(port, { name: 1n })', INVALID],
  ['connect', 'name: object', 'm.connect(port, { name: {} })', INVALID],
  ['connect', 'port: missing', 'm.connect(undefined, { name: peer })', INVALID],
  ['connect', 'port: null', 'm.connect(null, { name: peer })', INVALID],
  ['connect', 'port: number', 'm.connect(42, { name: peer })', INVALID],
  ['connect', 'port: object without postMessage', 'm.connect({}, { name: peer })', INVALID],
  ['connect', 'timeout: string', "m.connect(port, { name: peer, timeout: 'soon' })", INVALID],
  ['connect', 'timeout: negative', 'm.connect(port, { name: peer, timeout: -1 })', INVALID],
  ['connect', 'port: window without origin', 'm.connect(window, { name: peer })', INVALID],
  ['connect', 'port: window.self without origin', 'm.connect(window.self, { name: peer })', INVALID],
  ['connect', "origin: '*'", "m.connect(window, { name: peer, origin: '*' })", INVALID],
  ['connect', 'origin: a URL with a path', "m.connect(window, { name: peer, origin: location.href })", INVALID],
  ['connect', "origin: 'null'", "m.connect(window, { name: peer, origin: 'null' })", INVALID],
  ['connect', 'origin: number', 'm.connect(window, { name: peer, origin: 42 })', INVALID],
  ['connect', 'origin: on a MessagePort', 'm.connect(port, { name: peer, origin: location.origin })', INVALID],
  ['serve', 'no argument', 'm.serve()', INVALID],
  ['serve', 'engine: number', 'm.serve(42, port)', INVALID],
  ['serve', 'engine: object', 'm.serve({}, port)', INVALID],
  ['serve', 'port: missing', 'm.serve(e)', INVALID],
  ['serve', 'port: null', 'm.serve(e, null)', INVALID],
  ['serve', 'port: number', 'm.serve(e, 42)', INVALID],
  ['serve', 'options: null', 'm.serve(e, port, null)', INVALID],
  ['serve', 'name: number', 'm.serve(e, port, { name: 42 })', INVALID],
  ['serve', 'port: window without origin', 'm.serve(e, window)', INVALID],
  ['serve', 'port: window.top without origin', 'm.serve(e, window.top)', INVALID],
  ['serve', "origin: '*'", "m.serve(e, window, { origin: '*' })", INVALID],
  ['serve', 'origin: with a trailing slash', "m.serve(e, window, { origin: `${location.origin}/` })", INVALID],
  ['serve', 'origin: null', 'm.serve(e, window, { origin: null })', INVALID],
  ['serve', 'origin: on a MessagePort', 'm.serve(e, port, { origin: location.origin })', INVALID],
  ['serve', 'authorize: boolean', 'm.serve(e, port, { authorize: true })', INVALID],
  ['serve', 'authorize: object', 'm.serve(e, port, { authorize: {} })', INVALID],
  ['serve', 'maxLimit: 0', 'm.serve(e, port, { maxLimit: 0 })', INVALID],
  ['serve', 'maxLimit: fractional', 'm.serve(e, port, { maxLimit: 2.5 })', INVALID],
  ['serve', 'maxLimit: string', "m.serve(e, port, { maxLimit: '10' })", INVALID],
  ['serve', 'maxLimit: 2^31', 'm.serve(e, port, { maxLimit: 2 ** 31 })', INVALID],

  // ---- fetchTransport (synchronous: it throws), and its transport's calls ----
  ['fetchTransport', 'no argument', 'm.fetchTransport()', INVALID],
  ['fetchTransport', 'url: number', 'm.fetchTransport(42)', INVALID],
  ['fetchTransport', 'url: not a URL', "m.fetchTransport('http://[::1')", INVALID],
  ['fetchTransport', 'options: null', 'm.fetchTransport(location.origin, null)', INVALID],
  ['fetchTransport', 'options: string', "m.fetchTransport(location.origin, 'space')", INVALID],
  ['fetchTransport', 'space: number', 'm.fetchTransport(location.origin, { space: 1 })', INVALID],
  ['fetchTransport', 'space: empty', "m.fetchTransport(location.origin, { space: '' })", INVALID],
  ['fetchTransport', 'space: lone surrogate', "m.fetchTransport(location.origin, { space: 'a\\uD800' })", INVALID],
  ['fetchTransport', 'token: number', "m.fetchTransport(location.origin, { space: 's', token: 42 })", INVALID],
  ['fetchTransport', 'token: empty', "m.fetchTransport(location.origin, { space: 's', token: '' })", INVALID],
  ['fetchTransport', 'token: null', "m.fetchTransport(location.origin, { space: 's', token: null })", INVALID],
  ['fetchTransport', 'token: object', "m.fetchTransport(location.origin, { space: 's', token: {} })", INVALID],
  ['fetchTransport', 'token: with a space', "m.fetchTransport(location.origin, { space: 's', token: 'a b' })", INVALID],
  ['fetchTransport', 'token: with a newline', "m.fetchTransport(location.origin, { space: 's', token: 'a\\nb' })", INVALID],
  ['fetchTransport', 'timeout: string', "m.fetchTransport(location.origin, { timeout: '1s' })", INVALID],
  ['fetchTransport', 'timeout: 0', 'm.fetchTransport(location.origin, { timeout: 0 })', INVALID],
  ['fetchTransport', 'timeout: negative', 'm.fetchTransport(location.origin, { timeout: -5 })', INVALID],
  ['fetchTransport', 'timeout: NaN', 'm.fetchTransport(location.origin, { timeout: NaN })', INVALID],
  ['fetchTransport', 'timeout: Infinity', 'm.fetchTransport(location.origin, { timeout: Infinity })', INVALID],
  ['fetchTransport', 'timeout: past setTimeout (2^31 ms)', 'm.fetchTransport(location.origin, { timeout: 2 ** 31 })', INVALID],
  ['fetchTransport', 'timeout: BigInt', 'm.fetchTransport(location.origin, { timeout: 1000n })', INVALID],
  ['fetchTransport', 'fetch: not a function', 'm.fetchTransport(location.origin, { fetch: {} })', INVALID],
  ['fetchTransport', 'headers: array', "m.fetchTransport(location.origin, { headers: [['a', 'b']] })", INVALID],
  ['fetchTransport', 'headers: null', 'm.fetchTransport(location.origin, { headers: null })', INVALID],
  ['fetchTransport', 'headers: a number value', 'm.fetchTransport(location.origin, { headers: { x: 1 } })', INVALID],
  ['fetchTransport', 'headers: a bad name', "m.fetchTransport(location.origin, { headers: { 'a b': 'c' } })", INVALID],
  ['fetchTransport', 'headers: a value with CR LF', "m.fetchTransport(location.origin, { headers: { x: 'a\\r\\nb: c' } })", INVALID],
  ['fetchTransport', 'headers: Authorization beside token', "m.fetchTransport(location.origin, { token: 't', headers: { AUTHORIZATION: 'Bearer u' } })", INVALID],
  // The token is asked for before anything is sent: no server needed.
  ['transport', 'token() resolves to a number', "m.fetchTransport(location.origin, { space: 's', token: async () => 42 }).cursors()", INVALID],
  ['transport', 'token() resolves to an object', "m.fetchTransport(location.origin, { space: 's', token: () => ({}) }).cursors()", INVALID],
  ['transport', 'token() resolves to a token with a space', "m.fetchTransport(location.origin, { space: 's', token: async () => 'a b' }).apply(batch)", INVALID],
];

// ---- the page: two engines with data, and what a case sees ----

/** Runs in the page: opens the engines, seeds them, builds the inputs. */
async function setup() {
  const m = await T.load();
  const e = await m.open({ name: 'bad' });
  const other = await m.open({ name: 'bad-other' });
  await e.exec([{ put: 'a', value: '1' }, { put: 'b', value: new Uint8Array([1, 2, 3]) }]);
  await e.exec([{ del: 'a' }, { put: 'c', value: '' }]);
  await other.exec([{ put: 'o', value: 'x' }]);
  await e.putBlob('seed', T.bytes(100, 5));
  await e.putBlob('large', T.bytes(40_000, 6));
  const peer = e.peer;
  const batch = await e.readSince(peer, 0, 10);
  const otherBatch = await other.readSince(other.peer, 0, 10);

  // A wire batch is a msgp map {f: 1, e: bin(entries), s: bin(sha256(entries))}:
  // forge() wraps any payload with a valid checksum.
  const bin = (n) => (n < 256 ? [0xc4, n] : n < 65536 ? [0xc5, n >> 8, n & 255] : [0xc6, n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
  const forge = async (payload) => {
    const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', payload));
    return Uint8Array.from([0x83, 0xa1, 0x66, 0x01, 0xa1, 0x65, ...bin(payload.length), ...payload, 0xa1, 0x73, 0xc4, 32, ...sum]);
  };
  // The payload of batch (the header is 6 bytes, then a bin header).
  const hdr = batch[6] === 0xc4 ? 2 : batch[6] === 0xc5 ? 3 : 5;
  const len = hdr === 2 ? batch[7] : hdr === 3 ? (batch[7] << 8) | batch[8] : new DataView(batch.buffer, batch.byteOffset + 7, 4).getUint32(0);
  const payload = batch.slice(6 + hdr, 6 + hdr + len);
  const reforged = await forge(payload);
  const sameBytes = reforged.length === batch.length && reforged.every((b, i) => b === batch[i]);
  // The fields of the first entry: 'p' (0xa1 0x70) bin16 peer, 'g' (0xa1 0x67) tag.
  const find = (bytes, seq) => bytes.findIndex((_, i) => seq.every((s, j) => bytes[i + j] === s));
  const at = (seq) => { const i = find(payload, seq); if (i < 0) throw new Error(`forge: no ${seq}`); return i; };
  const tagAt = at([0xa1, 0x67]) + 2;
  const tag = payload.slice(); tag[tagAt] = 0x07;
  const peerAt = at([0xa1, 0x70, 0xc4, 0x10]) + 2;
  const shortPeer = Uint8Array.from([...payload.subarray(0, peerAt), 0xc4, 0x0f, ...payload.subarray(peerAt + 2, peerAt + 17), ...payload.subarray(peerAt + 18)]);
  const nilPeer = payload.slice(); nilPeer.fill(0, peerAt + 2, peerAt + 18);
  // The payload is a msgp array: claim 2^31 entries in it.
  const count = Uint8Array.from([0xdd, 0x80, 0, 0, 0, ...payload.subarray(1)]);
  const forged = {
    tag: await forge(tag), shortPeer: await forge(shortPeer), nilPeer: await forge(nilPeer), count: await forge(count),
  };

  const flip = (b, i, mask = 0xff) => { const c = b.slice(); c[i] ^= mask; return c; };
  const { port1: port } = new MessageChannel();
  const fake = (o) => ({
    cursors: () => e.cursors(),
    readSince: async () => new Uint8Array(0),
    apply: async () => ({ applied: 0, skipped: 0 }),
    ...o,
  });
  // A transport that has what e has, plus extra; readSince answers as given.
  const pull = (extra, readSince) => fake({ cursors: async () => ({ ...(await e.cursors()), ...extra }), readSince });
  const K = (n) => 'k'.repeat(n);
  globalThis.ctx = {
    m, e, other, peer, stranger: crypto.randomUUID(), batch, otherBatch, port, fake, pull, forged, flip, K, T,
  };
  // Everything stored that a bad call could have touched (reads in parallel).
  globalThis.snap = async () => {
    const [cursors, rows, seed, large, stats, otherCursors, otherRows, dbs] = await Promise.all([
      e.cursors(), e.scan(), e.getBlob('seed'), e.getBlob('large'), e.stats(),
      other.cursors(), other.scan(), indexedDB.databases(),
    ]);
    // The paged layout's bookkeeping (rows not merged yet, merges) moves
    // with the change log's heartbeat every 10 s: not what a call stored.
    const { paged, ...counts } = stats;
    return {
      cursors: T.cur(cursors),
      rows: T.rows(rows),
      blobs: await Promise.all([T.sha(seed), T.sha(large)]),
      stats: counts,
      otherCursors: T.cur(otherCursors),
      otherRows: T.rows(otherRows),
      dbs: dbs.map((d) => d.name).sort(),
    };
  };
  return { sameBytes, batchLength: batch.length, peer };
}

let env;
let state; // { context, page, console, resets }

/** A fresh context and page with the engines set up. */
async function freshState() {
  const context = await newContext(env);
  const page = await openPage(env, context);
  const lines = [];
  page.on('console', (msg) => lines.push(msg.text()));
  const info = await page.evaluate(setup);
  return { context, page, console: lines, info, resets: state?.resets ?? 0 };
}

before(async () => {
  env = await start();
  state = await freshState();
});
after(async () => {
  await state?.context.close();
  await env?.stop();
});

/** Runs one case in the page; resets the page if the case killed the module. */
async function run(src) {
  const consoleAt = state.console.length;
  const r = await state.page.evaluate(async (src) => {
    // The state after the last case is the state before this one.
    const before = globalThis.last ?? await snap();
    const fn = new Function('c', `const { m, e, other, peer, stranger, batch, otherBatch, port, fake, pull, forged, flip, K, T } = c; return (${src});`);
    const o = await T.outcome(() => fn(ctx), 5_000);
    // A dead module answers nothing: that is the liveness check.
    const after = ctx.m.version() === undefined ? null : await snap().catch(() => null);
    globalThis.last = after;
    return { o, alive: after !== null, before, after };
  }, src);
  r.console = state.console.slice(consoleAt).filter((l) => /panic|goroutine|exit code/.test(l)).slice(0, 6);
  if (!r.alive) {
    const resets = state.resets + 1;
    await state.context.close();
    state = await freshState();
    state.resets = resets;
  }
  return r;
}

test('the forged batches are built right (a re-forged batch is the original)', () => {
  assert.equal(state.info.sameBytes, true, 'forge() of the payload of a readSince batch gives back its bytes');
});

const groups = [...new Set(cases.map(([call]) => call))];
for (const call of groups) {
  test(`${call}: wrong input ${SYNC_CALLS.has(call) ? 'throws' : 'rejects'}, with a code, and changes nothing`, { timeout: 60_000 }, async (t) => {
    for (const [, name, src, codes] of cases.filter(([c]) => c === call)) {
      await t.test(`${name}: ${src}`, async () => {
        const { o, alive, before, after, console: panic } = await run(src);
        const detail = JSON.stringify({ ...o, ...(panic.length ? { console: panic } : {}) });
        assert.ok(alive, `the call killed the Go module: ${detail}`);
        assert.notEqual(o.kind, 'hung', `${src} never settled`);
        assert.equal(o.kind, SYNC_CALLS.has(call) ? 'threw' : 'rejected', `how it failed: ${detail}`);
        assert.equal(o.isError, true, `an Error: ${detail}`);
        assert.equal(o.idbsync, true, `an IdbsyncError: ${detail}`);
        assert.equal(o.name, 'IdbsyncError', `named IdbsyncError: ${detail}`);
        assert.ok(codes.includes(o.code), `code ${o.code}, want ${codes.join(' or ')}: ${detail}`);
        assert.doesNotMatch(o.message, /internal error|panic|runtime error/i, 'not a Go panic');
        assert.doesNotMatch(o.message, /Cannot read|is not a function|undefined \(reading/, 'not a raw TypeError');
        assert.ok(o.message.length >= 15, `a readable message: ${JSON.stringify(o.message)}`);
        assert.deepEqual(after, before, 'nothing stored changed');
      });
    }
  });
}

test('apply: every single-byte flip of a readSince batch is CORRUPT', { timeout: 60_000 }, async () => {
  const r = await state.page.evaluate(async () => {
    const { batch, other, flip } = ctx;
    const before = await snap();
    const wrong = [];
    for (let i = 0; i < batch.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const o = await T.outcome(() => other.apply(flip(batch, i, mask)), 5_000);
        if (o.kind !== 'rejected' || o.code !== 'CORRUPT') wrong.push({ byte: i, mask, ...o });
        if (wrong.length >= 5) break;
      }
    }
    return { n: batch.length, wrong, before, after: await snap() };
  });
  assert.ok(r.n > 50, `a batch of 4 entries: ${r.n} bytes`);
  assert.deepEqual(r.wrong, [], 'every flip rejects with CORRUPT');
  assert.deepEqual(r.after, r.before, 'nothing stored changed');
});

test('good input at the edges is accepted', { timeout: 30_000 }, async () => {
  const r = await state.page.evaluate(async () => {
    const { m, e, other, peer, batch } = ctx;
    const n = (b) => m.decode(b).length;
    const out = {
      // A BigInt index beyond 2^53 is valid: nothing there yet.
      bigFrom: n(await e.readSince(peer, 2n ** 60n, 10)),
      maxSafeFrom: n(await e.readSince(peer, Number.MAX_SAFE_INTEGER, 10)),
      bigIntZero: n(await e.readSince(peer, 0n, 10)),
      maxLimit: n(await e.readSince(peer, 0, 2 ** 31 - 1)),
      upperPeer: n(await e.readSince(peer.toUpperCase(), 0, 10)),
      unknownPeer: n(await e.readSince(crypto.randomUUID(), 0, 10)),
      key1024: await T.outcome(() => e.exec([{ put: 'k'.repeat(1024), value: 'v' }])),
      longGet: T.arr(await e.get('k'.repeat(2000))),
      // A surrogate pair is well-formed: U+1F600, 4 bytes of UTF-8.
      pair: await T.outcome(() => e.exec([{ put: 'emoji/\u{1F600}', value: '\u{1F600}' }])),
      pairGet: T.arr(await e.get('emoji/\u{1F600}')),
      many: (await e.getMany(['b', 'nope', 'emoji/\u{1F600}'])).map(T.arr),
      manyNone: await e.getMany([]),
    };
    // A batch inside a larger buffer (a view at an offset) applies.
    const big = new Uint8Array(batch.length + 20);
    big.set(batch, 7);
    out.view = await other.apply(big.subarray(7, 7 + batch.length));
    out.otherHas = T.arr(await other.get('b'));
    return out;
  });
  assert.equal(r.bigFrom, 0, 'readSince(peer, 2n ** 60n) is an empty batch');
  assert.equal(r.maxSafeFrom, 0);
  assert.equal(r.bigIntZero, 6, 'four writes and two attachments');
  assert.equal(r.maxLimit, 6);
  assert.equal(r.upperPeer, 6, 'an upper-case uuid is the same peer');
  assert.equal(r.unknownPeer, 0);
  assert.equal(r.key1024.kind, 'resolved', `a key of 1024 bytes is fine: ${JSON.stringify(r.key1024)}`);
  assert.equal(r.longGet, undefined);
  assert.equal(r.pair.kind, 'resolved', `a surrogate pair in a key is fine: ${JSON.stringify(r.pair)}`);
  assert.deepEqual(r.pairGet, [0xf0, 0x9f, 0x98, 0x80]);
  assert.deepEqual(r.many, [[1, 2, 3], undefined, [0xf0, 0x9f, 0x98, 0x80]], 'getMany answers in the order asked');
  assert.deepEqual(r.manyNone, []);
  assert.deepEqual(r.view, { applied: 6, skipped: 0 }, 'the writes and the attachments');
  assert.deepEqual(r.otherHas, [1, 2, 3]);
});

test('after all that the engine still works, and no call killed the module', { timeout: 30_000 }, async () => {
  assert.equal(state.resets, 0, `the Go module died ${state.resets} time(s) (see the failed cases) and the page was reloaded`);
  const r = await state.page.evaluate(async () => {
    const { e, peer } = ctx;
    const before = T.cur(await e.cursors());
    const w = await e.exec([{ put: 'still', value: 'works' }]);
    return { before, w, got: T.arr(await e.get('still')), after: T.cur(await e.cursors()), peer };
  });
  assert.equal(r.w.from, r.before[r.peer], 'the log continues');
  assert.deepEqual(r.after, { ...r.before, [r.peer]: r.before[r.peer] + 1 });
  assert.deepEqual(r.got, [...Buffer.from('works')]);
  assert.deepEqual(state.page.errors, [], 'no uncaught errors in the page');
});
