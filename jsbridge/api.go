//go:build js && wasm

package jsbridge

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"syscall/js"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/paged"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
	"github.com/idbsync/idbsync/idb"
)

// Module returns the object the WebAssembly module hands to
// web/idbsync.js: {version, open(options), decode(batch)}. open resolves
// to a handle whose methods each return a Promise; web/idbsync.js wraps it
// in the Engine class of the public API.
func Module(version string) js.Value {
	return js.ValueOf(map[string]any{
		"version": version,
		"open":    js.FuncOf(open),
		"decode":  js.FuncOf(decode),
	})
}

// handles maps the id of each open handle to its engine, so sync(a, b)
// between two engines of this page runs in Go without crossing to
// JavaScript per page.
var handles = struct {
	sync.Mutex
	next int
	m    map[int]*handle
}{m: make(map[int]*handle)}

// handle is one open engine as JavaScript holds it.
type handle struct {
	id     int
	obj    js.Value           // the object JavaScript holds
	funcs  map[string]js.Func // its methods, released on close
	mu     sync.Mutex
	e      *Engine // nil once closed, so a handle JavaScript keeps holds no engine
	closed bool
}

// afterClose are the methods of every closed handle, shared: close()
// resolves, every other method rejects with CLOSED. A closed handle's own
// functions are released, which frees the engine they reached; JavaScript
// finds these in their place, so it never calls a released function (that
// would stop the module).
var afterClose = struct {
	once          sync.Once
	close, method js.Func
}{}

func closedFuncs() (closeFn, method js.Func) {
	afterClose.once.Do(func() {
		afterClose.close = js.FuncOf(func(js.Value, []js.Value) any {
			return Promise(func() (any, error) { return nil, nil })
		})
		afterClose.method = js.FuncOf(func(js.Value, []js.Value) any {
			return Promise(func() (any, error) { return nil, fmt.Errorf("%w: the engine was closed", kv.ErrClosed) })
		})
	})
	return afterClose.close, afterClose.method
}

// engine returns the engine, or a CLOSED error once close was called.
func (h *handle) engine() (*Engine, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, fmt.Errorf("%w: the engine was closed", kv.ErrClosed)
	}
	return h.e, nil
}

// method wraps fn as a handle method returning a Promise: its arguments
// are read in the calling JavaScript turn (they may change after), its work
// runs in a goroutine.
func (h *handle) method(name string, fn func(a *args) func(ctx context.Context, e *Engine) (any, error)) js.Func {
	f := js.FuncOf(func(_ js.Value, v []js.Value) any {
		a := &args{call: name, v: v}
		var work func(ctx context.Context, e *Engine) (any, error)
		parse(a, func() { work = fn(a) })
		return Promise(func() (any, error) {
			if a.err != nil {
				return nil, a.err
			}
			e, err := h.engine()
			if err != nil {
				return nil, err
			}
			return work(context.Background(), e)
		})
	})
	h.funcs[name] = f
	return f
}

// parse runs fn, which reads a's arguments in the calling JavaScript turn;
// a panic there (a value syscall/js cannot handle) becomes a's error, so
// the call rejects instead of killing the module.
func parse(a *args, fn func()) {
	defer func() {
		if r := recover(); r != nil && a.err == nil {
			a.err = fmt.Errorf("%w: %s: unreadable argument: %v", errcode.ErrInvalidArgument, a.call, r)
		}
	}()
	fn()
}

// open({name, peer?, durability?, layout?, onlost?}) resolves to a handle.
func open(_ js.Value, v []js.Value) any {
	a := &args{call: "open", v: v}
	var opts Options
	parse(a, func() { opts = openOptions(a) })
	return Promise(func() (any, error) {
		if a.err != nil {
			return nil, a.err
		}
		e, err := OpenEngine(context.Background(), opts)
		if err != nil {
			return nil, err
		}
		return newHandle(e), nil
	})
}

// openOptions reads open's argument.
func openOptions(a *args) Options {
	opts := Options{}
	o := a.at(0)
	if kind(o) != "object" {
		a.fail(0, "(options) must be an object, not %s", typeOf(o))
	} else {
		fields := &args{call: "open", v: []js.Value{o.Get("name"), o.Get("peer"), o.Get("durability"), o.Get("onlost"), o.Get("layout")}}
		opts.Name = fields.string(0, "name")
		if !fields.at(1).IsUndefined() {
			opts.Peer = fields.peer(1)
		}
		if d := fields.at(2); !d.IsUndefined() {
			switch s := fields.string(2, "durability"); s {
			case string(idb.Strict), string(idb.Relaxed):
				opts.Durability = idb.Durability(s)
			default:
				fields.fail(2, "(durability) must be %q or %q, not %q", idb.Strict, idb.Relaxed, s)
			}
		}
		if l := fields.at(4); !l.IsUndefined() {
			switch s := fields.string(4, "layout"); s {
			case string(idb.Paged), string(idb.Rows):
				opts.Layout = idb.Layout(s)
			default:
				fields.fail(4, "(layout) must be %q or %q, not %q", idb.Paged, idb.Rows, s)
			}
		}
		if cb := fields.at(3); kind(cb) == "function" {
			opts.OnLost = func(err error) { cb.Invoke(Error(err)) }
		}
		if fields.err != nil {
			a.err = fields.err
		}
	}
	return opts
}

// newHandle registers e and builds its JavaScript object.
func newHandle(e *Engine) js.Value {
	handles.Lock()
	handles.next++
	h := &handle{id: handles.next, e: e, funcs: make(map[string]js.Func)}
	handles.m[h.id] = h
	handles.Unlock()

	obj := map[string]any{
		"id":       h.id,
		"peer":     e.Peer().String(),
		"instance": e.Instance().String(),
		"layout":   string(e.Layout()),
	}
	obj["exec"] = h.method("exec", func(a *args) func(context.Context, *Engine) (any, error) {
		packed := a.bytes(0, "packed ops")
		return func(ctx context.Context, e *Engine) (any, error) {
			recs, err := DecodeRecords(packed)
			if err != nil {
				return nil, err
			}
			if len(recs) == 0 {
				return nil, fmt.Errorf("%w: exec needs at least one op", errcode.ErrInvalidArgument)
			}
			ops := make([]oplog.Op, len(recs))
			for i, r := range recs {
				if r.Present {
					ops[i] = oplog.Put(r.Key, r.Value)
				} else {
					ops[i] = oplog.Delete(r.Key)
				}
			}
			w, err := e.Exec(ctx, ops...)
			if err != nil {
				return nil, err
			}
			return map[string]any{"peer": w.Peer.String(), "from": index(w.From), "to": index(w.To)}, nil
		}
	})
	obj["getMany"] = h.method("getMany", func(a *args) func(context.Context, *Engine) (any, error) {
		packed := a.bytes(0, "packed keys")
		return func(ctx context.Context, e *Engine) (any, error) {
			recs, err := DecodeRecords(packed)
			if err != nil {
				return nil, err
			}
			keys := make([]string, len(recs))
			for i, r := range recs {
				keys[i] = r.Key
			}
			vs, err := e.GetMany(ctx, keys)
			if err != nil {
				return nil, err
			}
			var out []byte
			for i, v := range vs {
				r := Record{Key: keys[i]}
				if v != nil {
					r.Value, r.Present = v.Value, true
				}
				out = AppendRecord(out, r)
			}
			return toJS(out), nil
		}
	})
	obj["scan"] = h.method("scan", func(a *args) func(context.Context, *Engine) (any, error) {
		prefix, start, limit := a.string(0, "prefix"), a.string(1, "start"), a.limit(2, "limit")
		return func(ctx context.Context, e *Engine) (any, error) {
			vs, err := e.Scan(ctx, prefix, start, limit)
			if err != nil {
				return nil, err
			}
			var out []byte
			for _, v := range vs {
				out = AppendRecord(out, Record{Key: v.Key, Value: v.Value, Present: true})
			}
			return toJS(out), nil
		}
	})
	obj["cursors"] = h.method("cursors", func(*args) func(context.Context, *Engine) (any, error) {
		return func(ctx context.Context, e *Engine) (any, error) {
			c, err := e.Cursors(ctx)
			if err != nil {
				return nil, err
			}
			// A JavaScript object keeps insertion order: sorted peers make
			// two replicas' cursors print (and JSON.stringify) alike.
			peers := make([]string, 0, len(c))
			for p := range c {
				peers = append(peers, p.String())
			}
			// sort.Slice, not slices.Sort: slices sorting one more element type adds a
			// pdqsort family (~16 KB) to dist/idbsync.wasm (bench/size/README.md, win 4).
			sort.Slice(peers, func(i, j int) bool { return peers[i] < peers[j] })
			out := js.Global().Get("Object").New()
			for _, p := range peers {
				out.Set(p, index(c[uuid.MustParse(p)]))
			}
			return out, nil
		}
	})
	obj["readSince"] = h.method("readSince", func(a *args) func(context.Context, *Engine) (any, error) {
		peer, from, limit := a.peer(0), a.uint(1, "from"), a.limit(2, "limit")
		if a.err == nil && limit == 0 {
			a.fail(2, "(limit) is required")
		}
		return func(ctx context.Context, e *Engine) (any, error) {
			b, err := e.ReadSince(ctx, peer, from, limit)
			if err != nil {
				return nil, err
			}
			return toJS(b), nil
		}
	})
	obj["apply"] = h.method("apply", func(a *args) func(context.Context, *Engine) (any, error) {
		batch := a.bytes(0, "batch")
		return func(ctx context.Context, e *Engine) (any, error) {
			res, err := e.Apply(ctx, batch)
			if err != nil {
				return nil, err
			}
			return map[string]any{"applied": res.Applied, "skipped": res.Skipped, "keys": toJS(appendKeys(nil, res.Keys))}, nil
		}
	})
	obj["expunge"] = h.method("expunge", func(a *args) func(context.Context, *Engine) (any, error) {
		peer, idx := a.peer(0), a.uint(1, "idx")
		return func(ctx context.Context, e *Engine) (any, error) {
			key, err := e.Expunge(ctx, peer, idx)
			if err != nil || key == "" {
				return map[string]any{"keys": toJS(nil)}, err
			}
			return map[string]any{"keys": toJS(appendKeys(nil, []string{key}))}, nil
		}
	})
	// putBlob(key, bytes, hash?): hash is the bytes' SHA-256 as the page
	// computed it with WebCrypto (SHA-256 in wasm is far slower).
	obj["putBlob"] = h.method("putBlob", func(a *args) func(context.Context, *Engine) (any, error) {
		key, data := a.string(0, "key"), a.bytes(1, "bytes")
		hash := ""
		if len(a.v) > 2 && kind(a.v[2]) == "string" {
			hash = a.string(2, "hash")
		}
		return func(ctx context.Context, e *Engine) (any, error) {
			put := e.PutBlob
			if hash != "" {
				put = func(ctx context.Context, key string, data []byte) (engine.BlobRef, error) {
					return e.PutBlobHashed(ctx, key, data, hash)
				}
			}
			ref, err := put(ctx, key, data)
			if err != nil {
				return nil, err
			}
			return map[string]any{"hash": ref.Hash, "size": ref.Size}, nil
		}
	})
	// getBlob answers the bytes, undefined for no blob, or {missing: true,
	// hash, size} for an attachment whose bytes are on another replica: the
	// page fetches them and gives them to storeBlob.
	obj["getBlob"] = h.method("getBlob", func(a *args) func(context.Context, *Engine) (any, error) {
		key := a.string(0, "key")
		return func(ctx context.Context, e *Engine) (any, error) {
			data, found, err := e.GetBlob(ctx, key)
			var missing *engine.MissingBlobError
			if errors.As(err, &missing) {
				return map[string]any{"missing": true, "hash": missing.Ref.Hash, "size": missing.Ref.Size}, nil
			}
			if err != nil || !found {
				return js.Undefined(), err
			}
			return toJS(data), nil
		}
	})
	// storeBlob(hash, bytes, checked?): checked true when the page has
	// checked the hash with WebCrypto.
	obj["storeBlob"] = h.method("storeBlob", func(a *args) func(context.Context, *Engine) (any, error) {
		hash, data := a.string(0, "hash"), a.bytes(1, "bytes")
		checked := len(a.v) > 2 && a.v[2].Type() == js.TypeBoolean && a.v[2].Bool()
		return func(ctx context.Context, e *Engine) (any, error) {
			if checked {
				return nil, e.StoreBlobHashed(ctx, hash, data)
			}
			return nil, e.StoreBlob(ctx, hash, data)
		}
	})
	obj["missingBlobs"] = h.method("missingBlobs", func(a *args) func(context.Context, *Engine) (any, error) {
		return func(ctx context.Context, e *Engine) (any, error) {
			all, err := e.MissingBlobs(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]any, len(all))
			for i, m := range all {
				out[i] = map[string]any{"key": m.Key, "hash": m.Hash, "size": m.Size}
			}
			return out, nil
		}
	})
	obj["deleteBlob"] = h.method("deleteBlob", func(a *args) func(context.Context, *Engine) (any, error) {
		key := a.string(0, "key")
		return func(ctx context.Context, e *Engine) (any, error) {
			return nil, e.DeleteBlob(ctx, key)
		}
	})
	obj["recover"] = h.method("recover", func(*args) func(context.Context, *Engine) (any, error) {
		return func(ctx context.Context, e *Engine) (any, error) {
			return e.Recover(ctx)
		}
	})
	obj["stats"] = h.method("stats", func(*args) func(context.Context, *Engine) (any, error) {
		return func(ctx context.Context, e *Engine) (any, error) {
			s, err := e.Stats(ctx)
			if err != nil {
				return nil, err
			}
			out := map[string]any{"blobs": s.Blobs, "referenced": s.Referenced, "changes": s.Changes, "instances": s.Instances, "dead": s.Dead, "contents": s.Contents, "parts": s.Parts, "recoveryError": nil}
			if s.RecoveryError != nil {
				out["recoveryError"] = Error(s.RecoveryError)
			}
			if ps, ok := e.store.(*paged.Store); ok {
				in := ps.Info()
				out["paged"] = map[string]any{"pages": in.Pages, "unmerged": in.Unmerged, "memBytes": in.MemBytes, "generation": float64(in.Gen)}
			}
			return out, nil
		}
	})
	obj["sync"] = h.method("sync", func(a *args) func(context.Context, *Engine) (any, error) {
		other, err := replicaOf(a.at(0))
		if err != nil && a.err == nil {
			a.err = err
		}
		pageSize := a.limit(1, "pageSize")
		return func(ctx context.Context, e *Engine) (any, error) {
			mine := &watched{Replica: e}
			res, err := syncer.Sync(ctx, mine, other, syncer.Options{PageSize: pageSize})
			if err != nil && !errors.Is(err, syncer.ErrIncomplete) {
				return nil, err
			}
			out := map[string]any{"toA": res.ToA, "toB": res.ToB, "keysA": toJS(appendKeys(nil, mine.keys))}
			if w, ok := other.(*watched); ok {
				out["keysB"] = toJS(appendKeys(nil, w.keys))
			}
			if err != nil {
				// Every range that could sync did: reject with all the
				// failures, and what was applied (for watchers).
				return nil, &incompleteSync{err: err, res: res, out: out}
			}
			return out, nil
		}
	})
	// close is not a method: it must work on a closed handle (idempotent)
	// and it releases the handle's functions once the engine is closed.
	closeFn := js.FuncOf(func(js.Value, []js.Value) any {
		return Promise(func() (any, error) { return nil, h.close() })
	})
	h.funcs["close"] = closeFn
	obj["close"] = closeFn
	h.obj = js.ValueOf(obj)
	return h.obj
}

// close closes the engine once; later calls on the handle answer CLOSED.
// Then it puts the shared closed methods in place of the handle's own and
// releases those, so nothing reachable from JavaScript holds the engine.
func (h *handle) close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	e := h.e
	h.e = nil
	h.mu.Unlock()
	handles.Lock()
	delete(handles.m, h.id)
	handles.Unlock()
	err := e.Close()
	closeFn, method := closedFuncs()
	for name, f := range h.funcs {
		if name == "close" {
			h.obj.Set(name, closeFn)
		} else {
			h.obj.Set(name, method)
		}
		// NB: close is running inside its own Promise's goroutine, not in
		// closeFn's JavaScript call, which has returned: releasing it is safe.
		f.Release()
	}
	clear(h.funcs)
	return err
}

// replicaOf is the other side of a sync: an open handle of this page (in
// Go), or any object with cursors, readSince and apply.
func replicaOf(v js.Value) (syncer.Replica, error) {
	if kind(v) == "object" {
		if id := v.Get("id"); kind(id) == "number" {
			handles.Lock()
			h := handles.m[id.Int()]
			handles.Unlock()
			if h != nil {
				if e, err := h.engine(); err == nil {
					if inst := v.Get("instance"); kind(inst) == "string" && inst.String() == e.Instance().String() {
						return &watched{Replica: e}, nil
					}
				}
			}
		}
	}
	return newJSReplica(v)
}

// incompleteSync is a sync that did all it could while some peer ranges
// failed: it rejects with the first failure's code, every failure (with its
// peer and side) and the result of what went through.
type incompleteSync struct {
	err error
	res syncer.Result
	out map[string]any
}

func (e *incompleteSync) Error() string { return e.err.Error() }
func (e *incompleteSync) Unwrap() error { return e.err }

// decorate adds the failures and the result to the JavaScript Error je.
func (e *incompleteSync) decorate(je js.Value) {
	if len(e.res.Errors) > 0 {
		je.Set("code", errcode.Code(e.res.Errors[0].Err))
	}
	errs := make([]any, len(e.res.Errors))
	for i, re := range e.res.Errors {
		x := Error(re.Err)
		x.Set("peer", re.Peer.String())
		x.Set("side", re.Side)
		errs[i] = x
	}
	je.Set("errors", errs)
	for k, v := range e.out {
		je.Set(k, v)
	}
}

// watched is a sync replica of this page that notes the keys its applies
// wrote, for the watchers of web/idbsync.js.
type watched struct {
	syncer.Replica
	keys []string
}

func (w *watched) Apply(ctx context.Context, batch []byte) (oplog.BatchResult, error) {
	res, err := w.Replica.Apply(ctx, batch)
	w.keys = append(w.keys, res.Keys...)
	return res, err
}

// ApplyAttested keeps the inner replica's way with attested batches (an
// engine keeps their users); one without drops them, as Apply does.
func (w *watched) ApplyAttested(ctx context.Context, batch []byte) (oplog.BatchResult, error) {
	aa, ok := w.Replica.(syncer.AttestedApplier)
	if !ok {
		return w.Apply(ctx, batch)
	}
	res, err := aa.ApplyAttested(ctx, batch)
	w.keys = append(w.keys, res.Keys...)
	return res, err
}

// CarryBlobs implements syncer.BlobCarrier for the inner replica (an
// engine), so a sync uploads attachments before their entries.
func (w *watched) CarryBlobs(ctx context.Context, entries []oplog.Entry, to syncer.BlobSink) error {
	if c, ok := w.Replica.(syncer.BlobCarrier); ok {
		return c.CarryBlobs(ctx, entries, to)
	}
	return nil
}

// HasBlobs implements syncer.BlobSink for the inner replica (an engine).
func (w *watched) HasBlobs(ctx context.Context, hashes []string) ([]bool, error) {
	if s, ok := w.Replica.(syncer.BlobSink); ok {
		return s.HasBlobs(ctx, hashes)
	}
	return make([]bool, len(hashes)), nil
}

// StoreBlob implements syncer.BlobSink for the inner replica (an engine).
func (w *watched) StoreBlob(ctx context.Context, hash string, data []byte) error {
	if s, ok := w.Replica.(syncer.BlobSink); ok {
		return s.StoreBlob(ctx, hash, data)
	}
	return nil
}

// appendKeys packs bare keys.
func appendKeys(dst []byte, keys []string) []byte {
	for _, k := range keys {
		dst = AppendRecord(dst, Record{Key: k})
	}
	return dst
}

// decode(batch) returns the entries of a wire batch as plain objects, for
// inspection. It runs synchronously: it only decodes.
func decode(_ js.Value, v []js.Value) (result any) {
	defer func() {
		if r := recover(); r != nil {
			result = throw(fmt.Errorf("%w: %v", errcode.ErrInternal, r))
		}
	}()
	a := &args{call: "decode", v: v}
	batch := a.bytes(0, "batch")
	if a.err != nil {
		return throw(a.err)
	}
	entries, err := oplog.DecodeBatch(batch)
	if err != nil {
		return throw(err)
	}
	out := make([]any, len(entries))
	for i, en := range entries {
		o := map[string]any{"peer": en.Peer.String(), "idx": index(en.Idx)}
		switch {
		case en.Expunged():
			h := en.ExpungedHash()
			o["expunged"] = hex.EncodeToString(h[:])
		default:
			o["ts"] = strconv.FormatUint(uint64(en.TS), 10)
			if en.User != uuid.Nil {
				o["user"] = en.User.String()
			}
			switch ref, isExpunge := en.Op.ExpungeRef(); {
			case isExpunge:
				o["expunge"] = map[string]any{"peer": ref.Peer.String(), "idx": index(ref.Idx), "hash": hex.EncodeToString(ref.Hash[:])}
			case en.Op.Tag == oplog.TagDelete:
				o["del"] = en.Op.Key
			default:
				o["put"] = en.Op.Key
				o["value"] = toJS(en.Op.Value)
			}
		}
		out[i] = o
	}
	return out
}

// throw is how a synchronous call fails: web/idbsync.js rethrows the Error
// it finds under "error".
func throw(err error) any {
	return map[string]any{"error": Error(err)}
}
