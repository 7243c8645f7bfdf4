//go:build js && wasm

package idb

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/paged"
)

// Layout is how a database keeps its tables.
type Layout string

// The layouts. A database keeps the one it was created with.
const (
	// Paged keeps every table as sorted pages plus a write-ahead row per
	// commit (core/kv/paged): a commit is a few requests whatever its size.
	Paged Layout = "paged"
	// Rows keeps a row per key in an object store per table: the layout of
	// databases written before Paged existed.
	Rows Layout = "rows"
)

// The object stores of the Paged layout.
const (
	pagedMeta   = "paged/meta"
	pagedWAL    = "paged/wal"
	pagedPages  = "paged/pages"
	pagedValues = "paged/values"
)

var pagedStores = []string{pagedMeta, pagedWAL, pagedPages, pagedValues}

// OpenKV opens (creating if needed) the database name with opts.Tables in
// layout: a new database gets layout (empty: Paged), an existing one keeps
// the layout it has, so that databases of older builds open and read as
// they are. It returns the store and the layout it has.
func OpenKV(ctx context.Context, name string, layout Layout, opts Options, popts paged.Options) (kv.Store, Layout, error) {
	tables := opts.Tables
	opts.Tables = nil
	s, err := Open(ctx, name, opts)
	if err != nil {
		return nil, "", err
	}
	has := s.c.tables
	switch {
	case has[pagedMeta]:
		layout = Paged
	case len(has) > 0:
		layout = Rows
	case layout == "":
		layout = Paged
	}
	if layout == Rows {
		if err := s.CreateTables(ctx, tables...); err != nil {
			_ = s.Close()
			return nil, "", err
		}
		return s, Rows, nil
	}
	if err := s.CreateTables(ctx, pagedStores...); err != nil {
		_ = s.Close()
		return nil, "", err
	}
	popts.Tables = tables
	ps, err := paged.Open(ctx, &pagedBackend{s: s}, popts)
	if err != nil {
		return nil, "", err
	}
	return ps, Paged, nil
}

// pagedBackend is a paged.Backend over the object stores of the Paged
// layout, each call one transaction.
type pagedBackend struct{ s *Store }

var (
	headKey     = js.ValueOf("head")
	manifestKey = js.ValueOf("manifest")
)

func idKey(id uint64) js.Value { return js.ValueOf(float64(id)) }

// result is the value a get read: nil when absent.
func result(req js.Value) ([]byte, error) {
	v := req.Get("result")
	if v.IsUndefined() {
		return nil, nil
	}
	return valueFromJS(v)
}

func (b *pagedBackend) Read(ctx context.Context, q paged.Query) (_ *paged.Snapshot, err error) {
	names := []any{pagedMeta}
	if q.Log {
		names = append(names, pagedWAL)
	}
	if len(q.Pages) > 0 {
		names = append(names, pagedPages)
	}
	if len(q.Values) > 0 {
		names = append(names, pagedValues)
	}
	c, err := b.s.conn(ctx, pagedStores...)
	if err != nil {
		return nil, err
	}
	defer catchJS(&err)
	tx := c.db.Call("transaction", names, "readonly")
	meta := tx.Call("objectStore", pagedMeta)
	headReq := meta.Call("get", headKey)
	var manReq, keysReq, valsReq js.Value
	if q.Log {
		manReq = meta.Call("get", manifestKey)
		st := tx.Call("objectStore", pagedWAL)
		rng := jsIDBKeyRange.Call("lowerBound", idKey(q.After), true)
		keysReq = st.Call("getAllKeys", rng)
		valsReq = st.Call("getAll", rng)
	}
	gets := func(store string, ids []uint64) []js.Value {
		if len(ids) == 0 {
			return nil
		}
		st := tx.Call("objectStore", store)
		reqs := make([]js.Value, len(ids))
		for i, id := range ids {
			reqs[i] = st.Call("get", idKey(id))
		}
		return reqs
	}
	pageReqs, valueReqs := gets(pagedPages, q.Pages), gets(pagedValues, q.Values)
	// The reads are short: wait for the browser's answer whatever ctx does.
	if err := awaitTx(context.WithoutCancel(ctx), tx); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	snap := &paged.Snapshot{}
	if snap.Head, err = result(headReq); err != nil {
		return nil, err
	}
	read := func(reqs []js.Value) ([][]byte, error) {
		out := make([][]byte, len(reqs))
		for i, req := range reqs {
			if out[i], err = result(req); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if snap.Pages, err = read(pageReqs); err != nil {
		return nil, err
	}
	if snap.Values, err = read(valueReqs); err != nil {
		return nil, err
	}
	if !q.Log {
		return snap, nil
	}
	if snap.Manifest, err = result(manReq); err != nil {
		return nil, err
	}
	keys, vals := keysReq.Get("result"), valsReq.Get("result")
	if keys.Length() != vals.Length() {
		return nil, fmt.Errorf("%w: %d keys but %d values in the write-ahead log", kv.ErrCorrupt, keys.Length(), vals.Length())
	}
	snap.WAL = make([]paged.Row, keys.Length())
	for i := range snap.WAL {
		k := keys.Index(i)
		if k.Type() != js.TypeNumber {
			return nil, fmt.Errorf("%w: a write-ahead row's key is not a number", kv.ErrCorrupt)
		}
		snap.WAL[i].ID = uint64(k.Float())
		if snap.WAL[i].Data, err = valueFromJS(vals.Index(i)); err != nil {
			return nil, err
		}
	}
	return snap, nil
}

// Write is one readwrite transaction: a get of the head whose success
// handler aborts it when the head is not expect, and every put and delete
// issued at once behind it (an abort undoes them all).
func (b *pagedBackend) Write(ctx context.Context, expect []byte, w *paged.Write) (err error) {
	c, err := b.s.conn(ctx, pagedStores...)
	if err != nil {
		return err
	}
	defer catchJS(&err)
	names := []any{pagedMeta}
	if len(w.WAL) > 0 || w.DropWAL > 0 {
		names = append(names, pagedWAL)
	}
	if len(w.Pages) > 0 || len(w.DropPages) > 0 {
		names = append(names, pagedPages)
	}
	if len(w.Values) > 0 || len(w.DropValues) > 0 {
		names = append(names, pagedValues)
	}
	tx := c.db.Call("transaction", names, "readwrite", map[string]any{"durability": string(b.s.durability)})
	issued := false
	defer func() {
		if !issued {
			abortTx(tx) // a throw before every request was issued
		}
	}()
	meta := tx.Call("objectStore", pagedMeta)
	stale := false
	var checkErr error
	check := js.FuncOf(func(_ js.Value, args []js.Value) any {
		got, err := result(args[0].Get("target"))
		switch {
		case err != nil:
			checkErr = err
			abortTx(tx)
		case (got == nil) != (expect == nil) || string(got) != string(expect):
			stale = true
			abortTx(tx)
		}
		return nil
	})
	defer check.Release()
	meta.Call("get", headKey).Set("onsuccess", check)
	meta.Call("put", bytesToJS(w.Head), headKey)
	if w.Manifest != nil {
		meta.Call("put", bytesToJS(w.Manifest), manifestKey)
	}
	put := func(store string, rows []paged.Row, drop []uint64) {
		if len(rows) == 0 && len(drop) == 0 {
			return
		}
		st := tx.Call("objectStore", store)
		for _, id := range drop {
			st.Call("delete", idKey(id))
		}
		for _, r := range rows {
			st.Call("put", bytesToJS(r.Data), idKey(r.ID))
		}
	}
	if w.DropWAL > 0 {
		tx.Call("objectStore", pagedWAL).Call("delete", jsIDBKeyRange.Call("upperBound", idKey(w.DropWAL)))
	}
	put(pagedWAL, w.WAL, nil)
	put(pagedPages, w.Pages, w.DropPages)
	put(pagedValues, w.Values, w.DropValues)
	issued = true
	err = awaitTx(context.WithoutCancel(ctx), tx)
	switch {
	case stale:
		return paged.ErrStale
	case checkErr != nil:
		return checkErr
	}
	return mapError(err)
}

func (b *pagedBackend) Close() error { return b.s.Close() }
