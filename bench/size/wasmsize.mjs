#!/usr/bin/env node
// bench/size/wasmsize.mjs: what makes the idbsync WebAssembly module big.
//
// `go tool nm` does not read wasm files, so this reads the module itself:
// the code section (one body per function), the "name" custom section
// (the package-qualified Go symbol of each function), the data section
// (Go's rodata, type descriptors, pclntab, data) and, through the pclntab
// header and runtime.firstmoduledata found in that data, where each region
// of the data starts and ends. It sums function bodies and their pclntab
// records and funcdata by package and prints the largest packages, the
// largest functions and generic instantiations, and a breakdown of the data.
// See bench/size/README.md for what it found.
//
//   node bench/size/wasmsize.mjs                 # builds ./wasm unstripped to a temp file
//   node bench/size/wasmsize.mjs x.wasm          # any Go wasm file that still has its name section
//   node bench/size/wasmsize.mjs --data          # + data symbols by package (go build -ldflags=-dumpdep, go tool nm -size)
//   node bench/size/wasmsize.mjs --why 'encoding/json\.' --why '^crypto/md5\.'
//                                                # + the chain of first reachability from the entry point
//   node bench/size/wasmsize.mjs --list github.com/google/uuid   # every function of one package
//   node bench/size/wasmsize.mjs --variants      # raw and gzip -9 sizes of ldflags and wasm-opt flag sets (slow)
//   node bench/size/wasmsize.mjs dist/idbsync.wasm --pack-data /tmp/packed.wasm [--gap 64]
//                                                # the module with data segments closer than 64 bytes merged
//   node bench/size/wasmsize.mjs a.wasm --diff b.wasm   # code by package: what b adds or drops against a
//
// Other flags: --top N (packages, default 40), --funcs N (functions, default 30),
// --by module (group by module instead of package), --chains N (chains per --why, default 4),
// --json FILE (everything, machine-readable),
// --ldflags '...' (extra go build -ldflags for the builds this script makes).
// Node 20, no dependencies. Builds run `go build` in the repository root
// with GOOS=js GOARCH=wasm and write only to a temporary directory.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const goEnv = { ...process.env, GOOS: 'js', GOARCH: 'wasm' };

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const o = { top: 40, funcs: 30, why: [], list: [], by: 'package', data: false, variants: false, json: null, ldflags: '', file: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--top') o.top = +val();
    else if (a === '--funcs') o.funcs = +val();
    else if (a === '--why') o.why.push(val());
    else if (a === '--chains') o.whyChains = +val();
    else if (a === '--list') o.list.push(val());
    else if (a === '--by') o.by = val();
    else if (a === '--data') o.data = true;
    else if (a === '--variants') o.variants = true;
    else if (a === '--json') o.json = val();
    else if (a === '--diff') o.diff = val();
    else if (a === '--pack-data') o.packData = val();
    else if (a === '--gap') o.gap = +val();
    else if (a === '--ldflags') o.ldflags = val();
    else if (a === '-h' || a === '--help') {
      const src = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8');
      process.stdout.write(src.split('\n').slice(1).filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n').split('\n\n')[0] + '\n');
      const usage = src.match(/\/\/ {3}node[\s\S]*?\n\/\/ Node 20/)[0];
      process.stdout.write('\n' + usage.replace(/^\/\/ ?/gm, '').replace(/Node 20$/, '') + '\n');
      process.exit(0);
    } else if (a.startsWith('-')) die(`unknown flag ${a} (try --help)`);
    else o.file = a;
  }
  if (!['package', 'module'].includes(o.by)) die('--by is package or module');
  return o;
}

function die(msg) {
  process.stderr.write(`wasmsize: ${msg}\n`);
  process.exit(2);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: repo, env: goEnv, encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  if (r.error) die(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) die(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr || ''}${r.stdout || ''}`);
  return r;
}

let tmpDir = null;
process.on('exit', () => {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});
function tmp(name) {
  tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'wasmsize-'));
  return path.join(tmpDir, name);
}

function goBuild(out, ldflags) {
  const args = ['build', '-trimpath'];
  if (ldflags.trim()) args.push(`-ldflags=${ldflags.trim()}`);
  args.push('-o', out, './wasm');
  process.stderr.write(`wasmsize: GOOS=js GOARCH=wasm go ${args.join(' ')}\n`);
  return run('go', args);
}

// The gzip -9 size `make build` prints: GNU gzip when there is one (about
// 1% smaller than Node's zlib at level 9), else zlib. Per-group estimates
// use zlib in-process.
let haveGzip = null;
function gzipSize(buf) {
  if (haveGzip !== false) {
    const r = spawnSync('gzip', ['-9c'], { input: buf, maxBuffer: 1 << 30 });
    haveGzip = !r.error && r.status === 0;
    if (haveGzip) return r.stdout.length;
  }
  return zlib.gzipSync(buf, { level: 9 }).length;
}

// ---------------------------------------------------------------- wasm reader

class Reader {
  constructor(buf, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }
  byte() {
    if (this.pos >= this.end) throw new Error('read past end');
    return this.buf[this.pos++];
  }
  u32() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
    }
  }
  s64() {
    // Signed LEB128, returned as a Number (good to 2^53).
    let result = 0n;
    let shift = 0n;
    let b;
    do {
      b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    return Number(result);
  }
  bytes(n) {
    const s = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  name() {
    return this.bytes(this.u32()).toString('utf8');
  }
  limits() {
    const flag = this.byte();
    this.u32();
    if (flag & 1) this.u32();
  }
  constExpr() {
    // A constant expression (an offset): i32.const / i64.const / global.get, then end.
    let value = null;
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) return value;
      if (op === 0x41 || op === 0x42) value = this.s64();
      else if (op === 0x23) this.u32();
      else throw new Error(`unsupported opcode 0x${op.toString(16)} in constant expression`);
    }
  }
}

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];

function parseWasm(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm file');
  const r = new Reader(buf, 8);
  const sections = [];
  const mod = { sections, importedFuncs: 0, bodies: [], names: new Map(), segments: [], producers: null };
  while (r.pos < buf.length) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    const payload = r.pos;
    const end = payload + size;
    const s = { id, name: SECTION_NAMES[id] ?? `id${id}`, start, size: end - start, payload: size };
    const sr = new Reader(buf, payload, end);
    if (id === 0) {
      s.name = sr.name();
      s.name = `custom "${s.name}"`;
      if (s.name === 'custom "name"') parseNameSection(sr, mod);
      if (s.name === 'custom "producers"') mod.producers = buf.subarray(sr.pos, end).toString('latin1').replace(/[^\x20-\x7e]+/g, ' ').trim();
    } else if (id === 2) {
      const n = sr.u32();
      for (let i = 0; i < n; i++) {
        sr.name();
        sr.name();
        const kind = sr.byte();
        if (kind === 0) {
          sr.u32();
          mod.importedFuncs++;
        } else if (kind === 1) {
          sr.byte();
          sr.limits();
        } else if (kind === 2) sr.limits();
        else if (kind === 3) {
          sr.byte();
          sr.byte();
        } else if (kind === 4) {
          sr.byte();
          sr.u32();
        }
      }
    } else if (id === 10) {
      const n = sr.u32();
      for (let i = 0; i < n; i++) {
        const at = sr.pos;
        const len = sr.u32();
        const bodyStart = sr.pos;
        sr.pos += len;
        // size counts the length prefix too, so the bodies sum to the section.
        mod.bodies.push({ index: mod.importedFuncs + i, size: sr.pos - at, start: bodyStart, end: sr.pos });
      }
    } else if (id === 11) {
      const n = sr.u32();
      for (let i = 0; i < n; i++) {
        const at = sr.pos;
        const flag = sr.u32();
        let offset = null;
        if (flag === 0) offset = sr.constExpr();
        else if (flag === 2) {
          sr.u32();
          offset = sr.constExpr();
        }
        const len = sr.u32();
        const data = sr.bytes(len);
        mod.segments.push({ offset, data, overhead: sr.pos - at - len });
      }
    }
    sections.push(s);
    r.pos = end;
  }
  mod.segments.sort((a, b) => (a.offset ?? -1) - (b.offset ?? -1));
  return mod;
}

function parseNameSection(r, mod) {
  while (r.pos < r.end) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const idx = r.u32();
        mod.names.set(idx, r.name());
      }
    }
    r.pos = end;
  }
}

// ---------------------------------------------------------------- memory image

// The data segments as a sparse memory image: bytes the Go linker left out
// (runs of zeros) read as zero.
class Memory {
  constructor(segments) {
    this.segs = segments.filter((s) => s.offset !== null);
  }
  find(addr) {
    let lo = 0;
    let hi = this.segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segs[mid];
      if (addr < s.offset) hi = mid - 1;
      else if (addr >= s.offset + s.data.length) lo = mid + 1;
      else return s;
    }
    return null;
  }
  read(addr, n) {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; ) {
      const s = this.find(addr + i);
      if (!s) {
        i++;
        continue;
      }
      const from = addr + i - s.offset;
      const k = Math.min(n - i, s.data.length - from);
      s.data.copy(out, i, from, from + k);
      i += k;
    }
    return out;
  }
  u8(a) {
    return this.read(a, 1)[0];
  }
  u32(a) {
    return this.read(a, 4).readUInt32LE(0);
  }
  i32(a) {
    return this.read(a, 4).readInt32LE(0);
  }
  u64(a) {
    return Number(this.read(a, 8).readBigUInt64LE(0));
  }
  cstring(a) {
    const parts = [];
    for (let p = a; ; p += 64) {
      const b = this.read(p, 64);
      const z = b.indexOf(0);
      if (z >= 0) {
        parts.push(b.subarray(0, z));
        break;
      }
      parts.push(b);
    }
    return Buffer.concat(parts).toString('utf8');
  }
  // Bytes of [lo, hi) actually stored in segments (what the file carries).
  stored(lo, hi) {
    let n = 0;
    for (const s of this.segs) {
      const a = Math.max(lo, s.offset);
      const b = Math.min(hi, s.offset + s.data.length);
      if (b > a) n += b - a;
    }
    return n;
  }
  storedBytes(lo, hi) {
    const parts = [];
    for (const s of this.segs) {
      const a = Math.max(lo, s.offset);
      const b = Math.min(hi, s.offset + s.data.length);
      if (b > a) parts.push(s.data.subarray(a - s.offset, b - s.offset));
    }
    return Buffer.concat(parts);
  }
}

// ---------------------------------------------------------------- Go runtime tables

// Finds runtime.pcHeader (magic 0xfffffff1, Go 1.20+; minLC 1 and 8-byte
// pointers on wasm) and runtime.firstmoduledata (whose first word points at
// it), and reads the boundaries of the data regions. The moduledata layout
// is the one of Go 1.26 (src/runtime/symtab.go); each field is sanity checked.
function readGoTables(mem) {
  const magic = Buffer.from([0xf1, 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x08]);
  let hdr = null;
  for (const s of mem.segs) {
    const i = s.data.indexOf(magic);
    if (i >= 0) {
      hdr = s.offset + i;
      break;
    }
  }
  if (hdr === null) return { error: 'no Go 1.20+ pclntab header found in the data' };
  const h = {
    addr: hdr,
    nfunc: mem.u64(hdr + 8),
    nfiles: mem.u64(hdr + 16),
    funcnameOffset: mem.u64(hdr + 32),
    cuOffset: mem.u64(hdr + 40),
    filetabOffset: mem.u64(hdr + 48),
    pctabOffset: mem.u64(hdr + 56),
    pclnOffset: mem.u64(hdr + 64),
  };
  const want = Buffer.alloc(16);
  want.writeBigUInt64LE(BigInt(hdr), 0);
  want.writeBigUInt64LE(BigInt(hdr + h.funcnameOffset), 8);
  // The linker leaves leading and trailing zero bytes out of segments, so
  // look for the pattern without them and check the candidates in memory.
  let lead = 0;
  while (want[lead] === 0) lead++;
  let tail = want.length;
  while (want[tail - 1] === 0) tail--;
  const core = want.subarray(lead, tail);
  let md = null;
  for (const s of mem.segs) {
    for (let i = s.data.indexOf(core); i >= 0 && md === null; i = s.data.indexOf(core, i + 1)) {
      const at = s.offset + i - lead;
      if (mem.u64(at) === hdr && mem.u64(at + 8) === hdr + h.funcnameOffset) md = at;
    }
    if (md !== null) break;
  }
  if (md === null) return { error: 'runtime.firstmoduledata not found', header: h };
  const slice = (off) => ({ ptr: mem.u64(md + off), len: mem.u64(md + off + 8) });
  const m = {
    addr: md,
    funcnametab: slice(8),
    cutab: slice(32),
    filetab: slice(56),
    pctab: slice(80),
    pclntable: slice(104),
    ftab: slice(128),
    findfunctab: mem.u64(md + 152),
    minpc: mem.u64(md + 160),
    maxpc: mem.u64(md + 168),
    text: mem.u64(md + 176),
    etext: mem.u64(md + 184),
    noptrdata: mem.u64(md + 192),
    enoptrdata: mem.u64(md + 200),
    data: mem.u64(md + 208),
    edata: mem.u64(md + 216),
    bss: mem.u64(md + 224),
    ebss: mem.u64(md + 232),
    noptrbss: mem.u64(md + 240),
    enoptrbss: mem.u64(md + 248),
    end: mem.u64(md + 272),
    types: mem.u64(md + 296),
    etypes: mem.u64(md + 304),
    rodata: mem.u64(md + 312),
    gofunc: mem.u64(md + 320),
    epclntab: mem.u64(md + 328),
    typelinks: slice(360),
    itablinks: slice(384),
  };
  const ok =
    m.ftab.len === h.nfunc + 1 &&
    m.rodata <= m.types && m.types < m.etypes &&
    m.noptrdata < m.enoptrdata && m.data < m.edata && m.edata <= m.bss &&
    m.epclntab > hdr && m.pctab.ptr === hdr + h.pctabOffset;
  if (!ok) return { error: 'runtime.firstmoduledata does not have the Go 1.26 layout this script reads', header: h, moduledata: m };
  return { header: h, moduledata: m };
}

function pcvalueLen(mem, addr) {
  // Length in bytes of one pcvalue table (src/runtime/symtab.go: step).
  const buf = mem.read(addr, 4096);
  let p = 0;
  let first = true;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (p >= buf.length) throw new Error('long pcvalue table');
      const b = buf[p++];
      v |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return v >>> 0;
      shift += 7;
    }
  };
  for (;;) {
    const uv = varint();
    if (uv === 0 && !first) return p;
    varint();
    first = false;
  }
}

// Per function: the bytes it owns in pclntab (its _func record, its ftab
// entry, its name in funcnametab, its pcsp/pcfile/pcln/pcdata tables, each
// table counted once: the linker shares identical ones).
function pclntabByFunction(mem, go) {
  const m = go.moduledata;
  const out = [];
  const seen = new Set();
  const funcdataOwner = new Map();
  const entries = [];
  for (let i = 0; i < go.header.nfunc; i++) {
    const entryOff = mem.u32(m.ftab.ptr + 8 * i);
    const funcOff = mem.u32(m.ftab.ptr + 8 * i + 4);
    entries.push({ entryOff, funcOff });
  }
  const ends = entries.map((e) => e.funcOff).sort((a, b) => a - b);
  const nextOff = new Map();
  for (let i = 0; i < ends.length; i++) nextOff.set(ends[i], i + 1 < ends.length ? ends[i + 1] : m.pclntable.len);
  for (const e of entries) {
    const f = m.pclntable.ptr + e.funcOff;
    const nameOff = mem.i32(f + 4);
    const name = mem.cstring(m.funcnametab.ptr + nameOff);
    let bytes = nextOff.get(e.funcOff) - e.funcOff + 8 + Buffer.byteLength(name) + 1;
    const npcdata = mem.u32(f + 28);
    const tables = [mem.u32(f + 16), mem.u32(f + 20), mem.u32(f + 24)];
    for (let k = 0; k < npcdata && k < 16; k++) tables.push(mem.u32(f + 44 + 4 * k));
    for (const t of tables) {
      if (t === 0 || seen.has(t)) continue;
      seen.add(t);
      bytes += pcvalueLen(mem, m.pctab.ptr + t);
    }
    const fn = { name, entryOff: e.entryOff, bytes };
    // funcdata: offsets from moduledata.gofunc (go:func.*: GC maps of
    // locals and arguments, arg info, ...), after the pcdata offsets.
    const nfuncdata = mem.u8(f + 43);
    for (let k = 0; k < nfuncdata; k++) {
      const off = mem.u32(f + 44 + 4 * npcdata + 4 * k);
      if (off === 0xffffffff || funcdataOwner.has(off)) continue;
      funcdataOwner.set(off, fn);
    }
    out.push(fn);
  }
  // A funcdata object runs to the next one (they are laid out one after
  // another; identical ones are shared and counted once, for the first user).
  const offs = [...funcdataOwner.keys()].sort((a, b) => a - b);
  const end = (m.findfunctab > m.gofunc ? m.findfunctab : m.epclntab) - m.gofunc;
  for (let i = 0; i < offs.length; i++) {
    const size = (i + 1 < offs.length ? offs[i + 1] : end) - offs[i];
    if (size > 0 && size < 1 << 20) funcdataOwner.get(offs[i]).bytes += size;
  }
  return out;
}

// The data regions between the boundaries firstmoduledata records, with the
// bytes the file stores for each (the linker drops long runs of zeros).
function dataRegions(mem, go, total) {
  const m = go.moduledata;
  // Go 1.26 on wasm: .rodata is [types, etypes) (type descriptors first,
  // then go:string.*, GC bits, other read-only data); .gopclntab follows:
  // pcheader, funcnametab, cutab, filetab, pctab, functab, go:func.*
  // (funcdata), with runtime.findfunctab inside it.
  const nbuckets = Math.floor((m.maxpc - m.minpc) / 4096) + 1;
  const marks = [
    [m.rodata, m.rodata === m.types ? 'rodata: type descriptors, then go:string.*, GC bits, read-only tables' : 'rodata: strings, constants, tables'],
    [m.types, 'rodata: type descriptors, then go:string.*, GC bits, read-only tables'],
        [m.findfunctab, `pclntab: findfunctab (${fmtN(nbuckets)} buckets x 20 bytes: 16 per function, as a wasm PC is function index << 16)`],
    ...(m.findfunctab + 20 * nbuckets < m.epclntab ? [[m.findfunctab + 20 * nbuckets, 'pclntab: go:func.* (funcdata: GC maps, arg info), cont.']] : []),
    [m.typelinks.ptr, 'typelink'],
    [m.itablinks.ptr, 'itablink'],
    [m.addr, 'runtime.firstmoduledata'],
    [go.header.addr, 'pclntab: header'],
    [m.funcnametab.ptr, 'pclntab: function names'],
    [m.cutab.ptr, 'pclntab: cutab'],
    [m.filetab.ptr, 'pclntab: file names'],
    [m.pctab.ptr, 'pclntab: pc-value tables (pcsp, pcfile, pcln, pcdata)'],
    [m.pclntable.ptr, 'pclntab: _func records + ftab'],
    [m.epclntab, '(between pclntab and noptrdata)'],
    [m.noptrdata, 'noptrdata: initialized pointer-free variables'],
    [m.data, 'data: initialized variables with pointers'],
    [m.edata, '(after data)'],
    [m.gofunc, 'pclntab: go:func.* (funcdata: GC maps, arg info, ...)'],
  ].filter(([a]) => a > 0);
  // Keep one label per address (the last one given wins), in address order.
  const byAddr = new Map();
  for (const [a, l] of marks) byAddr.set(a, l);
  marks.length = 0;
  for (const [a, l] of [...byAddr].sort((x, y) => x[0] - y[0])) marks.push([a, l]);
  const first = mem.segs.length ? mem.segs[0].offset : 0;
  const last = mem.segs.length ? mem.segs.at(-1).offset + mem.segs.at(-1).data.length : 0;
  const regions = [];
  if (first < marks[0][0]) regions.push({ name: '(before rodata)', lo: first, hi: marks[0][0] });
  for (let i = 0; i < marks.length; i++) {
    const lo = marks[i][0];
    const hi = i + 1 < marks.length ? marks[i + 1][0] : Math.max(last, lo);
    regions.push({ name: marks[i][1], lo, hi });
  }
  for (const r of regions) {
    r.span = r.hi - r.lo;
    r.stored = mem.stored(r.lo, r.hi);
    r.gzip = r.stored ? zlib.gzipSync(mem.storedBytes(r.lo, r.hi), { level: 9 }).length : 0;
  }
  const nonEmpty = regions.filter((r) => r.stored > 0 || r.span > 0);
  const payload = mem.segs.reduce((n, s) => n + s.data.length, 0);
  const payloadGzip = zlib.gzipSync(Buffer.concat(mem.segs.map((g) => g.data)), { level: 9 }).length;
  return { regions: nonEmpty, payload, payloadGzip, overhead: total - payload };
}

// ---------------------------------------------------------------- symbols to packages

// The import path of a Go symbol: "github.com/x/y/z.(*T).M" -> "github.com/x/y/z".
// Linker-made symbols get their own buckets.
function packageOf(sym) {
  let s = sym.replace(/ <\w+>/g, '');
  if (/^type:\.(namedata|importpath)\./.test(s)) return '(type:.namedata: names of types, fields, methods)';
  if (s.startsWith('gclocals·') || s.startsWith('gcargs·')) return '(gclocals: GC maps)';
  if (s.startsWith('go.shape.')) return '(go.shape methods)';
  const go = s.match(/^go:(\w+)/);
  if (go) return `go:${go[1]}`;
  const isType = s.startsWith('type:');
  s = s.replace(/^type:(\.(eq|hash|eqfunc)\.)?/, ''); // type:.eq.github.com/x.T -> the package of T
  s = s.replace(/^(\*|\[\d*\])+/, '');
  if (s.startsWith('go.shape.')) return '(go.shape methods)';
  if (/^(map\[|func\(|chan |<-chan |struct \{|interface \{|noalg\.)/.test(s)) return '(composite types)';
  if (s === '') return '(unnamed)';
  // Cut generic arguments and receiver parens, which can contain dots and slashes.
  const cut = s.search(/[[(]/);
  const head = cut >= 0 ? s.slice(0, cut) : s;
  const slash = head.lastIndexOf('/');
  let dot = head.indexOf('.', slash + 1);
  // gopkg.in/yaml.v3 style paths: a ".vN" element belongs to the path.
  const vN = head.slice(slash + 1).match(/^[^.]+\.v\d+(?=\.|$)/);
  if (vN) dot = head.indexOf('.', slash + 1 + vN[0].length);
  if (dot < 0) {
    if (slash >= 0) return head;
    // memchr, callRet, wasm_export_run, _rt0_wasm_js, ...: the runtime's wasm assembly.
    return isType ? '(builtin types)' : 'runtime (wasm assembly: memchr, wasm_export_run and others)';
  }
  return head.slice(0, dot);
}

// The module of an import path, for --by module: the standard library is "std",
// runtime-ish internals stay apart.
function moduleOf(pkg, modules) {
  if (!pkg.includes('.') || !pkg.split('/')[0].includes('.')) {
    if (pkg.startsWith('(') || pkg.startsWith('go:')) return pkg;
    if (pkg.startsWith('runtime') || pkg.startsWith('internal/runtime')) return 'std: runtime';
    return 'std';
  }
  let best = '';
  for (const m of modules) if ((pkg === m || pkg.startsWith(m + '/')) && m.length > best.length) best = m;
  return best || pkg.split('/').slice(0, 3).join('/');
}

// ---------------------------------------------------------------- --data, --why: dumpdep + nm

function dumpdep(ldflags) {
  const out = tmp('dumpdep.wasm');
  const r = goBuild(out, `${ldflags} -dumpdep`);
  const text = (r.stdout || '') + (r.stderr || '');
  const parent = new Map();
  const flags = new Map();
  const strip = (x) => {
    const m = x.match(/^(.*?)((?: <\w+>)+)$/);
    if (m) {
      flags.set(m[1], m[2].trim());
      return m[1];
    }
    return x;
  };
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('# ')) continue;
    const i = line.indexOf(' -> ');
    if (i < 0) continue;
    const from = strip(line.slice(0, i));
    const to = strip(line.slice(i + 4));
    if (!parent.has(to)) parent.set(to, from);
  }
  return { parent, flags };
}

function chain(dep, sym) {
  const out = [];
  const seen = new Set();
  for (let s = sym; s && s !== '_' && !seen.has(s); s = dep.parent.get(s)) {
    seen.add(s);
    out.push(s);
  }
  return out.reverse();
}

// Sizes of every symbol in the packages linked into ./wasm, from their
// compiled archives: go list -export, then go tool nm -size -type.
function objectSymbols() {
  const r = run('go', ['list', '-export', '-deps', '-f', '{{.ImportPath}}\t{{.Export}}', './wasm']);
  const syms = new Map();
  for (const line of r.stdout.trim().split('\n')) {
    const [pkg, file] = line.split('\t');
    if (!file) continue;
    const nm = run('go', ['tool', 'nm', '-size', '-type', file]);
    for (const l of nm.stdout.split('\n')) {
      // address size type name [goType]
      const m = l.match(/^\s*[0-9a-f]*\s+(\d+)\s+([A-Za-z])\s+(.+?)(?:\s{2,}.*)?$/);
      if (!m) continue;
      const [, size, type, rawName] = m;
      if (type === 'U') continue;
      const name = rawName.replace(/<\d+>$/, '');
      const prev = syms.get(name);
      if (!prev || +size > prev.size) syms.set(name, { size: +size, type, pkg });
    }
  }
  return syms;
}

// ---------------------------------------------------------------- --pack-data

function uleb(n) {
  const o = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return Buffer.from(o);
}

function sleb(n) {
  const o = [];
  for (;;) {
    const b = n & 0x7f;
    n = Math.floor(n / 128);
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      o.push(b);
      return Buffer.from(o);
    }
    o.push(b | 0x80);
  }
}

// Rewrites the data section with segments closer than `gap` bytes merged
// (the zeros between them written out). The Go linker splits a segment at
// every run of 8 or more zero bytes, which is smallest raw; but each
// segment costs a header whose offset differs every time, and gzip does
// far better on the zeros than on ~55,000 distinct headers (most of them
// from findfunctab: one 20-byte bucket, mostly zeros, per 4096 PCs).
// Merging only changes how memory is initialized, not its contents.
function packData(buf, gap) {
  const mod = parseWasm(buf);
  if (mod.segments.some((g) => g.offset === null)) throw new Error('passive data segments: not packing');
  const segs = mod.segments;
  const merged = [];
  let cur = null;
  for (const g of segs) {
    if (cur && g.offset - (cur.offset + cur.len) < gap) {
      cur.parts.push(Buffer.alloc(g.offset - (cur.offset + cur.len)), g.data);
      cur.len = g.offset + g.data.length - cur.offset;
    } else {
      cur = { offset: g.offset, len: g.data.length, parts: [g.data] };
      merged.push(cur);
    }
  }
  const body = [uleb(merged.length)];
  for (const c of merged) body.push(Buffer.from([0, 0x41]), sleb(c.offset), Buffer.from([0x0b]), uleb(c.len), ...c.parts);
  const data = Buffer.concat(body);
  const out = [buf.subarray(0, 8)];
  for (const sec of mod.sections) {
    if (sec.id === 11) out.push(Buffer.from([11]), uleb(data.length), data);
    else if (sec.id === 12) {
      const c = uleb(merged.length);
      out.push(Buffer.from([12]), uleb(c.length), c);
    } else out.push(buf.subarray(sec.start, sec.start + sec.size));
  }
  return { buf: Buffer.concat(out), before: segs.length, after: merged.length };
}

// ---------------------------------------------------------------- --variants

function gz(file) {
  return gzipSize(fs.readFileSync(file));
}

function variants(o) {
  const rows = [];
  const which = (p) => spawnSync('sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).stdout.trim();
  const wasmOpt = process.env.WASM_OPT || which('wasm-opt');
  const base = '--enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int';
  const builds = [
    ['go build (no -ldflags)', ''],
    ['go build -ldflags="-s -w" (make build)', '-s -w'],
  ];
  const files = {};
  for (const [label, ld] of builds) {
    const f = tmp(`v${rows.length}.wasm`);
    goBuild(f, `${o.ldflags} ${ld}`);
    files[ld] = f;
    rows.push({ variant: label, raw: fs.statSync(f).size, gzip: gz(f) });
  }
  {
    const pk = packData(fs.readFileSync(files['-s -w']), 64);
    rows.push({ variant: '  + --pack-data, gap < 64, no wasm-opt', raw: pk.buf.length, gzip: gzipSize(pk.buf) });
  }
  if (!wasmOpt) {
    rows.push({ variant: 'wasm-opt not found (set WASM_OPT)', raw: 0, gzip: 0 });
    return rows;
  }
  const opts = [
    ['-s -w', `-Oz ${base}`, 'wasm-opt -Oz (make build)'],
    ['-s -w', `-Oz ${base} --strip-debug --strip-producers`, 'wasm-opt -Oz --strip-debug --strip-producers'],
    ['-s -w', `-Oz ${base} --converge`, 'wasm-opt -Oz --converge'],
    ['-s -w', `-Oz ${base} --converge --strip-debug --strip-producers`, 'wasm-opt -Oz --converge --strip-debug --strip-producers'],
    ['', `-Oz ${base}`, 'no -s -w, then wasm-opt -Oz (wasm-opt writes no name section without -g)'],
    ['', `-Oz ${base} --strip-debug --strip-producers`, 'no -s -w, then wasm-opt -Oz --strip-debug --strip-producers'],
    ['-s -w', `-O3 ${base}`, 'wasm-opt -O3 (for comparison)'],
  ];
  for (const [ld, flags, label] of opts) {
    const out = tmp(`o${rows.length}.wasm`);
    process.stderr.write(`wasmsize: wasm-opt ${flags} (${label})\n`);
    const t0 = Date.now();
    run(wasmOpt, [...flags.split(' '), files[ld], '-o', out]);
    rows.push({ variant: label, raw: fs.statSync(out).size, gzip: gz(out), seconds: Math.round((Date.now() - t0) / 100) / 10 });
    if (label.endsWith('(make build)')) {
      for (const gap of [16, 32, 64, 1 << 30]) {
        const pk = packData(fs.readFileSync(out), gap);
        rows.push({ variant: `  + --pack-data, gap ${gap === 1 << 30 ? 'any (one segment)' : '< ' + gap} (${fmtN(pk.before)} -> ${fmtN(pk.after)} segments)`, raw: pk.buf.length, gzip: gzipSize(pk.buf) });
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------- printing

const fmtN = (n) => n.toLocaleString('en-US');
const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)}%` : '');
function table(headers, rows, align) {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const w = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r) => '| ' + r.map((c, i) => (align[i] === 'r' ? c.padStart(w[i]) : c.padEnd(w[i]))).join(' | ') + ' |';
  const sep = '|' + w.map((x, i) => (align[i] === 'r' ? '-'.repeat(x + 1) + ':' : '-'.repeat(x + 2))).join('|') + '|';
  return [line(headers), sep, ...rows.map((r) => line(r.map(String)))].join('\n') + '\n';
}

function dataSymbols(o, dep, report, p) {
  const syms = objectSymbols();
  const byPkg = new Map();
  const big = [];
  let known = 0;
  for (const name of dep.parent.keys()) {
    const s = syms.get(name);
    if (!s || 'Tt'.includes(s.type)) continue;
    known += s.size;
    let k = packageOf(name);
    if (name.startsWith('type:') && !k.startsWith('(type:')) k = 'type:* (descriptors; ' + k + ')';
    if (name.startsWith('go:string.')) k = 'go:string.* (string literals)';
    const e = byPkg.get(k) ?? { size: 0, n: 0 };
    e.size += s.size;
    e.n++;
    byPkg.set(k, e);
    big.push({ name, size: s.size, type: s.type });
  }
  const typeTotal = [...byPkg].filter(([k]) => k.startsWith('type:') || k.startsWith('(type:')).reduce((n, [, v]) => n + v.size, 0);
  const collapsed = new Map();
  for (const [k, v] of byPkg) {
    const kk = k.startsWith('type:') ? k.replace(/^type:\* \(descriptors; (.*)\)$/, 'type:* of $1') : k;
    collapsed.set(kk, v);
  }
  const rowsD = [...collapsed].sort((a, b) => b[1].size - a[1].size).slice(0, o.top);
  report.dataSymbols = { known, typeTotal, byPackage: Object.fromEntries(collapsed), top: big.sort((a, b) => b.size - a.size).slice(0, 60) };
  p(`## Data symbols by package (--data): ${fmtN(known)} bytes of reachable non-code symbols`);
  p();
  p('Reachable symbols from `go build -ldflags=-dumpdep`, sized by `go tool nm -size` on the compiled package archives');
  p(`(pre-link object sizes; the linker adds pclntab, typelinks and alignment). Type descriptors and their names: ${fmtN(typeTotal)} bytes.`);
  p();
  p(table(['owner', 'bytes', 'symbols'], rowsD.map(([k, v]) => [k, fmtN(v.size), v.n]), ['l', 'r', 'r']));
  p('Largest data symbols:');
  p();
  p(table(['symbol', 'kind', 'bytes'], report.dataSymbols.top.slice(0, 30).map((s) => [s.name.length > 100 ? s.name.slice(0, 97) + '...' : s.name, s.type, fmtN(s.size)]), ['l', 'l', 'r']));
}

function why(o, dep, report, p) {
  report.why = {};
  let importers = null;
  if (o.why.length) {
    const r = run('go', ['list', '-deps', '-f', '{{.ImportPath}}\t{{join .Imports " "}}', './wasm']);
    importers = new Map();
    for (const line of r.stdout.trim().split('\n')) {
      const [pkg, imps] = line.split('\t');
      for (const i of (imps || '').split(' ').filter(Boolean)) {
        if (!importers.has(i)) importers.set(i, []);
        importers.get(i).push(pkg);
      }
    }
  }
  for (const pat of o.why) {
    const re = new RegExp(pat);
    const hits = [...dep.parent.keys()].filter((s) => re.test(s));
    p(`## Why ${pat}: ${hits.length} reachable symbols match`);
    p();
    if (!hits.length) {
      p('(not linked)');
      p();
      continue;
    }
    const pkgs = [...new Set(hits.map(packageOf))];
    for (const pk of pkgs.slice(0, 4)) {
      const by = importers.get(pk);
      if (by) p(`- ${pk} is imported by: ${by.join(', ')}`);
    }
    // The matching symbols whose own parent does not match: where the
    // pattern is first entered from outside. Chains that start at a
    // package's init (go:main.inittasks) come last: they show what an
    // import alone keeps (init functions, and what they register).
    // Content-addressed data (static temps, arg info, GC maps) is shared
    // between functions, so its first parent is arbitrary: skip it as an
    // entry point when there are others.
    const shared = (x) => /\.\.stmp_|\.arginfo\d|^gclocals|^go:(string|func)\./.test(x);
    let entries = hits.filter((s) => !re.test(dep.parent.get(s) ?? ''));
    if (entries.some((s) => !shared(s))) entries = entries.filter((s) => !shared(s));
    const isInit = (c) => c[0] === 'go:main.inittasks';
    const chains = entries
      .map((s) => chain(dep, s))
      .filter((c) => !(isInit(c) && c.length <= 2 && entries.length > 1))
      .sort((a, b) => isInit(a) - isInit(b) || a.length - b.length);
    report.why[pat] = chains.slice(0, 8);
    const n = o.whyChains ?? 4;
    for (const c of chains.slice(0, n)) {
      const pk = [];
      for (const s of c) {
        const k = packageOf(s);
        if (pk.at(-1) !== k) pk.push(k);
      }
      // The runtime's start-up prefix is the same in every chain.
      const from = c.indexOf('main.main');
      const cc = from > 0 ? ['…', ...c.slice(from)] : c;
      const pk2 = from > 0 ? pk.slice(pk.indexOf('main')) : pk;
      p(`- packages: ${pk2.join(' → ')}`);
      p(`  symbols:  ${cc.map((s) => s + (dep.flags.has(s) ? ' ' + dep.flags.get(s) : '')).join(' → ')}`);
    }
    if (chains.length > n) p(`- (${chains.length - n} more entry points; ${chains.filter(isInit).length} of all ${chains.length} start at a package init)`);
    p();
  }
}

// Reads one module: sections, functions with their Go names, packages,
// pclntab shares and the Go tables of the data.
function load(file) {
  const buf = fs.readFileSync(file);
  const mod = parseWasm(buf);
  const mem = new Memory(mod.segments);
  const go = readGoTables(mem);
  let pcln = null;
  if (!go.error) {
    try {
      pcln = pclntabByFunction(mem, go);
    } catch (e) {
      go.error = `pclntab: ${e.message}`;
    }
  }
  const pclnByName = new Map();
  if (pcln) for (const f of pcln) pclnByName.set(f.name, (pclnByName.get(f.name) ?? 0) + f.bytes);
  // The name section has the symbols with every character but [A-Za-z0-9_.]
  // replaced by "_" (cmd/link/internal/wasm: nameRegexp); pclntab has them
  // as they are. Map one to the other (ambiguous manglings stay mangled).
  const real = new Map();
  if (pcln) {
    for (const f of pcln) {
      const k = f.name.replace(/[^\w.]/g, '_');
      real.set(k, real.has(k) && real.get(k) !== f.name ? null : f.name);
    }
  }
  let unmapped = 0;
  const funcs = mod.bodies.map((b) => {
    let name = mod.names.get(b.index) ?? `func[${b.index}]`;
    if (real.get(name)) name = real.get(name);
    else unmapped++;
    return { name, pkg: packageOf(name), size: b.size, start: b.start, end: b.end, generic: name.includes('['), pcln: pclnByName.get(name) ?? 0 };
  });
  return { file, buf, mod, mem, go, pcln, funcs, unmapped, codeTotal: funcs.reduce((n, f) => n + f.size, 0) };
}

function groupFuncs(m, keyOf, withGzip = true) {
  const groups = new Map();
  for (const f of m.funcs) {
    const k = keyOf(f);
    if (!groups.has(k)) groups.set(k, { name: k, code: 0, funcs: 0, generic: 0, pcln: 0, bodies: [] });
    const g = groups.get(k);
    g.code += f.size;
    g.funcs++;
    if (f.generic) g.generic += f.size;
    g.pcln += f.pcln;
    g.bodies.push(m.buf.subarray(f.start, f.end));
  }
  const ranked = [...groups.values()].sort((a, b) => b.code - a.code);
  for (const g of ranked) {
    if (withGzip) g.gzip = zlib.gzipSync(Buffer.concat(g.bodies), { level: 9 }).length;
    delete g.bodies;
  }
  return ranked;
}

// "pkg.F[go.shape.int,...]" -> the type arguments, shortened.
function shapeOf(name) {
  const i = name.indexOf('[');
  if (i < 0) return '';
  let depth = 0;
  for (let j = i; j < name.length; j++) {
    if (name[j] === '[') depth++;
    else if (name[j] === ']' && --depth === 0) return name.slice(i, j + 1);
  }
  return name.slice(i);
}
const short = (s, n = 100) => (s.length > n ? s.slice(0, n - 3) + '...' : s);

function owner(pkg) {
  if (pkg.startsWith('github.com/idbsync/idbsync')) return 'idbsync (this module)';
  if (pkg.startsWith('(') || pkg.startsWith('go:')) return 'linker-made';
  if (pkg.split('/')[0].includes('.')) return 'third-party modules';
  if (pkg.startsWith('runtime') || pkg.startsWith('internal/runtime')) return 'runtime + internal/runtime/*';
  return 'standard library (not runtime)';
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  let file = o.file;
  if (!file) {
    file = tmp('idbsync.wasm');
    goBuild(file, o.ldflags);
  }
  if (o.packData) {
    const src = fs.readFileSync(file);
    const pk = packData(src, o.gap ?? 64);
    fs.writeFileSync(o.packData, pk.buf);
    const g0 = gzipSize(src);
    const g1 = gzipSize(pk.buf);
    process.stdout.write(`${file}: ${fmtN(pk.before)} data segments, ${fmtN(src.length)} bytes raw, ${fmtN(g0)} gzip -9\n`);
    process.stdout.write(`${o.packData}: ${fmtN(pk.after)} data segments (gap < ${o.gap ?? 64} merged), ${fmtN(pk.buf.length)} bytes raw, ${fmtN(g1)} gzip -9\n`);
    return;
  }
  const m = load(file);
  const { buf, mod, mem, go, pcln, funcs, codeTotal } = m;
  const report = { file, size: buf.length, gzip: gzipSize(buf), producers: mod.producers };
  const out = [];
  const p = (s = '') => out.push(s);

  p(`# ${path.basename(file)}: ${fmtN(buf.length)} bytes raw, ${fmtN(report.gzip)} bytes gzip -9`);
  p();
  if (mod.producers) p(`producers: ${mod.producers}`);
  if (!mod.names.size) p('No "name" section: build without -ldflags=-s (and without wasm-opt --strip-debug) to see functions.');
  if (m.unmapped && pcln) p(`${m.unmapped} functions have no pclntab name (wasm-opt output?); they keep the mangled wasm name.`);
  p();

  // Sections.
  const secGz = (s) => (s.id === 10 || s.id === 11 || s.size > 4096 ? zlib.gzipSync(buf.subarray(s.start, s.start + s.size), { level: 9 }).length : null);
  report.sections = mod.sections.map((s) => ({ name: s.name, bytes: s.size, gzip: secGz(s) }));
  p('## Sections');
  p();
  p(table(['section', 'bytes', 'share', 'gzip -9 alone'], report.sections.map((s) => [s.name, fmtN(s.bytes), pct(s.bytes, buf.length), s.gzip === null ? '' : fmtN(s.gzip)]), ['l', 'r', 'r', 'r']));
  {
    const by = (f) => mod.sections.filter(f).reduce((n, s) => n + s.size, 0);
    const code = by((s) => s.id === 10);
    const data = by((s) => s.id === 11);
    const names = by((s) => s.name === 'custom "name"');
    p(`Total: code ${fmtN(code)} (${pct(code, buf.length)}), data ${fmtN(data)} (${pct(data, buf.length)}), name section ${fmtN(names)}, everything else ${fmtN(buf.length - 8 - code - data - names)} (+8 bytes of header).`);
    p();
  }

  // Packages.
  let modules = [];
  if (o.by === 'module') {
    const r = spawnSync('go', ['list', '-deps', '-f', '{{with .Module}}{{.Path}}{{end}}', './wasm'], { cwd: repo, env: goEnv, encoding: 'utf8' });
    modules = [...new Set((r.stdout || '').split('\n').filter(Boolean))];
  }
  const groupOf = (f) => (o.by === 'module' ? moduleOf(f.pkg, modules) : f.pkg);
  const ranked = groupFuncs(m, groupOf);
  report.code = { bytes: codeTotal, functions: funcs.length, groups: ranked };

  p(`## Code by ${o.by}: ${fmtN(codeTotal)} bytes in ${fmtN(funcs.length)} functions`);
  p();
  p('`code`: the function bodies in the code section. `gzip`: those bodies gzipped on their own, an estimate of the');
  p("group's share of the compressed module (the sum over groups is larger than the whole). `pclntab`: the group's");
  p('records in the Go pclntab (names, _func, ftab, pc-value tables) and its go:func.* funcdata, all in the data section.');
  p('`generic`: the part of `code` in generic instantiations (names with [...]).');
  p();
  const top = ranked.slice(0, o.top);
  const rest = ranked.slice(o.top);
  const rows = top.map((g, i) => [i + 1, g.name, fmtN(g.code), pct(g.code, codeTotal), fmtN(g.gzip), pcln ? fmtN(g.pcln) : '', g.funcs, g.generic ? fmtN(g.generic) : '']);
  if (rest.length) {
    const s = (k) => rest.reduce((n, g) => n + g[k], 0);
    rows.push(['', `(${rest.length} more)`, fmtN(s('code')), pct(s('code'), codeTotal), fmtN(s('gzip')), pcln ? fmtN(s('pcln')) : '', s('funcs'), fmtN(s('generic'))]);
  }
  p(table(['#', o.by, 'code', 'share', 'gzip', 'pclntab', 'funcs', 'generic'], rows, ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r']));

  // By owner.
  const owners = groupFuncs(m, (f) => owner(f.pkg));
  report.owners = owners;
  p('## Code by owner');
  p();
  p(table(['owner', 'code', 'share', 'gzip', 'pclntab'], owners.map((g) => [g.name, fmtN(g.code), pct(g.code, codeTotal), fmtN(g.gzip), pcln ? fmtN(g.pcln) : '']), ['l', 'r', 'r', 'r', 'r']));

  // Generic instantiations: by package and type arguments.
  const gen = groupFuncs({ ...m, funcs: funcs.filter((f) => f.generic) }, (f) => `${f.pkg} ${shapeOf(f.name.slice(f.pkg.length))}`, false);
  if (gen.length) {
    const genTotal = gen.reduce((n, g) => n + g.code, 0);
    report.generics = gen;
    p(`## Generic instantiations: ${fmtN(genTotal)} bytes (${pct(genTotal, codeTotal)} of code); the largest by package and type arguments`);
    p();
    p(table(['package [type arguments]', 'code', 'funcs'], gen.slice(0, 15).map((g) => [short(g.name, 120), fmtN(g.code), g.funcs]), ['l', 'r', 'r']));
  }

  // Largest functions.
  const bigF = [...funcs].sort((a, b) => b.size - a.size).slice(0, o.funcs);
  report.topFunctions = bigF.map((f) => ({ name: f.name, bytes: f.size, pclntab: f.pcln }));
  p(`## Largest ${o.funcs} functions`);
  p();
  p(table(['#', 'function', 'bytes', 'share'], bigF.map((f, i) => [i + 1, short(f.name, 110), fmtN(f.size), pct(f.size, codeTotal)]), ['r', 'l', 'r', 'r']));

  // Data.
  p('## Data section');
  p();
  if (go.error) {
    const payload = mod.segments.reduce((n, s) => n + s.data.length, 0);
    p(`${fmtN(payload)} bytes in ${mod.segments.length} segments; regions unknown: ${go.error}.`);
    report.data = { payload, segments: mod.segments.length, error: go.error };
  } else {
    const dataSec = mod.sections.find((s) => s.id === 11)?.size ?? 0;
    const d = dataRegions(mem, go, dataSec);
    report.data = { ...d, segments: mod.segments.length, nfunc: go.header.nfunc, pclntabAttributed: pcln.reduce((n, f) => n + f.bytes, 0) };
    const dataGz = report.sections.find((x) => x.name === 'data')?.gzip ?? 0;
    p(`${fmtN(dataSec)} bytes (${fmtN(dataGz)} gzip -9 alone): ${fmtN(d.payload)} bytes of contents in ${fmtN(mod.segments.length)} segments`);
    p(`(the Go linker leaves out runs of 8+ zero bytes) and ${fmtN(d.overhead)} bytes of segment headers. The contents alone`);
    p(`gzip to ${fmtN(d.payloadGzip)}: the segment headers cost about ${fmtN(dataGz - d.payloadGzip)} bytes gzip. Regions, from runtime.firstmoduledata:`);
    p();
    p(table(['region', 'address', 'span', 'stored', 'share of data', 'gzip alone'], d.regions.map((r) => [r.name, `0x${r.lo.toString(16)}`, fmtN(r.span), fmtN(r.stored), pct(r.stored, d.payload), fmtN(r.gzip)]), ['l', 'r', 'r', 'r', 'r', 'r']));
    p(`Attributed to functions (the pclntab column): ${fmtN(report.data.pclntabAttributed)} bytes of pclntab and funcdata for ${fmtN(go.header.nfunc)} functions, about`);
    p(`${fmtN(Math.round(report.data.pclntabAttributed / go.header.nfunc))} bytes each, plus 16 findfunctab buckets (320 bytes of span) each.`);
    p();
  }

  // --list
  for (const want of o.list) {
    const fs_ = funcs.filter((f) => f.pkg === want || f.pkg.startsWith(want + '/') || f.name.startsWith(want)).sort((a, b) => b.size - a.size);
    p(`## Functions of ${want}: ${fmtN(fs_.reduce((n, f) => n + f.size, 0))} bytes in ${fs_.length}`);
    p();
    p(table(['function', 'bytes', 'pclntab'], fs_.map((f) => [short(f.name, 140), fmtN(f.size), fmtN(f.pcln)]), ['l', 'r', 'r']));
  }

  // --diff
  if (o.diff) {
    const b = load(o.diff);
    const ga = new Map(groupFuncs(m, groupOf, false).map((g) => [g.name, g]));
    const gb = new Map(groupFuncs(b, groupOf, false).map((g) => [g.name, g]));
    const keys = new Set([...ga.keys(), ...gb.keys()]);
    const rowsD = [...keys]
      .map((k) => ({ k, a: ga.get(k)?.code ?? 0, b: gb.get(k)?.code ?? 0, pa: ga.get(k)?.pcln ?? 0, pb: gb.get(k)?.pcln ?? 0 }))
      .filter((r) => r.a !== r.b)
      .sort((x, y) => x.b - x.a - (y.b - y.a));
    const gzB = gzipSize(b.buf);
    report.diff = { other: o.diff, size: b.buf.length, gzip: gzB, rows: rowsD };
    p(`## Diff: ${path.basename(o.diff)} minus ${path.basename(file)}`);
    p();
    p(`raw ${fmtN(b.buf.length - buf.length)} bytes, gzip -9 ${fmtN(gzB - report.gzip)} bytes, code ${fmtN(b.codeTotal - codeTotal)} bytes, functions ${fmtN(b.funcs.length - funcs.length)}.`);
    p();
    p(table([o.by, 'code before', 'code after', 'change', 'pclntab change'], rowsD.slice(0, o.top).map((r) => [r.k, fmtN(r.a), fmtN(r.b), fmtN(r.b - r.a), fmtN(r.pb - r.pa)]), ['l', 'r', 'r', 'r', 'r']));
  }

  // --data, --why
  if (o.data || o.why.length) {
    if (o.file) p(`(--data and --why describe a fresh build of ./wasm in ${repo}, not ${o.file}.)\n`);
    const dep = dumpdep(o.ldflags);
    report.reachable = dep.parent.size;
    if (o.data) dataSymbols(o, dep, report, p);
    if (o.why.length) why(o, dep, report, p);
  }

  if (o.variants) {
    const v = variants(o);
    report.variants = v;
    p('## Build and wasm-opt variants');
    p();
    p(table(['variant', 'raw', 'gzip -9', 'wasm-opt s'], v.map((r) => [r.variant, fmtN(r.raw), fmtN(r.gzip), r.seconds ?? '']), ['l', 'r', 'r', 'r']));
  }

  process.stdout.write(out.join('\n') + '\n');
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(report, null, 1));
}

main();
