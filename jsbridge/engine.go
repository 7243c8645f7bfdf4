//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/idb"
)

// Options configure OpenEngine.
type Options struct {
	// Name is the IndexedDB database name.
	Name string
	// Peer is the local peer id of a new database; uuid.Nil picks one.
	// Another peer than the database's is an ErrInvalidArgument.
	Peer uuid.UUID
	// Durability of every transaction; empty means idb.Strict.
	Durability idb.Durability
	// OnLost is called, in a goroutine, when the browser closes the
	// database under the engine (a newer tab upgrading it, storage cleared).
	OnLost func(err error)
}

// Engine is one open idbsync database in this page: the op log, the change
// log instance of this page (holding its Web Lock), the blob tier, and the
// recovery loop that collects what dead instances left behind.
type Engine struct {
	store    *idb.Store
	proc     *oplog.Processor
	log      *changelog.Durable
	blobs    *changelog.KVBlobs
	mgr      *changelog.Manager
	release  func()             // frees the instance's Web Lock
	stop     context.CancelFunc // ends the recovery loop
	stopped  chan struct{}      // closed when the recovery loop has ended
	closeMu  sync.Mutex
	closeErr error
	closed   bool
}

// Stats is what an engine counts of its blob tier and change log: a blob
// not referenced, or an entry outstanding, is work recovery has yet to do.
type Stats struct {
	Blobs      int // blob revisions stored, partial ones included
	Referenced int // blob revisions the reference tier points to
	Changes    int // change log entries outstanding, of every instance
	Instances  int // instances registered: this one, others open, dead ones not yet claimed
	Dead       int // of those, the dead ones (their lock is free or their heartbeat lapsed)
}

// OpenEngine opens (creating if needed) the database opts.Name. The page
// takes its instance's Web Lock before it registers, so no other page can
// take it for dead; recovery runs at once, then every
// changelog.DefaultInterval, until Close.
func OpenEngine(ctx context.Context, opts Options) (_ *Engine, err error) {
	if opts.Name == "" {
		return nil, fmt.Errorf("%w: name must be a non-empty string", ErrInvalidArgument)
	}
	instance := uuid.New()
	// NB: e is not the named result, which a failed return sets to nil
	// before the deferred cleanup reads it.
	e := &Engine{stopped: make(chan struct{})}
	defer func() {
		if err != nil {
			_ = e.shutdown()
		}
	}()
	if e.release, err = idb.HoldLock(ctx, idb.InstanceLockName(instance)); err != nil {
		return nil, err
	}
	tables := append(oplog.Tables(""), changelog.Tables("")...)
	e.store, err = idb.Open(ctx, opts.Name, idb.Options{Tables: tables, Durability: opts.Durability, OnLost: opts.OnLost})
	if err != nil {
		return nil, err
	}
	if e.proc, err = oplog.Open(ctx, e.store, oplog.Options{Peer: opts.Peer}); err != nil {
		return nil, err
	}
	e.log, err = changelog.OpenDurable(ctx, e.store, changelog.DurableOptions{
		ID: instance,
		LockHeld: func(ctx context.Context, id uuid.UUID) (bool, bool) {
			return idb.LockHeld(ctx, idb.InstanceLockName(id))
		},
	})
	if err != nil {
		return nil, err
	}
	if e.blobs, err = changelog.NewKVBlobs(ctx, e.store, "", 0); err != nil {
		return nil, err
	}
	if e.mgr, err = changelog.NewManager(ctx, e.store, e.log, e.blobs, changelog.ManagerOptions{}); err != nil {
		return nil, err
	}
	e.log.Start()
	rctx, stop := context.WithCancel(context.Background())
	e.stop = stop
	go func() {
		defer close(e.stopped)
		e.mgr.RunRecovery(rctx, changelog.DefaultInterval, nil)
	}()
	return e, nil
}

// Peer returns the local peer id.
func (e *Engine) Peer() uuid.UUID { return e.proc.Peer() }

// Instance returns this engine's change log instance id.
func (e *Engine) Instance() uuid.UUID { return e.log.Instance() }

// Exec writes ops (a Record with a value is a put, one without a delete)
// as the local peer's next entries, in one transaction.
func (e *Engine) Exec(ctx context.Context, recs []Record) (oplog.Written, error) {
	if len(recs) == 0 {
		return oplog.Written{}, fmt.Errorf("%w: exec needs at least one op", ErrInvalidArgument)
	}
	ops := make([]oplog.Op, len(recs))
	for i, r := range recs {
		if r.Present {
			ops[i] = oplog.Put(r.Key, r.Value)
		} else {
			ops[i] = oplog.Delete(r.Key)
		}
		if err := ops[i].Validate(); err != nil {
			return oplog.Written{}, fmt.Errorf("op %d: %w", i, err)
		}
	}
	return e.proc.Exec(ctx, ops...)
}

// lww is the state of the op log.
func (e *Engine) lww() *oplog.LWW { return e.proc.Reducer().(*oplog.LWW) }

// GetMany reads the current value of each key in one transaction
// (Present false when it has none).
func (e *Engine) GetMany(ctx context.Context, keys []string) ([]Record, error) {
	vs, err := e.lww().GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]Record, len(keys))
	for i, v := range vs {
		out[i] = Record{Key: keys[i]}
		if v != nil {
			out[i].Value, out[i].Present = v.Value, true
		}
	}
	return out, nil
}

// Scan returns up to limit live keys with prefix from start on, ascending.
func (e *Engine) Scan(ctx context.Context, prefix, start string, limit int) ([]oplog.Value, error) {
	return e.lww().Range(ctx, prefix, start, limit)
}

// Cursors returns the version vector.
func (e *Engine) Cursors(ctx context.Context) (oplog.PeerCursors, error) {
	return e.proc.Cursors(ctx)
}

// ReadSince returns one wire batch of up to limit entries of peer from from.
func (e *Engine) ReadSince(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error) {
	entries, err := e.proc.ReadSince(ctx, peer, from, limit)
	if err != nil {
		return nil, err
	}
	return oplog.EncodeBatch(entries), nil
}

// Apply ingests one wire batch, all or nothing, and returns the keys its
// new entries may have changed (for watchers; a superset).
func (e *Engine) Apply(ctx context.Context, batch []byte) (oplog.BatchResult, []string, error) {
	entries, err := oplog.DecodeBatch(batch)
	if err != nil {
		return oplog.BatchResult{}, nil, err
	}
	res, err := e.proc.ApplyBatch(ctx, entries)
	if err != nil || res.Applied == 0 {
		return res, nil, err
	}
	return res, changedKeys(entries), nil
}

// changedKeys lists the keys entries write, once each.
func changedKeys(entries []oplog.Entry) []string {
	seen := make(map[string]bool)
	var keys []string
	for _, en := range entries {
		if en.Expunged() || seen[en.Op.Key] {
			continue
		}
		seen[en.Op.Key] = true
		keys = append(keys, en.Op.Key)
	}
	return keys
}

// Expunge replaces the stored entry of peer at idx by its marker.
func (e *Engine) Expunge(ctx context.Context, peer uuid.UUID, idx uint64) error {
	return e.proc.Expunge(ctx, peer, idx)
}

// PutBlob writes a value of any size under key, crash-safely.
func (e *Engine) PutBlob(ctx context.Context, key string, data []byte) error {
	return e.mgr.Put(ctx, key, data)
}

// GetBlob reads the value of key; found is false when it has none.
func (e *Engine) GetBlob(ctx context.Context, key string) (data []byte, found bool, err error) {
	data, err = e.mgr.Get(ctx, key)
	if errors.Is(err, changelog.ErrNotFound) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// DeleteBlob deletes the value of key; a missing one is not an error.
func (e *Engine) DeleteBlob(ctx context.Context, key string) error {
	return e.mgr.Delete(ctx, key)
}

// Recover runs one recovery round and a sweep of the blob tier now, and
// returns how many changes it cleaned up plus how many orphans it deleted.
func (e *Engine) Recover(ctx context.Context) (int, error) {
	n, err := e.mgr.Recover(ctx)
	if err != nil {
		return n, err
	}
	swept, err := e.mgr.Sweep(ctx)
	return n + swept, err
}

// Stats counts the blob tier and the change log.
func (e *Engine) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	revs, err := e.blobs.Revisions(ctx)
	if err != nil {
		return s, err
	}
	refs, err := e.mgr.Referenced(ctx)
	if err != nil {
		return s, err
	}
	changes, err := e.store.Scan(ctx, changelog.DefaultPrefix+"/changes", kv.Range{})
	if err != nil {
		return s, err
	}
	others, err := e.log.Instances(ctx)
	if err != nil {
		return s, err
	}
	s = Stats{Blobs: len(revs), Referenced: len(refs), Changes: len(changes), Instances: 1}
	for _, in := range others {
		if in.ClaimedBy != uuid.Nil {
			continue // taken over: its claimer deletes the row once it is empty
		}
		s.Instances++
		if in.Dead {
			s.Dead++
		}
	}
	return s, nil
}

// Close stops recovery and heartbeats, deregisters the instance when it has
// nothing outstanding, closes the database and frees the Web Lock.
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
	if e.stop != nil {
		e.stop()
		<-e.stopped
	}
	if e.log != nil {
		errs = append(errs, e.log.Close())
	}
	if e.proc != nil {
		errs = append(errs, e.proc.Close())
	}
	if e.store != nil {
		errs = append(errs, e.store.Close())
	}
	if e.release != nil {
		e.release()
	}
	// Closing after the browser took the database away is no failure.
	err := errors.Join(errs...)
	if errors.Is(err, kv.ErrClosed) {
		return nil
	}
	return err
}
