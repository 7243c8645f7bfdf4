// Package engine is one open idbsync database on any platform: it wires a
// kv.Store, a blob tier and a liveness check into the op log
// (oplog.Processor with the LWW reducer), the change log instance
// (changelog.Durable), the Manager of large values and the recovery loop
// that collects what dead instances left behind.
//
// The browser (package jsbridge) opens an Engine over IndexedDB with a Web
// Lock as its liveness check; the sync server opens one per space over its
// own store. Both only adapt it: every rule lives here or below. An Engine
// is a syncer.Replica, so two engines (or an engine and a transport) sync
// with syncer.Sync.
package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
)

// Options configure Open. Store is required; the zero value of every other
// field is ready to use.
type Options struct {
	// Store holds the op log, the reference tier and (with Blobs nil) the
	// blob tier. The caller owns it: Close leaves it open, so several
	// engines under different prefixes may share one store. Create Tables
	// when it opens where creating a table is costly (IndexedDB).
	Store kv.Store
	// Blobs is the blob tier; nil means changelog.KVBlobs in Store. It must
	// be a changelog.RevisionLister.
	Blobs changelog.BlobStore
	// Alive tells whether the change log instance id is alive (a browser
	// asks whether its Web Lock is held); known false when it cannot tell.
	// An instance known dead is claimable at once; nil, or unknown, falls
	// back to its heartbeat lapsing (changelog.DurableOptions.LockHeld).
	Alive func(ctx context.Context, instance uuid.UUID) (alive, known bool)
	// Instance is this engine's change log instance id; uuid.Nil makes a
	// new one. A browser takes the instance's Web Lock before it opens, so
	// no other tab sees it registered with a free lock.
	Instance uuid.UUID
	// Renew returns the id under which the instance registers afresh when
	// it finds itself claimed while alive (a lock it lost, a process paused
	// past its heartbeat); a browser takes the new id's Web Lock in it. Nil
	// means a new uuid.
	Renew func(ctx context.Context) (uuid.UUID, error)
	// Name names the database, for messages.
	Name string
	// Peer is the local peer id of a new database; uuid.Nil picks one. A
	// database keeps its first peer: another is oplog.ErrPeerMismatch.
	Peer uuid.UUID
	// Prefix names every table (see Tables); empty means the default
	// prefix of oplog and changelog.
	Prefix string
	// Now is the wall clock of the op log's timestamps and the change log's
	// heartbeats; nil means time.Now.
	Now func() time.Time
	// After is the timer of heartbeats and recovery rounds; nil means
	// time.After.
	After func(time.Duration) <-chan time.Time
	// Interval is the heartbeat and recovery interval; zero means
	// changelog.DefaultInterval. An instance expires after three.
	Interval time.Duration
	// MaxSkew is how far ahead of Now a remote timestamp may be; zero
	// means hlc.DefaultMaxSkew.
	MaxSkew time.Duration
	// BlobHook, when set, runs at each step of a large PutBlob
	// (changelog.ManagerOptions.Hook): tests stop a writer there.
	BlobHook func(step changelog.Step, object string) error
	// BlobGrace is how long attachment bytes nothing references stay
	// before SweepBlobs deletes them; zero means DefaultBlobGrace.
	BlobGrace time.Duration
}

// Tables returns every table an engine uses under prefix (empty: the
// default), for creating them all at once when the store opens: in
// IndexedDB each later creation is a schema upgrade that closes other tabs'
// connections.
func Tables(prefix string) []string {
	return append(oplog.Tables(prefix), changelog.Tables(prefix)...)
}

// Engine is one open database: the op log, this process's (or tab's)
// change log instance, the blob tier and the recovery loop. It is safe for
// concurrent use.
type Engine struct {
	name    string
	store   kv.Store
	proc    *oplog.Processor
	state   *oplog.LWW
	replica syncer.Replica // the wire form of proc's reads
	log     *changelog.Durable
	blobs   changelog.RevisionLister
	mgr     *changelog.Manager
	keys    keyWatchers
	now     func() time.Time
	grace   time.Duration

	sweepMu      sync.Mutex
	unreferenced map[string]time.Time // attachment bytes unreferenced at the last sweep, since when

	stop    context.CancelFunc // ends the recovery loop
	stopped chan struct{}      // closed when the recovery loop has ended
	closed  atomic.Bool

	closeMu  sync.Mutex
	closeErr error
}

var (
	_ syncer.Replica         = (*Engine)(nil)
	_ syncer.AttestedApplier = (*Engine)(nil)
	_ syncer.BlobSink        = (*Engine)(nil)
	_ syncer.BlobCarrier     = (*Engine)(nil)
)

// Stats is what an engine counts of its blob tier and change log: a blob
// not referenced, or an entry outstanding, is work recovery has yet to do.
type Stats struct {
	Blobs      int // blob revisions stored, partial ones included
	Referenced int // blob revisions the reference tier points to
	Changes    int // change log entries outstanding, of every instance
	Instances  int // instances registered: this one, others open, dead ones not yet claimed
	Dead       int // of those, the dead ones (their lock is free or their heartbeat lapsed)
	Contents   int // attachments' bytes held (one per content)
	Parts      int // parts of chunked uploads staged, not yet assembled
	// RecoveryError is the error of the last recovery round (the
	// background loop's or Recover's), nil when it succeeded.
	RecoveryError error
}

// Open opens the engine over opts.Store, creating its tables, registers
// its change log instance and starts heartbeats and recovery (at once,
// then every Interval) until Close.
func Open(ctx context.Context, opts Options) (_ *Engine, err error) {
	if opts.Store == nil {
		return nil, errors.New("engine: Options.Store is required")
	}
	e := &Engine{name: opts.Name, store: opts.Store, state: &oplog.LWW{}, stopped: make(chan struct{}), now: opts.Now, grace: opts.BlobGrace}
	if e.now == nil {
		e.now = time.Now
	}
	if e.grace <= 0 {
		e.grace = DefaultBlobGrace
	}
	// NB: e is not the named result, which a failed return sets to nil
	// before the deferred cleanup reads it.
	defer func() {
		if err != nil {
			_ = e.shutdown()
		}
	}()
	if err := opts.Store.CreateTables(ctx, Tables(opts.Prefix)...); err != nil {
		return nil, err
	}
	e.proc, err = oplog.Open(ctx, opts.Store, oplog.Options{
		Prefix: opts.Prefix, Peer: opts.Peer, Now: opts.Now, MaxSkew: opts.MaxSkew, Reducer: e.state,
	})
	if err != nil {
		return nil, err
	}
	e.replica = syncer.Local(e.proc)
	var lockHeld func(context.Context, uuid.UUID) (bool, bool)
	if opts.Alive != nil {
		lockHeld = func(ctx context.Context, id uuid.UUID) (bool, bool) { return opts.Alive(ctx, id) }
	}
	e.log, err = changelog.OpenDurable(ctx, opts.Store, changelog.DurableOptions{
		Prefix: opts.Prefix, Now: opts.Now, Interval: opts.Interval, LockHeld: lockHeld,
		ID: opts.Instance, After: opts.After, Renew: opts.Renew,
	})
	if err != nil {
		return nil, err
	}
	blobs := opts.Blobs
	if blobs == nil {
		if blobs, err = changelog.NewKVBlobs(ctx, opts.Store, opts.Prefix, 0); err != nil {
			return nil, err
		}
	}
	e.mgr, err = changelog.NewManager(ctx, opts.Store, e.log, blobs, changelog.ManagerOptions{
		Prefix: opts.Prefix, Hook: opts.BlobHook,
		AfterSweep: func(ctx context.Context) error { _, err := e.SweepBlobs(ctx); return err },
	})
	if err != nil {
		return nil, err
	}
	e.blobs = blobs.(changelog.RevisionLister) // NewManager checked it
	e.log.Start()
	interval := opts.Interval
	if interval <= 0 {
		interval = changelog.DefaultInterval
	}
	rctx, stop := context.WithCancel(context.Background())
	e.stop = stop
	go func() {
		defer close(e.stopped)
		e.mgr.RunRecovery(rctx, interval, opts.After)
	}()
	return e, nil
}

// Name returns Options.Name.
func (e *Engine) Name() string { return e.name }

// Peer returns the local peer id.
func (e *Engine) Peer() uuid.UUID { return e.proc.Peer() }

// Instance returns this engine's change log instance id.
func (e *Engine) Instance() uuid.UUID { return e.log.Instance() }

// use fails every call once Close has begun.
func (e *Engine) use() error {
	if e.closed.Load() {
		return fmt.Errorf("%w: %s", ErrClosed, e.describe())
	}
	return nil
}

func (e *Engine) describe() string {
	if e.name == "" {
		return "the engine was closed"
	}
	return fmt.Sprintf("the engine of %q was closed", e.name)
}

// Exec writes ops as the local peer's next entries, in one transaction,
// and returns where they landed. Each op is validated first
// (oplog.ErrInvalidOp); an empty list is oplog.ErrInvalidOp too.
func (e *Engine) Exec(ctx context.Context, ops ...oplog.Op) (oplog.Written, error) {
	for _, op := range ops {
		if err := reservedKey(op.Key); err != nil {
			return oplog.Written{}, err
		}
	}
	return e.exec(ctx, ops...)
}

// exec is Exec without the check of reserved keys (attachments write them).
func (e *Engine) exec(ctx context.Context, ops ...oplog.Op) (oplog.Written, error) {
	if err := e.use(); err != nil {
		return oplog.Written{}, err
	}
	w, err := e.proc.Exec(ctx, ops...)
	if err != nil {
		return w, err
	}
	e.keys.notify(appKeys(opKeys(ops)))
	return w, nil
}

// opKeys lists the keys ops write, once each.
func opKeys(ops []oplog.Op) []string {
	seen := make(map[string]bool, len(ops))
	keys := make([]string, 0, len(ops))
	for _, op := range ops {
		if !seen[op.Key] {
			seen[op.Key] = true
			keys = append(keys, op.Key)
		}
	}
	return keys
}

// Get returns the current value of key; found is false when it has none.
func (e *Engine) Get(ctx context.Context, key string) (value []byte, found bool, err error) {
	vs, err := e.GetMany(ctx, []string{key})
	if err != nil || vs[0] == nil {
		return nil, false, err
	}
	return vs[0].Value, true, nil
}

// GetMany reads the current value of each key in one transaction: nil
// where a key has none.
func (e *Engine) GetMany(ctx context.Context, keys []string) ([]*oplog.Value, error) {
	if err := e.use(); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := reservedKey(k); err != nil {
			return nil, err
		}
	}
	return e.state.GetMany(ctx, keys)
}

// Scan returns up to limit (<= 0: no limit) live keys with prefix, from
// start on, ascending. Attachment references are not among them.
func (e *Engine) Scan(ctx context.Context, prefix, start string, limit int) ([]oplog.Value, error) {
	if err := e.use(); err != nil {
		return nil, err
	}
	if err := reservedKey(prefix); err != nil {
		return nil, err
	}
	vs, err := e.state.Range(ctx, prefix, start, limit)
	if err != nil {
		return nil, err
	}
	// The references sit together from attachPrefix on: cut them out and
	// go on past them.
	cut := -1
	for i, v := range vs {
		if isAttachKey(v.Key) {
			cut = i
			break
		}
	}
	if cut < 0 {
		return vs, nil
	}
	vs = vs[:cut]
	rest := 0
	if limit > 0 {
		rest = limit - cut
	}
	past := attachPrefix[:len(attachPrefix)-1] + string(rune(attachPrefix[len(attachPrefix)-1]+1))
	if past < start {
		past = start
	}
	more, err := e.state.Range(ctx, prefix, past, rest)
	if err != nil {
		return nil, err
	}
	return append(vs, more...), nil
}

// Cursors implements syncer.Replica: the version vector.
func (e *Engine) Cursors(ctx context.Context) (oplog.PeerCursors, error) {
	if err := e.use(); err != nil {
		return nil, err
	}
	return e.replica.Cursors(ctx)
}

// ReadSince implements syncer.Replica: one wire batch of up to limit
// entries of peer from index from on (oplog.Processor.ReadBatch: a limit
// <= 0, or past oplog.MaxBatchEntries, reads oplog.MaxBatchEntries; the
// batch is cut to fit oplog.MaxBatchBytes), assembled from the stored
// bytes of the entries.
func (e *Engine) ReadSince(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error) {
	if err := e.use(); err != nil {
		return nil, err
	}
	return e.replica.ReadSince(ctx, peer, from, limit)
}

// Apply implements syncer.Replica: it ingests one wire batch, all or
// nothing (oplog.Processor.ApplyBatch's rules), and tells Watch of the
// keys its new entries write. The entries' ServerUser is dropped: only the
// server vouches for authors, and only through ApplyAttested.
func (e *Engine) Apply(ctx context.Context, batch []byte) (oplog.BatchResult, error) {
	return e.apply(ctx, batch, false)
}

// ApplyAttested is Apply keeping each entry's ServerUser: for batches from
// the sync server (a syncer.Attesting source), which vouches for them.
func (e *Engine) ApplyAttested(ctx context.Context, batch []byte) (oplog.BatchResult, error) {
	return e.apply(ctx, batch, true)
}

func (e *Engine) apply(ctx context.Context, batch []byte, attested bool) (oplog.BatchResult, error) {
	if err := e.use(); err != nil {
		return oplog.BatchResult{}, err
	}
	entries, err := oplog.DecodeBatch(batch)
	if err != nil {
		return oplog.BatchResult{}, err
	}
	if !attested {
		for i := range entries {
			entries[i].User = uuid.Nil
		}
	}
	res, err := e.proc.ApplyBatch(ctx, entries)
	if err == nil {
		res.Keys = appKeys(res.Keys) // attachment references are not the app's keys
		e.keys.notify(res.Keys)
	}
	return res, err
}

// Expunge removes the content of the stored entry of peer at idx
// everywhere it travels (oplog.Processor.Expunge): its key reads as the
// surviving entries decide, and Watch hears of it. It returns the key the
// entry wrote ("" for a marker, already expunged).
func (e *Engine) Expunge(ctx context.Context, peer uuid.UUID, idx uint64) (key string, err error) {
	if err := e.use(); err != nil {
		return "", err
	}
	got, err := e.proc.ReadSince(ctx, peer, idx, 1)
	if err != nil {
		return "", err
	}
	if err := e.proc.Expunge(ctx, peer, idx); err != nil {
		return "", err
	}
	if len(got) == 1 && got[0].Idx == idx && (got[0].Op.Tag == oplog.TagPut || got[0].Op.Tag == oplog.TagDelete) && !isAttachKey(got[0].Op.Key) {
		key = got[0].Op.Key
		e.keys.notify([]string{key})
	}
	return key, nil
}

// WatchCursors delivers the current cursors, then the cursors after each
// advance (oplog.Processor.WatchCursors); Close ends every watch.
func (e *Engine) WatchCursors() (updates <-chan oplog.PeerCursors, stop func()) {
	return e.proc.WatchCursors()
}

// Watch delivers, after each Exec or Apply of this engine that wrote keys
// starting with prefix, those keys, sorted. A slow reader gets the union
// of what it missed in one delivery, never loses a key. stop ends the
// watch and closes the channel; Close ends every watch. Writes of other
// engines over the same store (other tabs) are not seen here.
func (e *Engine) Watch(prefix string) (changes <-chan []string, stop func()) {
	if e.closed.Load() {
		ch := make(chan []string)
		close(ch)
		return ch, func() {}
	}
	return e.keys.add(prefix)
}

// Recover runs one recovery round (claiming dead instances) and a sweep of
// the blob tier now, and returns how many changes it cleaned up plus how
// many orphans it deleted.
func (e *Engine) Recover(ctx context.Context) (int, error) {
	if err := e.use(); err != nil {
		return 0, err
	}
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
	if err := e.use(); err != nil {
		return s, err
	}
	revs, err := e.blobs.Revisions(ctx)
	if err != nil {
		return s, err
	}
	refs, err := e.mgr.Referenced(ctx)
	if err != nil {
		return s, err
	}
	pending, err := e.log.Pending(ctx)
	if err != nil {
		return s, err
	}
	others, err := e.log.Instances(ctx)
	if err != nil {
		return s, err
	}
	contents, err := e.mgr.Objects(ctx, contentPrefix)
	if err != nil {
		return s, err
	}
	parts, err := e.mgr.Objects(ctx, partPrefix)
	if err != nil {
		return s, err
	}
	s = Stats{
		Blobs: len(revs), Referenced: len(refs), Changes: len(pending), Instances: 1,
		Contents: len(contents), Parts: len(parts), RecoveryError: e.mgr.LastError(),
	}
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

// Close stops recovery, heartbeats and watches, and deregisters the
// instance when it has nothing outstanding; the store stays open. Calls
// after Close answer ErrClosed. Idempotent.
func (e *Engine) Close() error {
	e.closeMu.Lock()
	defer e.closeMu.Unlock()
	if !e.closed.Swap(true) {
		e.closeErr = e.shutdown()
	}
	return e.closeErr
}

// shutdown releases whatever Open acquired, in reverse order.
func (e *Engine) shutdown() error {
	e.closed.Store(true)
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
	e.keys.close()
	// Closing after the platform took the store away is no failure.
	err := errors.Join(errs...)
	if errors.Is(err, kv.ErrClosed) {
		return nil
	}
	return err
}
