package oplog

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/internal/sysrand"
	"github.com/idbsync/idbsync/core/kv"
)

// DefaultPrefix names the tables of a Processor opened without a prefix.
const DefaultPrefix = "idbsync"

// maxAttempts bounds how often a batch is rebuilt after losing a race with
// another writer (another tab) on the same store.
const maxAttempts = 32

// backoff waits a random time that grows with attempt (at most about 64 ms)
// before a rebuilt batch is tried again, so two writers racing in lockstep
// fall out of step instead of one starving.
func backoff(ctx context.Context, attempt int) error {
	ceiling := time.Duration(1<<min(attempt, 6)) * time.Millisecond
	t := time.NewTimer(mrand.N(ceiling) + time.Millisecond/4)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var (
	metaPeer  = []byte("peer")
	metaClock = []byte("clock")
)

// Options configure Open. The zero value is ready to use.
type Options struct {
	// Prefix names the tables (<prefix>/oplog, /heads, /state, /meta);
	// empty means DefaultPrefix.
	Prefix string
	// Peer is the local peer id for a new store; uuid.Nil picks a random
	// one. A store keeps the peer it was first opened with: opening it with
	// another is ErrPeerMismatch.
	Peer uuid.UUID
	// Now is the wall clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew is how far ahead a remote timestamp may be; zero means
	// hlc.DefaultMaxSkew.
	MaxSkew time.Duration
	// Reducer folds ops into state; nil means a new LWW.
	Reducer Reducer
	// Tracker records the entries; nil means a new IndexTracker. Tables
	// lists the tables of the default one.
	Tracker Tracker
}

// Applied is the outcome of Apply.
type Applied struct {
	New bool // false when the entry was already there
}

// BatchResult is the outcome of ApplyBatch.
type BatchResult struct {
	Applied int // entries ingested now
	Skipped int // entries already there
	// Keys lists, once each, the keys the entries ingested now write: a
	// superset of those whose value changed, for watchers. A replica behind
	// a transport may leave it nil.
	Keys []string
}

// Written is the outcome of Exec: the local entries [From, To) of Peer.
type Written struct {
	Peer     uuid.UUID
	From, To uint64
}

// Processor ingests remote entries and writes local ones, exactly once, each
// batch recording the entries (tracker), folding them into state (reducer)
// and persisting the clock in one kv batch. Its cursors are a cache of the
// store, which is the truth: several Processors over one store (tabs) stay
// exactly-once (the tracker's ExpectHead and unique index are what keep two
// tabs from taking one index). It is safe for concurrent use.
type Processor struct {
	store   kv.Store
	tracker Tracker
	reducer Reducer
	clock   *hlc.Clock
	peer    uuid.UUID
	meta    string

	mu      sync.Mutex // serializes batches; guards the fields below
	batch   kv.Batch   // the batch being built (newBatch)
	cursors PeerCursors
	local   Head     // the local peer's head, as last known
	pending pendings // expunges ingested before their targets, as last known
	closed  bool

	// wmu guards watchers and is never held across I/O, so stopping a
	// watch from a browser event cannot wait on a batch in flight.
	wmu      sync.Mutex
	watchers map[*watcher]struct{}
}

// Tables returns every table a Processor with the default tracker and
// reducer uses under prefix (empty: DefaultPrefix), for creating them all
// at once when the store opens: in IndexedDB each later creation is a
// schema upgrade that closes other tabs' connections.
func Tables(prefix string) []string {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return append((&IndexTracker{}).Tables(prefix), prefix+"/state", prefix+"/meta", prefix+"/expunges")
}

// Open opens the op log under opts.Prefix in store, creating its tables,
// and loads cursors and clock from it.
func Open(ctx context.Context, store kv.Store, opts Options) (*Processor, error) {
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	p := &Processor{
		store:    store,
		tracker:  opts.Tracker,
		reducer:  opts.Reducer,
		meta:     prefix + "/meta",
		pending:  pendings{table: prefix + "/expunges"},
		watchers: make(map[*watcher]struct{}),
	}
	if p.reducer == nil {
		p.reducer = &LWW{}
	}
	if p.tracker == nil {
		p.tracker = &IndexTracker{}
	}
	// One call, so a new IndexedDB database needs one upgrade, not three.
	if err := store.CreateTables(ctx, Tables(prefix)...); err != nil {
		return nil, err
	}
	if err := p.tracker.Init(ctx, store, prefix); err != nil {
		return nil, err
	}
	if err := p.reducer.Init(ctx, store, prefix); err != nil {
		return nil, err
	}
	peer, err := p.claimPeer(ctx, opts.Peer)
	if err != nil {
		return nil, err
	}
	p.peer = peer
	heads, err := p.tracker.Heads(ctx)
	if err != nil {
		return nil, err
	}
	last, err := p.storedClock(ctx)
	if err != nil {
		return nil, err
	}
	p.cursors = make(PeerCursors, len(heads))
	for id, h := range heads {
		p.cursors[id] = h.Next
		last = max(last, h.LastTS)
	}
	p.local = heads[peer]
	if err := p.pending.load(ctx, store, p.meta); err != nil {
		return nil, err
	}
	p.clock = hlc.NewClock(opts.Now, last)
	if opts.MaxSkew > 0 {
		p.clock.SetMaxSkew(opts.MaxSkew)
	}
	return p, nil
}

// claimPeer returns the store's local peer, recording want (or a new id)
// if the store has none yet.
func (p *Processor) claimPeer(ctx context.Context, want uuid.UUID) (uuid.UUID, error) {
	for range maxAttempts {
		v, err := p.store.Get(ctx, p.meta, metaPeer)
		if err == nil {
			have, err := uuidFrom(v)
			if err != nil {
				return uuid.Nil, fmt.Errorf("%w: meta peer: %v", ErrCorrupt, err)
			}
			if want != uuid.Nil && want != have {
				return uuid.Nil, fmt.Errorf("%w: it belongs to %s, not %s", ErrPeerMismatch, have, want)
			}
			return have, nil
		}
		if !errors.Is(err, kv.ErrNotFound) {
			return uuid.Nil, err
		}
		id := want
		if id == uuid.Nil {
			id = uuid.New()
		}
		var b kv.Batch
		b.ExpectAbsent(p.meta, metaPeer)
		b.Put(p.meta, metaPeer, id[:])
		if err := p.store.Commit(ctx, &b); err != nil && !errors.Is(err, kv.ErrConflict) {
			return uuid.Nil, err
		}
		// Committed, or another tab chose first: read what stands.
	}
	return uuid.Nil, errors.New("oplog: could not settle the local peer id")
}

func (p *Processor) storedClock(ctx context.Context) (hlc.Timestamp, error) {
	ts, _, err := p.readClock(ctx)
	return ts, err
}

// readClock returns the stored clock and its raw row (nil when absent).
func (p *Processor) readClock(ctx context.Context) (hlc.Timestamp, []byte, error) {
	v, err := p.store.Get(ctx, p.meta, metaClock)
	if errors.Is(err, kv.ErrNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	if len(v) != 8 {
		return 0, nil, fmt.Errorf("%w: meta clock of %d bytes", ErrCorrupt, len(v))
	}
	return hlc.Timestamp(binary.BigEndian.Uint64(v)), v, nil
}

// Peer returns the local peer id.
func (p *Processor) Peer() uuid.UUID { return p.peer }

// Clock returns the last timestamp issued or observed.
func (p *Processor) Clock() hlc.Timestamp { return p.clock.Last() }

// Reducer returns the reducer, for reading state.
func (p *Processor) Reducer() Reducer { return p.reducer }

// Close stops the watches; the store stays open. Idempotent.
func (p *Processor) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.wmu.Lock()
	defer p.wmu.Unlock()
	for w := range p.watchers {
		w.stop()
	}
	clear(p.watchers)
	return nil
}

// Cursors returns the store's cursors (merged into the cache, so a write of
// another Processor on the store shows).
func (p *Processor) Cursors(ctx context.Context) (PeerCursors, error) {
	stored, err := p.tracker.AllCursors(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cursors.Merge(stored)
	return p.cursors.Clone(), nil
}

// Apply ingests one entry of e.Peer at e.Idx: an index below the cursor is
// a no-op (New false), one above it is a *CursorMismatchError, and the next
// one is ingested (clock check, tracker, reducer, one batch).
func (p *Processor) Apply(ctx context.Context, e Entry) (Applied, error) {
	r, err := p.ApplyBatch(ctx, []Entry{e})
	return Applied{New: r.Applied == 1}, err
}

// ApplyBatch ingests entries of many peers in one batch, with Apply's rules
// for each; an entry past its cursor, a skewed timestamp or an invalid entry
// rejects the whole batch and nothing is written.
func (p *Processor) ApplyBatch(ctx context.Context, entries []Entry) (BatchResult, error) {
	for i := range entries {
		if err := entries[i].Validate(); err != nil {
			return BatchResult{}, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return BatchResult{}, ErrClosed
	}
	defer p.batch.Reset() // hold nothing of the entries past the call
	reloaded := false
	for attempt := range maxAttempts {
		fresh, older, next, maxTS, err := p.plan(entries)
		var gap *CursorMismatchError
		if errors.As(err, &gap) && !reloaded {
			// Another tab may have ingested the entries in between.
			if err := p.reload(ctx); err != nil {
				return BatchResult{}, err
			}
			reloaded = true
			continue
		}
		if err != nil {
			return BatchResult{}, err
		}
		// An entry already here is compared, not assumed.
		if err := p.compare(ctx, older); err != nil {
			return BatchResult{}, err
		}
		res := BatchResult{Applied: len(fresh), Skipped: len(entries) - len(fresh)}
		if len(fresh) == 0 {
			return res, nil
		}
		// No clock read: the commit raises the stored clock to maxTS with a
		// merge, and only local writes (Exec) need its value first.
		b := p.newBatch(len(fresh))
		fx, err := p.effects(ctx, fresh, true, b)
		if err != nil {
			return BatchResult{}, err
		}
		if err := trackAll(p.tracker, fx.track, b); err != nil {
			return BatchResult{}, err
		}
		err = p.commit(ctx, fx, 0, maxTS, b)
		if errors.Is(err, kv.ErrUniqueViolation) || errors.Is(err, kv.ErrConflict) {
			// Another tab applied some of these, or changed state under us:
			// reload and plan again; what it applied is now skipped.
			if err := backoff(ctx, attempt); err != nil {
				return BatchResult{}, err
			}
			if err := p.reload(ctx); err != nil {
				return BatchResult{}, err
			}
			continue
		}
		if err != nil {
			return BatchResult{}, err
		}
		p.clock.Advance(maxTS)
		p.pending.committed(fx)
		for _, n := range next {
			p.cursors[n.peer] = max(p.cursors[n.peer], n.want)
		}
		for i := range fresh {
			if e := &fresh[i]; e.Peer == p.peer {
				p.local = Head{Next: e.Idx + 1, LastTS: e.TS}
			}
		}
		p.notify()
		res.Keys = keysOf(fx.track, fx.expunged)
		return res, nil
	}
	return BatchResult{}, fmt.Errorf("oplog: apply lost %d races with other writers: %w", maxAttempts, kv.ErrConflict)
}

// plan returns the entries of batch at their cursors, in order, the
// entries below their cursors (already stored, to compare), each peer's
// cursor once the fresh entries are in, and the fresh entries' greatest
// timestamp; it rejects gaps, skewed timestamps, and an index the batch
// holds twice with two different entries (*ForkError).
//
// When every entry is fresh, as in a sync that is not repeating itself,
// fresh is entries itself (capped, so appending to it cannot reach the
// caller's array).
func (p *Processor) plan(entries []Entry) (fresh, older []Entry, plans []peerPlan, maxTS hlc.Timestamp, err error) {
	// Each peer's cursor and the next index the batch expects of it are
	// found once a peer rather than once an entry.
	slot := make(map[uuid.UUID]int)
	var dups map[entryID]int // fresh entries by peer and index, made at the first repeat
	aliased := true          // fresh is entries[:len(fresh)]
	for i := range entries {
		e := &entries[i]
		j, ok := slot[e.Peer]
		if !ok {
			j = len(plans)
			c := p.cursors[e.Peer]
			plans = append(plans, peerPlan{peer: e.Peer, cursor: c, want: c})
			slot[e.Peer] = j
		}
		pp := &plans[j]
		if e.Idx < pp.want {
			if aliased {
				fresh, aliased = append(make([]Entry, 0, len(entries)), fresh...), false
			}
			if e.Idx < pp.cursor {
				older = append(older, *e)
				continue
			}
			// Twice in this batch: it must be the same entry.
			if dups == nil {
				dups = make(map[entryID]int, len(fresh))
				for k, f := range fresh {
					dups[entryID{f.Peer, f.Idx}] = k
				}
			}
			if prior := fresh[dups[entryID{e.Peer, e.Idx}]]; prior.Hash() != e.Hash() {
				return nil, nil, nil, 0, p.skewed(fresh, maxTS, &ForkError{Peer: e.Peer, Idx: e.Idx})
			}
			continue
		}
		if e.Idx > pp.want {
			return nil, nil, nil, 0, p.skewed(fresh, maxTS, &CursorMismatchError{Expected: pp.want, Actual: e.Idx})
		}
		if !e.Expunged() {
			maxTS = max(maxTS, e.TS)
		}
		pp.want++
		if aliased {
			fresh = entries[: i+1 : i+1]
		} else {
			if dups != nil {
				dups[entryID{e.Peer, e.Idx}] = len(fresh)
			}
			fresh = append(fresh, *e)
		}
	}
	if err := p.skewed(fresh, maxTS, nil); err != nil {
		return nil, nil, nil, 0, err
	}
	return fresh, older, plans, maxTS, nil
}

// peerPlan is a peer of a batch: its cursor before the batch, and the next
// index the batch expects of it (its cursor once the batch's fresh entries
// are in).
type peerPlan struct {
	peer         uuid.UUID
	cursor, want uint64
}

// skewed returns the skew error of the first of fresh whose timestamp is
// too far ahead (maxTS is the greatest of theirs), or else err: the error
// plan met after them, if any. The greatest timestamp passes the check
// exactly when every one does, so a batch costs one clock read, and the
// entries are gone through only when one is past the limit.
func (p *Processor) skewed(fresh []Entry, maxTS hlc.Timestamp, err error) error {
	if maxTS == 0 {
		return err // no timestamp to check (or only zero ones: never ahead)
	}
	skew := p.clock.Check(maxTS)
	if skew == nil {
		return err
	}
	for _, e := range fresh {
		if e.Expunged() {
			continue
		}
		if err := p.clock.Check(e.TS); err != nil {
			return fmt.Errorf("peer %s index %d: %w", e.Peer, e.Idx, err)
		}
	}
	return skew // the clock moved between the checks
}

// commit folds the entries fx tracks into state (undoing the effect of
// the stored entries it expunges) and raises the stored clock to clock,
// with a merge, in one batch. The clock belongs to the database, not to a
// Processor: another tab may have observed a remote timestamp ahead of this
// one's clock, and a local write stamped below it would lose to an entry
// its user had already seen; a tab with an older clock must not write the
// stored clock back. A nonzero floor is the first timestamp of
// local entries stamped from this Processor's cached clock: a stored clock
// at or above it (another tab's) fails the batch with errClockBehind, so
// local entries always stamp above every timestamp the database has seen,
// without reading the clock before each write.
func (p *Processor) commit(ctx context.Context, fx effects, floor, clock hlc.Timestamp, b *kv.Batch) error {
	ops := fx.track
	for i := range fx.track {
		if e := &fx.track[i]; e.Expunged() || e.Op.Tag == TagExpunge {
			// Copy only when there is something to leave out.
			ops = append(make([]Entry, 0, len(fx.track)), fx.track[:i]...)
			for _, e := range fx.track[i+1:] {
				if !e.Expunged() && e.Op.Tag != TagExpunge {
					ops = append(ops, e)
				}
			}
			break
		}
	}
	ex, undo := p.reducer.(Expunger)
	if undo && len(fx.expunged) > 0 {
		if err := ex.ReduceExpunging(ctx, ops, fx.expunged, p.walk, b); err != nil {
			return err
		}
	} else if err := p.reducer.Reduce(ctx, ops, b); err != nil {
		return err
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(clock))
	b.Merge(p.meta, metaClock, func(old []byte, found bool) ([]byte, bool, error) {
		if !found {
			return v, true, nil
		}
		if len(old) != 8 {
			return nil, false, fmt.Errorf("%w: meta clock of %d bytes", ErrCorrupt, len(old))
		}
		stored := hlc.Timestamp(binary.BigEndian.Uint64(old))
		if floor != 0 && stored >= floor {
			return nil, false, errClockBehind
		}
		return v, stored < clock, nil
	})
	return p.store.Commit(ctx, b)
}

// newBatch returns the Processor's batch, empty, with room for the ops of
// n entries. One batch serves every call (they hold p.mu), so its room is
// allocated once rather than per call; the caller holds p.mu, and releases
// the batch's ops with p.batch.Reset before it returns.
func (p *Processor) newBatch(n int) *kv.Batch {
	p.batch.Reset()
	p.batch.Grow(batchOps(n))
	return &p.batch
}

// batchOps is about how many ops a batch of n entries takes, to size it
// once: the log row and the state merge of each, a heads row per peer
// (allowing for a peer per four entries), the meta rows.
func batchOps(n int) int { return 2*n + n/4 + 16 }

// keysOf lists the keys the entries of groups write, once each, in order
// of appearance.
func keysOf(groups ...[]Entry) []string {
	n := 0
	for _, g := range groups {
		n += len(g)
	}
	x := newKeyIndex(n)
	for _, g := range groups {
		for i := range g {
			if e := &g[i]; !e.Expunged() && e.Op.Tag != TagExpunge {
				x.add(e.Op.Key)
			}
		}
	}
	if len(x.keys) == 0 {
		return nil
	}
	return x.keys
}

// reload refreshes the cached cursors and local head from the store.
func (p *Processor) reload(ctx context.Context) error {
	heads, err := p.tracker.Heads(ctx)
	if err != nil {
		return err
	}
	for id, h := range heads {
		p.cursors[id] = max(p.cursors[id], h.Next)
	}
	if h := heads[p.peer]; h.Next >= p.local.Next {
		p.local = h
	}
	return p.pending.load(ctx, p.store, p.meta)
}

// Exec writes ops as the local peer's next entries, in one batch, stamped
// with strictly increasing timestamps from one clock tick. It expects the
// local heads row unchanged, so two tabs never take the same index; the
// loser of a race reloads and retries.
func (p *Processor) Exec(ctx context.Context, ops ...Op) (Written, error) {
	if len(ops) == 0 {
		return Written{}, fmt.Errorf("%w: no ops", ErrInvalidOp)
	}
	for i, op := range ops {
		if err := op.Validate(); err != nil {
			return Written{}, fmt.Errorf("op %d: %w", i, err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return Written{}, ErrClosed
	}
	return p.exec(ctx, ops)
}

// exec writes ops, already checked, as the next local entries; the caller
// holds p.mu.
func (p *Processor) exec(ctx context.Context, ops []Op) (Written, error) {
	defer p.batch.Reset() // hold nothing of the ops past the call
	for attempt := range maxAttempts {
		head := p.local
		b := p.newBatch(len(ops))
		base, err := p.clock.Next(head.LastTS)
		if err != nil {
			return Written{}, err
		}
		last := base + hlc.Timestamp(len(ops)-1)
		if last < base {
			return Written{}, fmt.Errorf("%w: batch of %d ops", hlc.ErrWallOverflow, len(ops))
		}
		entries := make([]Entry, len(ops))
		salts := make([]byte, SaltSize*len(ops))
		sysrand.Read(salts)
		p.tracker.ExpectHead(p.peer, head, b)
		for i, op := range ops {
			entries[i] = Entry{
				Peer: p.peer, Idx: head.Next + uint64(i), TS: base + hlc.Timestamp(i), Op: op,
				Salt: salts[i*SaltSize : (i+1)*SaltSize : (i+1)*SaltSize],
			}
		}
		fx, err := p.effects(ctx, entries, false, b)
		if err != nil {
			return Written{}, err
		}
		if err := trackAll(p.tracker, fx.track, b); err != nil {
			return Written{}, err
		}
		err = p.commit(ctx, fx, base, last, b)
		if errors.Is(err, errClockBehind) {
			// Another tab stamped or observed a later timestamp: catch up
			// with the stored clock and stamp again.
			ts, err := p.storedClock(ctx)
			if err != nil {
				return Written{}, err
			}
			p.clock.Advance(ts)
			continue
		}
		if errors.Is(err, kv.ErrConflict) || errors.Is(err, kv.ErrUniqueViolation) {
			if err := backoff(ctx, attempt); err != nil {
				return Written{}, err
			}
			h, err := p.tracker.Head(ctx, p.peer)
			if err != nil {
				return Written{}, err
			}
			p.local = h
			p.cursors[p.peer] = max(p.cursors[p.peer], h.Next)
			continue
		}
		if err != nil {
			return Written{}, err
		}
		p.clock.Advance(last)
		p.local = Head{Next: head.Next + uint64(len(ops)), LastTS: last}
		p.cursors[p.peer] = p.local.Next
		p.notify()
		return Written{Peer: p.peer, From: head.Next, To: p.local.Next}, nil
	}
	return Written{}, fmt.Errorf("oplog: exec lost %d races with other writers: %w", maxAttempts, kv.ErrConflict)
}

// ReadSince returns up to limit entries of peer from index from on,
// ascending, markers included.
func (p *Processor) ReadSince(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]Entry, error) {
	return p.tracker.ReadEntries(ctx, peer, from, limit)
}

// ReadBatch returns one wire batch (EncodeBatch) of up to limit entries of
// peer from index from on, ascending, markers included: what a replica
// serves a sync. A limit <= 0, or past MaxBatchEntries, reads
// MaxBatchEntries, and a batch past MaxBatchBytes holds the first half of
// its entries (and so on, down to one), so every batch it returns is one
// DecodeBatch accepts, unless a single entry is past the bound. The batch
// is EncodeBatch of ReadSince's entries, byte for byte; a tracker that is
// a BatchReader (IndexTracker) assembles it from its stored bytes without
// decoding the entries. The caller owns the slice.
func (p *Processor) ReadBatch(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error) {
	if br, ok := p.tracker.(BatchReader); ok {
		return br.ReadBatch(ctx, peer, from, limit)
	}
	entries, err := p.tracker.ReadEntries(ctx, peer, from, batchLimit(limit))
	if err != nil {
		return nil, err
	}
	return encodeBounded(entries), nil
}
