//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/paged"
	"github.com/idbsync/idbsync/idb"
)

// Options configure OpenEngine.
type Options struct {
	// Name is the IndexedDB database name.
	Name string
	// Peer is the local peer id of a new database; uuid.Nil picks one.
	// Another peer than the database's is an errcode.ErrInvalidArgument.
	Peer uuid.UUID
	// Durability of every transaction; empty means idb.Strict.
	Durability idb.Durability
	// Layout of a new database; empty means idb.Paged. An existing
	// database keeps its own.
	Layout idb.Layout
	// OnLost is called, in a goroutine, when the browser closes the
	// database under the engine (a newer tab upgrading it, storage
	// cleared), once the engine has closed itself and freed its lock.
	OnLost func(err error)
}

// Engine is a core engine as this page opened it: over IndexedDB, its
// instance alive while the page holds the instance's Web Lock.
type Engine struct {
	*engine.Engine
	store  kv.Store
	layout idb.Layout // the database's, whatever Options.Layout asked

	lockMu  sync.Mutex
	release func() // frees the instance's Web Lock

	closeMu  sync.Mutex
	closed   bool
	closeErr error
}

// OpenEngine opens (creating if needed) the database opts.Name. The page
// takes its instance's Web Lock before the engine registers the instance,
// so no other page can take it for dead.
func OpenEngine(ctx context.Context, opts Options) (_ *Engine, err error) {
	if opts.Name == "" {
		return nil, fmt.Errorf("%w: name must be a non-empty string", errcode.ErrInvalidArgument)
	}
	instance := uuid.New()
	// NB: e is not the named result, which a failed return sets to nil
	// before the deferred cleanup reads it.
	e := &Engine{}
	defer func() {
		if err != nil {
			_ = e.shutdown()
		}
	}()
	if e.release, err = HoldLock(ctx, InstanceLockName(instance)); err != nil {
		return nil, err
	}
	// A lost connection (a newer tab's upgrade, storage cleared) ends the
	// engine at once: its lock, heartbeats and recovery go, so other tabs
	// can claim what it left, without waiting for the app to close it.
	lost := func(err error) {
		_ = e.Close()
		if opts.OnLost != nil {
			opts.OnLost(err)
		}
	}
	e.store, e.layout, err = idb.OpenKV(ctx, opts.Name, opts.Layout,
		idb.Options{Tables: engine.Tables(""), Durability: opts.Durability, OnLost: lost}, paged.Options{})
	if err != nil {
		return nil, err
	}
	e.Engine, err = engine.Open(ctx, engine.Options{
		Store:    e.store,
		Instance: instance,
		Name:     opts.Name,
		Peer:     opts.Peer,
		Alive: func(ctx context.Context, id uuid.UUID) (bool, bool) {
			return LockHeld(ctx, InstanceLockName(id))
		},
		Renew: e.renew,
	})
	return e, err
}

// Layout is the layout of the database (see idb.Layout).
func (e *Engine) Layout() idb.Layout { return e.layout }

// renew takes the Web Lock of a fresh instance id for an instance found
// claimed while this page held it alive, and frees the old one.
func (e *Engine) renew(ctx context.Context) (uuid.UUID, error) {
	id := uuid.New()
	release, err := HoldLock(ctx, InstanceLockName(id))
	if err != nil {
		return uuid.Nil, err
	}
	e.lockMu.Lock()
	old := e.release
	e.release = release
	e.lockMu.Unlock()
	if old != nil {
		old()
	}
	return id, nil
}

// Close closes the engine, then the database, then frees the Web Lock.
// Idempotent; it waits on the browser, so never call it from a JavaScript
// callback.
func (e *Engine) Close() error {
	e.closeMu.Lock()
	defer e.closeMu.Unlock()
	if !e.closed {
		e.closed = true
		e.closeErr = e.shutdown()
	}
	return e.closeErr
}

// shutdown releases whatever OpenEngine acquired, in reverse order.
func (e *Engine) shutdown() error {
	var errs []error
	if e.Engine != nil {
		errs = append(errs, e.Engine.Close())
	}
	if e.store != nil {
		errs = append(errs, e.store.Close())
	}
	e.lockMu.Lock()
	release := e.release
	e.lockMu.Unlock()
	if release != nil {
		release()
	}
	// Closing after the browser took the database away is no failure.
	err := errors.Join(errs...)
	if errors.Is(err, kv.ErrClosed) {
		return nil
	}
	return err
}
