//go:build js && wasm

package idb

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall/js"

	"github.com/idbsync/idbsync/core/kv"
)

// The store talks to IndexedDB directly, through syscall/js, and waits for
// a transaction once, on its complete or abort event (awaitTx), whatever it
// holds: a scan is two requests and one wake-up of Go, a batch is every
// request at once with one Go callback serving all their handlers.

var jsIndexedDB = js.Global().Get("indexedDB")

// connection is one open IDBDatabase and what is known of it.
type connection struct {
	db     js.Value        // the IDBDatabase
	tables map[string]bool // its object stores; fixed for its lifetime
	lost   atomic.Pointer[error]
	onLost func(error)
	events []listener
}

type listener struct {
	event string
	fn    js.Func
}

// open connects at version (0: the current one, or 1 for a new database),
// creating the missing ones of tables if an upgrade runs.
func (s *Store) open(ctx context.Context, version uint, tables []string) (_ *connection, err error) {
	defer catchJS(&err)
	if jsIndexedDB.IsUndefined() {
		return nil, errors.New("idb: IndexedDB is not available here")
	}
	ctx, cancel := context.WithTimeout(ctx, s.blocked)
	defer cancel()
	var req js.Value
	if version > 0 {
		req = jsIndexedDB.Call("open", s.name, version)
	} else {
		req = jsIndexedDB.Call("open", s.name)
	}
	c := &connection{onLost: s.onLost}
	done := make(chan error, 1) // nil once c is open, or why it is not
	var upgradeErr error
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		if upgradeErr = createStores(req.Get("result"), tables); upgradeErr != nil {
			abortTx(req.Get("transaction"))
		}
		return nil
	})
	success := js.FuncOf(func(js.Value, []js.Value) any {
		c.db = req.Get("result")
		// In this event still, so that nothing comes before the handlers.
		c.listen()
		done <- nil
		return nil
	})
	failure := js.FuncOf(func(js.Value, []js.Value) any {
		err := domErrorOf(req.Get("error"))
		if upgradeErr != nil {
			err = upgradeErr
		}
		done <- err
		return nil
	})
	release := func() {
		upgrade.Release()
		success.Release()
		failure.Release()
	}
	req.Call("addEventListener", "upgradeneeded", upgrade)
	req.Call("addEventListener", "success", success)
	req.Call("addEventListener", "error", failure)
	select {
	case err = <-done:
	case <-ctx.Done():
		select {
		case err = <-done: // it settled meanwhile
		default:
			// The request stays queued behind whoever blocks it; if it ever
			// opens, close that connection so it blocks nobody in turn, and
			// never report it lost.
			abandoned := fmt.Errorf("%w: open abandoned", kv.ErrClosed)
			c.lost.Store(&abandoned)
			go func() {
				if err := <-done; err == nil {
					c.close()
				}
				release()
			}()
			if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
				return nil, err // the caller gave up
			}
			return nil, fmt.Errorf("%w: %q still blocked after %v", kv.ErrBlocked, s.name, s.blocked)
		}
	}
	release()
	if err != nil {
		return nil, mapError(err)
	}
	names := c.db.Get("objectStoreNames")
	c.tables = make(map[string]bool, names.Length())
	for i := range names.Length() {
		c.tables[names.Index(i).String()] = true
	}
	return c, nil
}

// createStores creates the missing ones of tables in db; it runs in the
// upgradeneeded event, while the upgrade transaction is active.
func createStores(db js.Value, tables []string) (err error) {
	defer catchJS(&err)
	for _, t := range tables {
		if !db.Get("objectStoreNames").Call("contains", t).Bool() {
			db.Call("createObjectStore", t)
		}
	}
	return nil
}

// listen watches for the browser taking the connection away. The handlers
// run inside browser events: they flag the loss and close the connection,
// so that a newer tab's upgrade is not blocked; they never block.
func (c *connection) listen() {
	c.on("versionchange", "another connection (a newer tab) is upgrading the database")
	c.on("close", "the browser closed the connection (storage cleared or lost)")
}

func (c *connection) on(event, why string) {
	f := js.FuncOf(func(js.Value, []js.Value) any {
		err := fmt.Errorf("%w: %s", kv.ErrClosed, why)
		if c.lost.CompareAndSwap(nil, &err) && c.onLost != nil {
			go c.onLost(err)
		}
		c.db.Call("close") // a no-op once closed
		return nil
	})
	c.events = append(c.events, listener{event, f})
	c.db.Call("addEventListener", event, f)
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
		c.db.Call("removeEventListener", l.event, l.fn)
		l.fn.Release()
	}
	c.events = nil
	c.db.Call("close")
}

// version is the database version the connection opened.
func (c *connection) version() uint { return uint(c.db.Get("version").Int()) }

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

// awaitTx waits until tx completes (nil) or aborts (its error, or
// kv.ErrAborted when it has none). When ctx ends first it aborts tx and,
// once the browser has settled it, returns ctx's error, or nil if the
// transaction completed before the abort could stop it: an error always
// means nothing of tx was applied.
func awaitTx(ctx context.Context, tx js.Value) error {
	done := make(chan error, 1)
	settle := func(err error) {
		select {
		case done <- err:
		default:
		}
	}
	complete := js.FuncOf(func(js.Value, []js.Value) any { settle(nil); return nil })
	abort := js.FuncOf(func(js.Value, []js.Value) any {
		err := domErrorOf(tx.Get("error"))
		if err == nil {
			err = kv.ErrAborted
		}
		settle(err)
		return nil
	})
	tx.Call("addEventListener", "complete", complete)
	tx.Call("addEventListener", "abort", abort)
	defer func() {
		tx.Call("removeEventListener", "complete", complete)
		tx.Call("removeEventListener", "abort", abort)
		complete.Release()
		abort.Release()
	}()
	select {
	case err := <-done:
		return mapError(err)
	case <-ctx.Done():
		abortTx(tx)
		if err := <-done; err == nil {
			return nil
		}
		return ctx.Err()
	}
}

// abortTx aborts tx, which may have ended already.
func abortTx(tx js.Value) {
	defer func() { _ = recover() }()
	tx.Call("abort")
}
