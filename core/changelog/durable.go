package changelog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/kv"
)

// Defaults of DurableOptions.
const (
	DefaultPrefix   = "idbsync"
	DefaultInterval = 10 * time.Second
)

// DurableOptions configure OpenDurable. The zero value is ready to use.
type DurableOptions struct {
	// Prefix names the tables (<prefix>/instances, <prefix>/changes);
	// empty means DefaultPrefix.
	Prefix string
	// Now is the wall clock; nil means time.Now.
	Now func() time.Time
	// Interval between heartbeats; zero means DefaultInterval.
	Interval time.Duration
	// Expiry after which an instance that has not beaten is dead; zero
	// means three intervals.
	Expiry time.Duration
	// LockHeld, when set, tells whether an instance's lock (a Web Lock named
	// after it, held by its tab for its lifetime) is held. known is false
	// when it cannot tell. A free lock makes the instance dead at once; a
	// held one keeps it alive whatever its heartbeat (background tabs have
	// their timers throttled). Native builds leave it nil.
	LockHeld func(ctx context.Context, instance uuid.UUID) (held, known bool)
	// ID is the instance id; uuid.Nil makes a new one. A tab takes the Web
	// Lock of its id before it opens, so no other tab sees it registered
	// with a free lock and claims it at birth.
	ID uuid.UUID
	// After is the timer of the heartbeat loop; nil means time.After.
	After func(time.Duration) <-chan time.Time
	// Renew, when set, returns the id under which an instance that found
	// itself claimed while alive registers afresh (a browser takes the
	// Web Lock of the new id in it, and frees the old one); nil means a new
	// uuid.
	Renew func(ctx context.Context) (uuid.UUID, error)
}

// Durable is the Log over a kv.Store, for one instance (one open
// engine, a browser tab). Its entries are keyed (instance, change id); its
// instance row {epoch, heartbeat} is refreshed by Heartbeat. Another
// instance may Claim it once it is dead, taking its entries; the claimed
// instance's next write fails with ErrFenced, because each of its commits
// expects its own row unchanged. An instance claimed while it was alive
// (paused past its heartbeat, a lock it lost) then registers afresh under a
// new id (DurableOptions.Renew) and goes on: the write that found it
// fenced failed, the next ones succeed.
type Durable struct {
	store              kv.Store
	instances, changes string
	opts               DurableOptions

	// beat orders this instance's own writes of its row against its
	// fenced commits: a commit holds it shared from reading row until its
	// conflict (if any) is explained, Heartbeat and Close hold it
	// exclusively. Without it a heartbeat landing between a commit's read
	// of row and its Commit failed the commit with a spurious conflict or
	// ErrFenced, and two heartbeats at once failed one with ErrFenced
	// (stopping the loop).
	beat sync.RWMutex

	renewMu sync.Mutex // serializes renewals

	mu     sync.Mutex
	id     uuid.UUID // this instance's id: a renewal changes it
	row    []byte    // this instance's row as last written, what commits expect
	rec    instanceRecord
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

var (
	_ Log           = (*Durable)(nil)
	_ Fencer        = (*Durable)(nil)
	_ Claimer       = (*Durable)(nil)
	_ PendingLister = (*Durable)(nil)
)

// OpenDurable registers a new instance in store and returns its log. Call
// Start for the heartbeat loop, or Heartbeat on your own schedule.
func OpenDurable(ctx context.Context, store kv.Store, opts DurableOptions) (*Durable, error) {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Expiry <= 0 {
		opts.Expiry = 3 * opts.Interval
	}
	if opts.After == nil {
		opts.After = time.After
	}
	d := &Durable{
		store:     store,
		instances: opts.Prefix + "/instances",
		changes:   opts.Prefix + "/changes",
		opts:      opts,
	}
	if err := store.CreateTables(ctx, d.instances, d.changes); err != nil {
		return nil, err
	}
	id := opts.ID
	if id == uuid.Nil {
		var err error
		if id, err = uuid.NewV7(); err != nil {
			return nil, err
		}
	}
	d.id = id
	d.rec = instanceRecord{Epoch: 1, Heartbeat: opts.Now().UnixMilli()}
	d.row, _ = d.rec.MarshalMsg(nil)
	var b kv.Batch
	b.Insert(d.instances, id[:], d.row)
	if err := store.Commit(ctx, &b); err != nil {
		return nil, err
	}
	return d, nil
}

// Instance returns this instance's id (a new one after a renewal).
func (d *Durable) Instance() uuid.UUID {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.id
}

// self returns this instance's id and row as of now.
func (d *Durable) self() (uuid.UUID, []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.id, d.row
}

func (d *Durable) entryKey(instance uuid.UUID, id ID) []byte {
	return kv.AppendUUID(kv.AppendUUID(make([]byte, 0, 32), instance), id)
}

// Fence adds to b the condition that this instance has not been claimed,
// so that b fails instead of writing when it has; prefer CommitFenced, which
// also orders b against heartbeats. The condition is the row as of the call:
// a Heartbeat between Fence and the Commit of b also fails b with
// kv.ErrConflict (fence a new batch and retry).
func (d *Durable) Fence(b *kv.Batch) {
	id, row := d.self()
	b.Expect(d.instances, id[:], row)
}

// CommitFenced commits b on condition that this instance has not been
// claimed (ErrFenced when it has), ordered against heartbeats so that a
// beat never fails it. The Manager commits its compare-and-sets through it.
func (d *Durable) CommitFenced(ctx context.Context, b *kv.Batch) error {
	return d.commit(ctx, func(uuid.UUID, *kv.Batch) error { return nil }, b)
}

// commit adds to b what build enqueues for this instance's id, fences it
// and commits it. When the instance turns out to be claimed it registers
// afresh and returns ErrFenced: the caller may build the write again.
func (d *Durable) commit(ctx context.Context, build func(self uuid.UUID, b *kv.Batch) error, b *kv.Batch) error {
	d.beat.RLock()
	defer d.beat.RUnlock()
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return ErrClosed
	}
	id, row := d.id, d.row
	d.mu.Unlock()
	if err := build(id, b); err != nil {
		return err
	}
	b.Expect(d.instances, id[:], row)
	err := d.store.Commit(ctx, b)
	if errors.Is(err, kv.ErrConflict) && d.fenced(ctx, id, row) {
		return d.fencedError(ctx, id)
	}
	return err
}

// fencedError renews the instance found fenced as id and says so.
func (d *Durable) fencedError(ctx context.Context, id uuid.UUID) error {
	err := fmt.Errorf("%w: instance %s", ErrFenced, id)
	if rerr := d.renew(ctx, id); rerr != nil {
		return errors.Join(err, fmt.Errorf("changelog: registering afresh: %w", rerr))
	}
	return err
}

// fenced reports whether the row of instance id is no longer row.
func (d *Durable) fenced(ctx context.Context, id uuid.UUID, row []byte) bool {
	v, err := d.store.Get(ctx, d.instances, id[:])
	return errors.Is(err, kv.ErrNotFound) || (err == nil && !bytes.Equal(v, row))
}

// renew registers this instance afresh under a new id, once per fenced id
// (concurrent writes that all found it fenced renew it once). Its entries
// stay with the claimer, which cleans them up.
func (d *Durable) renew(ctx context.Context, fenced uuid.UUID) error {
	d.renewMu.Lock()
	defer d.renewMu.Unlock()
	d.mu.Lock()
	cur, closed := d.id, d.closed
	d.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if cur != fenced {
		return nil // renewed already
	}
	var id uuid.UUID
	var err error
	if d.opts.Renew != nil {
		id, err = d.opts.Renew(ctx)
	} else {
		id, err = uuid.NewV7()
	}
	if err != nil {
		return err
	}
	rec := instanceRecord{Epoch: 1, Heartbeat: d.opts.Now().UnixMilli()}
	row, _ := rec.MarshalMsg(nil)
	var b kv.Batch
	b.Insert(d.instances, id[:], row)
	if err := d.store.Commit(ctx, &b); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.id, d.rec, d.row = id, rec, row
	return nil
}

// Record implements Log: the entry is committed, fenced, before it
// returns.
func (d *Durable) Record(ctx context.Context, id ID, c Change) error {
	rec := changeRecord{Object: c.Object, New: revBytes(c.New), Old: revBytes(c.Old)}
	if !c.CleanupAfter.IsZero() {
		rec.CleanupAfter = c.CleanupAfter.UnixMilli()
	}
	v, err := rec.MarshalMsg(nil)
	if err != nil {
		return err
	}
	// A write that found this instance fenced renewed it: record again,
	// under the new id (the claimer owns nothing of this change).
	for attempt := 0; ; attempt++ {
		var b kv.Batch
		err := d.commit(ctx, func(self uuid.UUID, b *kv.Batch) error {
			b.Put(d.changes, d.entryKey(self, id), v)
			return nil
		}, &b)
		if attempt > 0 || !errors.Is(err, ErrFenced) {
			return err
		}
	}
}

// Remove implements Log.
func (d *Durable) Remove(ctx context.Context, id ID) error {
	var b kv.Batch
	return d.commit(ctx, func(self uuid.UUID, b *kv.Batch) error {
		b.Delete(d.changes, d.entryKey(self, id))
		return nil
	}, &b)
}

// Scan implements Log: the entries keyed under this instance (its own
// and those it claimed) whose CleanupAfter has passed.
func (d *Durable) Scan(ctx context.Context) ([]Entry, error) {
	if err := d.checkOpen(); err != nil {
		return nil, err
	}
	self, _ := d.self()
	all, err := d.entriesOf(ctx, self)
	if err != nil {
		return nil, err
	}
	now := d.opts.Now()
	out := all[:0]
	for _, e := range all {
		if !e.Change.CleanupAfter.After(now) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Pending returns the outstanding entries of every instance, live, dead
// or claimed, whatever their CleanupAfter: the changes whose blobs a sweep
// must leave alone.
func (d *Durable) Pending(ctx context.Context) ([]Entry, error) {
	if err := d.checkOpen(); err != nil {
		return nil, err
	}
	return d.entriesIn(ctx, kv.Range{})
}

func (d *Durable) entriesOf(ctx context.Context, instance uuid.UUID) ([]Entry, error) {
	return d.entriesIn(ctx, kv.Prefix(instance[:]))
}

func (d *Durable) entriesIn(ctx context.Context, r kv.Range) ([]Entry, error) {
	rows, err := d.store.Scan(ctx, d.changes, r)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(rows))
	for _, r := range rows {
		e, err := decodeEntry(r.Key, r.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Heartbeat refreshes this instance's row; ErrFenced if it was claimed
// (the instance has then registered afresh, under a new id).
func (d *Durable) Heartbeat(ctx context.Context) error {
	d.beat.Lock()
	defer d.beat.Unlock()
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return ErrClosed
	}
	id, old := d.id, d.row
	rec := instanceRecord{Epoch: d.rec.Epoch, Heartbeat: d.opts.Now().UnixMilli()}
	d.mu.Unlock()
	row, _ := rec.MarshalMsg(nil)
	var b kv.Batch
	b.Expect(d.instances, id[:], old)
	b.Put(d.instances, id[:], row)
	err := d.store.Commit(ctx, &b)
	if errors.Is(err, kv.ErrConflict) && d.fenced(ctx, id, old) {
		return d.fencedError(ctx, id)
	}
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.row, d.rec = row, rec
	return nil
}

func (d *Durable) checkOpen() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	return nil
}

// Start runs the heartbeat loop until Close. A beat that finds the
// instance claimed registers it afresh; other errors are retried on the
// next beat.
func (d *Durable) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop != nil || d.closed {
		return
	}
	d.stop, d.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(d.done)
		for {
			select {
			case <-d.stop:
				return
			case <-d.opts.After(d.opts.Interval):
			}
			if err := d.Heartbeat(context.Background()); errors.Is(err, ErrClosed) {
				return
			}
		}
	}()
}

// Close stops the heartbeat loop. An instance with no outstanding entries
// removes its row; one with entries leaves it for another instance to claim
// once it expires. Idempotent.
func (d *Durable) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	stop, done := d.stop, d.done
	d.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	// Wait for a beat or a write in flight, then expect the row as it is
	// now (one read before a beat made the delete below fail and left
	// the row of an instance without entries behind).
	d.beat.Lock()
	defer d.beat.Unlock()
	id, row := d.self()
	ctx := context.Background()
	rows, err := d.store.Scan(ctx, d.changes, kv.Range{Start: id[:], End: kv.PrefixEnd(id[:]), Limit: 1})
	if err != nil || len(rows) > 0 {
		return err
	}
	var b kv.Batch
	b.Expect(d.instances, id[:], row)
	b.Delete(d.instances, id[:])
	if err := d.store.Commit(ctx, &b); err != nil && !errors.Is(err, kv.ErrConflict) {
		return err
	}
	return nil
}

func revBytes(r Revision) []byte {
	if r.IsZero() {
		return nil
	}
	return r[:]
}

func decodeEntry(key, value []byte) (Entry, error) {
	_, rest, err := kv.ReadUUID(key)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: change key: %v", ErrCorrupt, err)
	}
	cid, _, err := kv.ReadUUID(rest)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: change key: %v", ErrCorrupt, err)
	}
	var rec changeRecord
	if _, err := rec.UnmarshalMsg(value); err != nil {
		return Entry{}, fmt.Errorf("%w: change %s: %v", ErrCorrupt, uuid.UUID(cid), err)
	}
	c := Change{Object: rec.Object}
	if c.New, err = revFrom(rec.New); err == nil {
		c.Old, err = revFrom(rec.Old)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("%w: change %s: %v", ErrCorrupt, uuid.UUID(cid), err)
	}
	if rec.CleanupAfter != 0 {
		c.CleanupAfter = time.UnixMilli(rec.CleanupAfter).UTC()
	}
	return Entry{ID: ID(cid), Change: c}, nil
}

func revFrom(b []byte) (Revision, error) {
	switch len(b) {
	case 0:
		return Revision{}, nil
	case 16:
		return Revision(b), nil
	}
	return Revision{}, fmt.Errorf("revision of %d bytes", len(b))
}
