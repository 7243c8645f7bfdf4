//go:build js && wasm

package idb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	indexeddb "github.com/hack-pad/go-indexeddb/idb"
	"github.com/hack-pad/safejs"

	"github.com/idbsync/idbsync/core/kv"
)

// Durability is the durability hint every batch's transaction is opened with.
type Durability string

// The durability modes; see the package documentation.
const (
	Strict  Durability = "strict"
	Relaxed Durability = "relaxed"
)

// DefaultBlockedTimeout is how long Open waits for an upgrade that other
// connections block before it gives up with kv.ErrBlocked.
const DefaultBlockedTimeout = 5 * time.Second

// Options configure Open. The zero value opens with no tables, strict
// durability and the default blocked timeout.
type Options struct {
	// Tables are created, if missing, by the open itself.
	Tables []string
	// Durability of every batch; empty means Strict.
	Durability Durability
	// BlockedTimeout bounds the wait for an upgrade blocked by another
	// connection; zero means DefaultBlockedTimeout.
	BlockedTimeout time.Duration
	// OnLost, when set, is called once, in a goroutine of its own, when the
	// browser takes the connection away (a newer tab's upgrade, storage
	// cleared) with the error later calls answer (kv.ErrClosed).
	OnLost func(err error)
}

// Store is a kv.Store over one IndexedDB database.
type Store struct {
	name       string
	durability Durability
	blocked    time.Duration
	onLost     func(error)

	mu     sync.RWMutex // guards c and closed; held for writing only to swap connections
	c      *connection
	closed bool
}

// connection is one open IDBDatabase and what is known of it.
type connection struct {
	db     *indexeddb.Database
	raw    js.Value        // the IDBDatabase itself, for its events
	tables map[string]bool // its object stores; fixed for its lifetime
	lost   atomic.Pointer[error]
	onLost func(error)
	events []listener
}

type listener struct {
	event string
	fn    js.Func
}

var _ kv.Store = (*Store)(nil)

// Open opens (creating if needed) the database name with opts.Tables.
func Open(ctx context.Context, name string, opts Options) (*Store, error) {
	s := &Store{name: name, blocked: opts.BlockedTimeout, onLost: opts.OnLost}
	switch opts.Durability {
	case "", Strict:
		s.durability = Strict
	case Relaxed:
		s.durability = Relaxed
	default:
		return nil, fmt.Errorf("idb: unknown durability %q (want %q or %q)", opts.Durability, Strict, Relaxed)
	}
	if s.blocked <= 0 {
		s.blocked = DefaultBlockedTimeout
	}
	c, err := s.open(ctx, 0, opts.Tables)
	if err != nil {
		return nil, err
	}
	s.c = c
	if err := s.createTables(ctx, opts.Tables); err != nil {
		c.close()
		return nil, err
	}
	return s, nil
}

// Name returns the database name.
func (s *Store) Name() string { return s.name }

// open connects at version (0: the current one, or 1 for a new database),
// creating the missing ones of tables if an upgrade runs.
func (s *Store) open(ctx context.Context, version uint, tables []string) (*connection, error) {
	ctx, cancel := context.WithTimeout(ctx, s.blocked)
	defer cancel()
	req, err := indexeddb.Global().Open(ctx, s.name, version, func(db *indexeddb.Database, _, _ uint) error {
		have, err := db.ObjectStoreNames()
		if err != nil {
			return err
		}
		for _, t := range tables {
			if !slices.Contains(have, t) {
				if _, err := db.CreateObjectStore(t, indexeddb.ObjectStoreOptions{}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, mapError(err)
	}
	db, err := req.Await(ctx)
	// go-indexeddb answers a context that ended with no error at all: the
	// request's readyState tells whether it really finished.
	if state, _ := req.ReadyState(); state != "done" {
		// The request stays queued behind whoever blocks it; if it ever
		// opens, close that connection so it blocks nobody in turn.
		go func() {
			if db, err := req.Await(context.Background()); err == nil {
				_ = db.Close()
			}
		}()
		if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return nil, err // the caller gave up
		}
		return nil, fmt.Errorf("%w: %q still blocked after %v", kv.ErrBlocked, s.name, s.blocked)
	}
	if err != nil {
		return nil, mapError(err)
	}
	raw, err := req.Request.Result()
	if err != nil {
		_ = db.Close()
		return nil, mapError(err)
	}
	c, err := newConnection(db, raw)
	if err != nil {
		return nil, err
	}
	c.onLost = s.onLost
	return c, nil
}

func newConnection(db *indexeddb.Database, raw js.Value) (*connection, error) {
	names, err := db.ObjectStoreNames()
	if err != nil {
		_ = db.Close()
		return nil, mapError(err)
	}
	c := &connection{db: db, raw: raw, tables: make(map[string]bool, len(names))}
	for _, n := range names {
		c.tables[n] = true
	}
	// These handlers run inside browser events: they only flag the loss,
	// they never block. go-indexeddb closes the connection on versionchange
	// itself, so that a newer tab's upgrade is not blocked.
	c.on("versionchange", "another connection (a newer tab) is upgrading the database")
	c.on("close", "the browser closed the connection (storage cleared or lost)")
	return c, nil
}

func (c *connection) on(event, why string) {
	f := js.FuncOf(func(js.Value, []js.Value) any {
		err := fmt.Errorf("%w: %s", kv.ErrClosed, why)
		if c.lost.CompareAndSwap(nil, &err) && c.onLost != nil {
			go c.onLost(err)
		}
		return nil
	})
	c.events = append(c.events, listener{event, f})
	c.raw.Call("addEventListener", event, f)
}

// err is nil while the connection is usable.
func (c *connection) err() error {
	if p := c.lost.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *connection) close() {
	for _, l := range c.events {
		c.raw.Call("removeEventListener", l.event, l.fn)
		l.fn.Release()
	}
	c.events = nil
	_ = c.db.Close()
}

// missing returns the names the connection has no object store for.
func (c *connection) missing(names []string) []string {
	var out []string
	for _, n := range names {
		if !c.tables[n] {
			out = append(out, n)
		}
	}
	return out
}

// CreateTables creates the missing tables with a version upgrade.
func (s *Store) CreateTables(ctx context.Context, names ...string) error {
	if slices.Contains(names, "") {
		return fmt.Errorf("%w: empty table name", kv.ErrUnknownTable)
	}
	return s.createTables(ctx, names)
}

func (s *Store) createTables(ctx context.Context, names []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return kv.ErrClosed
	}
	if err := s.c.err(); err != nil {
		return err
	}
	for len(s.c.missing(names)) > 0 {
		version, err := s.c.db.Version()
		if err != nil {
			return mapError(err)
		}
		// Transactions already running on the old connection finish first;
		// the upgrade waits for them.
		s.c.close()
		c, err := s.open(ctx, version+1, names)
		if errors.Is(err, kv.ErrVersion) {
			// Another connection upgraded first: reconnect and look again.
			c, err = s.open(ctx, 0, nil)
		}
		if err != nil {
			s.closed = true
			return err
		}
		s.c = c
	}
	return nil
}

// Close closes the connection; transactions already running finish first.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.c.close()
	return nil
}

// conn returns the open connection if it has every table, or the reason
// it cannot be used.
func (s *Store) conn(ctx context.Context, tables ...string) (*connection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, kv.ErrClosed
	}
	if err := s.c.err(); err != nil {
		return nil, err
	}
	if m := s.c.missing(tables); len(m) > 0 {
		return nil, fmt.Errorf("%w: %q", kv.ErrUnknownTable, m[0])
	}
	return s.c, nil
}

// Get reads one value in a readonly transaction.
func (s *Store) Get(ctx context.Context, table string, key []byte) ([]byte, error) {
	if err := kv.CheckKey(key); err != nil {
		return nil, err
	}
	c, err := s.conn(ctx, table)
	if err != nil {
		return nil, err
	}
	tx, err := c.db.Transaction(indexeddb.TransactionReadOnly, table)
	if err != nil {
		return nil, mapError(err)
	}
	store, err := tx.ObjectStore(table)
	if err != nil {
		return nil, mapError(err)
	}
	req, err := store.Get(bytesToJS(key))
	if err != nil {
		return nil, mapError(err)
	}
	v, err := req.Await(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err // go-indexeddb answers an ended context with no value and no error
	}
	if v.IsUndefined() {
		return nil, kv.ErrNotFound
	}
	return valueFromJS(v)
}

// GetMany reads keys in one readonly transaction, issuing every get at once.
func (s *Store) GetMany(ctx context.Context, table string, keys [][]byte) ([][]byte, error) {
	for _, key := range keys {
		if err := kv.CheckKey(key); err != nil {
			return nil, err
		}
	}
	c, err := s.conn(ctx, table)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, nil
	}
	tx, err := c.db.Transaction(indexeddb.TransactionReadOnly, table)
	if err != nil {
		return nil, mapError(err)
	}
	store, err := tx.ObjectStore(table)
	if err != nil {
		return nil, mapError(err)
	}
	gets := make([]*indexeddb.Request, len(keys))
	for i, key := range keys {
		if gets[i], err = store.Get(bytesToJS(key)); err != nil {
			_ = tx.Abort()
			return nil, mapError(err)
		}
	}
	// Wait for the browser's answer whatever ctx does: go-indexeddb can
	// hang when ctx ends during the wait. The reads are short.
	if err := tx.Await(context.WithoutCancel(ctx)); err != nil {
		return nil, mapError(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	for i, req := range gets {
		v, err := req.Result()
		if err != nil {
			return nil, mapError(err)
		}
		if v.IsUndefined() {
			continue
		}
		if out[i], err = valueFromJS(v); err != nil {
			return nil, fmt.Errorf("key %x: %w", keys[i], err)
		}
	}
	return out, nil
}

// Scan reads a range in one readonly transaction (see scanRaw).
func (s *Store) Scan(ctx context.Context, table string, r kv.Range) ([]kv.Pair, error) {
	c, err := s.conn(ctx, table)
	if err != nil {
		return nil, err
	}
	if r.End != nil && string(r.Start) >= string(r.End) {
		return nil, nil // empty (IDBKeyRange.bound throws on it)
	}
	if out, ok, err := c.scanRaw(ctx, table, r); ok {
		return out, err
	}
	// A browser without getAllRecords: walk a reverse cursor.
	tx, err := c.db.Transaction(indexeddb.TransactionReadOnly, table)
	if err != nil {
		return nil, mapError(err)
	}
	store, err := tx.ObjectStore(table)
	if err != nil {
		return nil, mapError(err)
	}
	keyRange, err := toKeyRange(r)
	if err != nil {
		return nil, mapError(err)
	}
	return reverseScan(ctx, store, keyRange, r.Limit)
}

func reverseScan(ctx context.Context, store *indexeddb.ObjectStore, keyRange *indexeddb.KeyRange, limit int) ([]kv.Pair, error) {
	req, err := store.OpenCursorRange(keyRange, indexeddb.CursorPrevious)
	if err != nil {
		return nil, mapError(err)
	}
	var out []kv.Pair
	err = req.Iter(ctx, func(c *indexeddb.CursorWithValue) error {
		key, err := c.Key()
		if err != nil {
			return err
		}
		v, err := c.Value()
		if err != nil {
			return err
		}
		p, err := pairFromJS(key, v)
		if err != nil {
			return err
		}
		out = append(out, p)
		if limit > 0 && len(out) >= limit {
			return indexeddb.ErrCursorStopIter
		}
		return nil
	})
	if err == nil {
		err = ctx.Err() // the cursor walk stops silently when ctx ends
	}
	if err != nil {
		return nil, mapError(err)
	}
	return out, nil
}

// Commit runs b as one readwrite transaction. Every request is issued at
// once, before control returns to the browser, so the transaction cannot
// commit early. Insert is add(), whose ConstraintError aborts the whole
// transaction; Expect is a get whose success handler aborts on a mismatch;
// Merge is an add() of what the MergeFunc writes over an absent key, and
// only when the key exists a get whose success handler puts what the
// MergeFunc decides (readwrite transactions over one store run one at a
// time, so nothing comes between the read and the write). The requests go to IndexedDB
// directly: one Go callback serves every handler of the transaction.
func (s *Store) Commit(ctx context.Context, b *kv.Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	tables := b.Tables()
	c, err := s.conn(ctx, tables...)
	if err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return c.commit(ctx, b, tables, s.durability)
}

func (c *connection) commit(ctx context.Context, b *kv.Batch, tables []string, durability Durability) (err error) {
	defer catchJS(&err)
	names := make([]any, len(tables))
	for i, t := range tables {
		names[i] = t
	}
	tx := c.raw.Call("transaction", names, "readwrite", map[string]any{"durability": string(durability)})
	issued := false
	defer func() {
		// A throw before every request was issued (this runs before
		// catchJS recovers it) leaves nothing of the batch.
		if !issued {
			func() {
				defer func() { _ = recover() }() // it may have ended already
				tx.Call("abort")
			}()
		}
	}()
	stores := make(map[string]js.Value, len(tables))
	for _, t := range tables {
		stores[t] = tx.Call("objectStore", t)
	}
	ops := b.Ops()
	// failed is the first Expect that did not hold or Merge that failed;
	// handlers run one at a time on the browser's thread.
	var failed *kv.OpError
	decide := js.FuncOf(func(_ js.Value, args []js.Value) any {
		req := args[0].Get("target")
		i := req.Get(opIndex).Int()
		op := ops[i]
		if failed != nil {
			return nil
		}
		var err error
		if op.Kind == kv.OpMerge {
			err = mergeRaw(stores[op.Table], req, op)
		} else if !expectHolds(op, req.Get("result")) {
			err = kv.ErrConflict
		}
		if err != nil {
			failed = &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: op.Key, Err: err}
			tx.Call("abort")
		}
		return nil
	})
	defer decide.Release()
	// exists handles the ConstraintError of a merge's add(): the key is
	// there after all, so the error is kept from aborting the transaction
	// and the merge reads the key instead.
	exists := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := args[0]
		req := ev.Get("target")
		if failed != nil || req.Get("error").Get("name").String() != "ConstraintError" {
			return nil // any other error aborts the transaction as usual
		}
		ev.Call("preventDefault")
		i := req.Get(opIndex).Int()
		op := ops[i]
		if err := getThen(stores[op.Table], op.Key, i, decide); err != nil {
			failed = &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: op.Key, Err: err}
			tx.Call("abort")
		}
		return nil
	})
	defer exists.Release()
	deciding := false
	skip := superseded(ops)
	for i, op := range ops {
		if skip[i] {
			continue
		}
		st := stores[op.Table]
		key := bytesToJS(op.Key)
		switch op.Kind {
		case kv.OpPut:
			st.Call("put", bytesToJS(op.Value), key)
		case kv.OpInsert:
			st.Call("add", bytesToJS(op.Value), key)
		case kv.OpDelete:
			st.Call("delete", key)
		case kv.OpMerge:
			deciding = true
			// Most merged keys are new (a fresh state row): add() what the
			// merge writes over nothing, one request instead of a get and a
			// put; exists falls back to reading the key if it is there.
			if v, write, err := op.Merge(nil, false); err == nil && write {
				req := st.Call("add", bytesToJS(v), key)
				req.Set(opIndex, i)
				req.Set("onerror", exists)
				break
			}
			req := st.Call("get", key)
			req.Set(opIndex, i)
			req.Set("onsuccess", decide)
		case kv.OpExpect, kv.OpExpectAbsent:
			deciding = true
			req := st.Call("get", key)
			req.Set(opIndex, i)
			req.Set("onsuccess", decide)
		}
	}
	if !deciding && tx.Get("commit").Type() == js.TypeFunction {
		// Nothing left to decide in a handler: let the browser commit now
		// instead of after the last request.
		tx.Call("commit")
	}
	issued = true
	// The outcome of issued requests is the browser's to decide; waiting for
	// it even when ctx ends keeps the answer truthful.
	err = awaitTx(context.WithoutCancel(ctx), tx)
	if failed != nil {
		return failed
	}
	return mapError(err)
}

// getThen issues a get of key whose success handler is then; it runs in
// an event of the transaction, while it is active.
func getThen(st js.Value, key []byte, i int, then js.Func) (err error) {
	defer catchJS(&err)
	req := st.Call("get", bytesToJS(key))
	req.Set(opIndex, i)
	req.Set("onsuccess", then)
	return nil
}

// opIndex is the property of a request that holds the index of its op.
const opIndex = "_idbsyncOp"

// mergeRaw runs op's MergeFunc on the value req read and puts its result;
// it runs in the get's success event, while the transaction is active.
func mergeRaw(st, req js.Value, op kv.Op) (err error) {
	defer catchJS(&err)
	v := req.Get("result")
	var old []byte
	found := !v.IsUndefined()
	if found {
		if old, err = valueFromJS(v); err != nil {
			return err
		}
	}
	value, write, err := op.Merge(old, found)
	if err != nil || !write {
		return err
	}
	st.Call("put", bytesToJS(value), bytesToJS(op.Key))
	return nil
}

// superseded marks the Puts and Deletes whose effect a later Put or Delete
// of the same key in the batch overwrites, with no op between them that
// reads the key (Insert, Expect): skipping them changes nothing but the
// number of requests (a tracker rewrites a peer's head once per entry).
func superseded(ops []kv.Op) []bool {
	type cell struct{ table, key string }
	covered := make(map[cell]bool)
	skip := make([]bool, len(ops))
	for i := len(ops) - 1; i >= 0; i-- {
		op := ops[i]
		c := cell{op.Table, string(op.Key)}
		switch op.Kind {
		case kv.OpPut, kv.OpDelete:
			skip[i] = covered[c]
			covered[c] = true
		default:
			covered[c] = false
		}
	}
	return skip
}

// expectHolds checks an Expect op against the value its get read.
func expectHolds(op kv.Op, v js.Value) bool {
	if op.Kind == kv.OpExpectAbsent {
		return v.IsUndefined()
	}
	if v.IsUndefined() {
		return false
	}
	got, err := valueFromJS(v)
	return err == nil && string(got) == string(op.Value)
}

var (
	jsUint8Array  = js.Global().Get("Uint8Array")
	jsArrayBuffer = js.Global().Get("ArrayBuffer")
)

// bytesToJS copies b into a new Uint8Array with its own buffer (a view of a
// shared buffer would store the whole buffer).
func bytesToJS(b []byte) js.Value {
	a := jsUint8Array.New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

// valueFromJS copies a stored value (always a Uint8Array) into Go.
func valueFromJS(v js.Value) ([]byte, error) {
	if !v.InstanceOf(jsUint8Array) {
		return nil, fmt.Errorf("%w: value is %s, not a Uint8Array", kv.ErrCorrupt, v.Type())
	}
	out := make([]byte, v.Length())
	js.CopyBytesToGo(out, v)
	return out, nil
}

// keyFromJS copies a binary key (an ArrayBuffer) into Go.
func keyFromJS(k js.Value) ([]byte, error) {
	if !k.InstanceOf(jsArrayBuffer) {
		return nil, fmt.Errorf("%w: key is not binary", kv.ErrCorrupt)
	}
	a := jsUint8Array.New(k)
	out := make([]byte, a.Length())
	js.CopyBytesToGo(out, a)
	return out, nil
}

func pairFromJS(key, value js.Value) (kv.Pair, error) {
	k, err := keyFromJS(key)
	if err != nil {
		return kv.Pair{}, err
	}
	v, err := valueFromJS(value)
	if err != nil {
		return kv.Pair{}, fmt.Errorf("key %x: %w", k, err)
	}
	return kv.Pair{Key: k, Value: v}, nil
}

// toKeyRange turns [Start, End) into an IDBKeyRange. Without a Start the
// range starts at the empty binary key, below every key this store writes.
func toKeyRange(r kv.Range) (*indexeddb.KeyRange, error) {
	start := bytesToJS(r.Start)
	if len(r.End) > 0 {
		return indexeddb.NewKeyRangeBound(start, bytesToJS(r.End), false, true)
	}
	return indexeddb.NewKeyRangeLowerBound(start, false)
}

// domErrors maps the DOMException names IndexedDB raises to kv errors.
var domErrors = []struct {
	name string
	err  error
}{
	{"ConstraintError", kv.ErrUniqueViolation},
	{"QuotaExceededError", kv.ErrQuotaExceeded},
	{"InvalidStateError", kv.ErrClosed}, // the connection is closing or closed
	{"NotFoundError", kv.ErrUnknownTable},
	{"AbortError", kv.ErrAborted},
	{"UnknownError", kv.ErrAborted},
	{"TransactionInactiveError", kv.ErrAborted},
	{"DataError", kv.ErrInvalidKey},
	{"VersionError", kv.ErrVersion},
}

// mapError wraps a DOMException in the kv error it means, keeping the
// browser's message.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	for _, d := range domErrors {
		if errors.Is(err, indexeddb.NewDOMException(d.name)) {
			return fmt.Errorf("%w: %v", d.err, err)
		}
	}
	var dom indexeddb.DOMException
	var thrown safejs.Error
	switch {
	case errors.As(err, &dom):
		return fmt.Errorf("%w: %v", kv.ErrAborted, err)
	case errors.As(err, &thrown) && strings.Contains(err.Error(), "connection is clos"):
		// A synchronous throw reaches Go as text only; this one is the
		// InvalidStateError of a connection the browser is closing.
		return fmt.Errorf("%w: %v", kv.ErrClosed, err)
	case errors.As(err, &thrown):
		return fmt.Errorf("%w: %v", kv.ErrAborted, err)
	}
	return err
}
