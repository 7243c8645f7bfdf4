package oplog

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/internal/sha256"
	"github.com/idbsync/idbsync/core/kv"
)

// Expunge removes the content of the stored entry of peer at idx
// everywhere it travels: it writes an expunge op, naming the entry and its
// hash, as the local peer's next entry, and in the same batch replaces the
// entry by its marker and undoes its effect on state (with an Expunger
// reducer, such as LWW: the key reads as the surviving entries decide).
// Replicas that already hold the entry do the same when the expunge
// reaches them through ordinary sync; one that gets the expunge first
// stores the entry as its marker when it comes. The index stays occupied.
// Expunging a marker again is a no-op; an index not stored is ErrNotFound.
func (p *Processor) Expunge(ctx context.Context, peer uuid.UUID, idx uint64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	got, err := p.tracker.ReadEntries(ctx, peer, idx, 1)
	if err != nil {
		return err
	}
	if len(got) == 0 || got[0].Idx != idx {
		return fmt.Errorf("%w: peer %s index %d", ErrNotFound, peer, idx)
	}
	if got[0].Expunged() {
		return nil
	}
	_, err = p.exec(ctx, []Op{Expunge(ExpungeRef{Peer: peer, Idx: idx, Hash: got[0].Hash()})})
	return err
}

// Expunger is a Reducer that can undo the effect of expunged entries.
type Expunger interface {
	Reducer

	// ReduceExpunging is Reduce of entries, in a batch that also replaces
	// the stored entries expunged by their markers: it enqueues into b the
	// state with their effect undone, as the surviving entries decide.
	// each walks every stored entry (markers included; the expunged ones
	// are still there, as they were) for a reducer that must look back.
	ReduceExpunging(ctx context.Context, entries, expunged []Entry, each func(ctx context.Context, fn func(Entry) error) error, b *kv.Batch) error
}

// walk calls fn with every stored entry, peer by peer, in pages.
func (p *Processor) walk(ctx context.Context, fn func(Entry) error) error {
	heads, err := p.tracker.Heads(ctx)
	if err != nil {
		return err
	}
	const page = 1000
	for peer := range heads {
		for from := uint64(0); ; {
			es, err := p.tracker.ReadEntries(ctx, peer, from, page)
			if err != nil {
				return err
			}
			for _, e := range es {
				if err := fn(e); err != nil {
					return err
				}
			}
			if len(es) < page {
				break
			}
			from = es[len(es)-1].Idx + 1
		}
	}
	return nil
}

// compare checks entries offered below their peers' cursors against what
// is stored: the same entry (or its marker, or a marker of it) is fine; a
// different one is a fork of its peer, *ForkError at the first index that
// differs, and nothing of the batch is applied.
func (p *Processor) compare(ctx context.Context, older []Entry) error {
	if len(older) == 0 {
		return nil
	}
	type span struct{ from, to uint64 }
	spans := make(map[uuid.UUID]*span)
	var peers []uuid.UUID
	for _, e := range older {
		s, ok := spans[e.Peer]
		if !ok {
			spans[e.Peer] = &span{e.Idx, e.Idx + 1}
			peers = append(peers, e.Peer)
			continue
		}
		s.from, s.to = min(s.from, e.Idx), max(s.to, e.Idx+1)
	}
	stored := make(map[uuid.UUID]map[uint64][sha256.Size]byte, len(spans))
	for _, peer := range peers {
		s := spans[peer]
		es, err := p.tracker.ReadEntries(ctx, peer, s.from, int(s.to-s.from))
		if err != nil {
			return err
		}
		hashes := make(map[uint64][sha256.Size]byte, len(es))
		for _, e := range es {
			hashes[e.Idx] = e.Hash()
		}
		stored[peer] = hashes
	}
	var fork *ForkError
	for _, e := range older {
		h, ok := stored[e.Peer][e.Idx]
		if !ok || h == e.Hash() {
			continue // not found: another tab's view; the apply replans
		}
		if fork == nil || (e.Peer == fork.Peer && e.Idx < fork.Idx) {
			fork = &ForkError{Peer: e.Peer, Idx: e.Idx}
		}
	}
	if fork != nil {
		return fork
	}
	return nil
}

// effects is what a batch does beyond recording its entries.
type effects struct {
	track    []Entry // the entries to record: fresh ones, some turned markers
	expunged []Entry // stored entries the batch replaces by markers
	add      map[entryID][sha256.Size]byte
	del      []entryID
	gen      uint64 // the pending expunges' generation after the batch
}

// entryID is a peer and an index.
type entryID struct {
	peer uuid.UUID
	idx  uint64
}

func (id entryID) key() []byte { return EntryKey(id.peer, id.idx) }

// effects resolves the expunge ops among fresh, and (when remote) the
// pending expunges that name fresh entries: targets in the batch and
// entries a pending expunge names are recorded as markers; stored targets
// are replaced by markers in b; targets not here yet become pending
// expunges, kept in b. A remote batch also expects the pending expunges
// unchanged, so a tab that missed another's cannot store an expunged
// entry's content.
func (p *Processor) effects(ctx context.Context, fresh []Entry, remote bool, b *kv.Batch) (effects, error) {
	fx := effects{track: fresh, gen: p.pending.gen}
	var pos map[entryID]int
	copied := false
	mark := func(i int) {
		if !copied {
			fx.track = append([]Entry(nil), fresh...)
			copied = true
		}
		e := fx.track[i]
		fx.track[i] = Marker(e.Peer, e.Idx, e.Hash())
	}
	if remote {
		p.pending.expect(p.meta, b)
	}
	if remote && len(p.pending.m) > 0 {
		for i, e := range fresh {
			id := entryID{e.Peer, e.Idx}
			h, ok := p.pending.m[id]
			if !ok {
				continue
			}
			if !e.Expunged() && h == e.Hash() {
				mark(i)
			}
			fx.del = append(fx.del, id) // consumed, or about another entry
		}
	}
	var seen map[entryID]bool
	for i := range fresh {
		if fresh[i].Op.Tag != TagExpunge {
			continue // NB: before copying the entry: most are not expunges
		}
		e := fresh[i]
		ref, ok := e.Op.ExpungeRef()
		if !ok || e.Expunged() {
			continue
		}
		id := entryID{ref.Peer, ref.Idx}
		if seen[id] {
			continue
		}
		if seen == nil {
			seen = make(map[entryID]bool)
		}
		seen[id] = true
		if pos == nil {
			pos = make(map[entryID]int, len(fresh))
			for i, f := range fresh {
				pos[entryID{f.Peer, f.Idx}] = i
			}
		}
		if i, ok := pos[id]; ok {
			if t := fx.track[i]; !t.Expunged() && t.Hash() == ref.Hash {
				mark(i)
			}
			continue
		}
		if ref.Idx < p.cursors[ref.Peer] {
			got, err := p.tracker.ReadEntries(ctx, ref.Peer, ref.Idx, 1)
			if err != nil {
				return fx, err
			}
			if len(got) == 1 && got[0].Idx == ref.Idx && !got[0].Expunged() && got[0].Hash() == ref.Hash {
				p.tracker.Replace(got[0], b)
				fx.expunged = append(fx.expunged, got[0])
			}
			continue // a marker already, or another entry: nothing to do
		}
		if fx.add == nil {
			fx.add = make(map[entryID][sha256.Size]byte)
		}
		fx.add[id] = ref.Hash
		// If another tab stores the target meanwhile, this batch must see
		// it stored instead: it fails, and is planned again.
		p.tracker.ExpectUntracked(ref.Peer, ref.Idx, b)
	}
	if len(fx.add) > 0 || len(fx.del) > 0 {
		fx.gen = p.pending.gen + 1
		for id, h := range fx.add {
			v, _ := (&pendingExpungeRecord{Hash: h[:]}).MarshalMsg(nil)
			b.Put(p.pending.table, id.key(), v)
		}
		for _, id := range fx.del {
			b.Delete(p.pending.table, id.key())
		}
		b.Put(p.meta, metaExpunges, binary.BigEndian.AppendUint64(nil, fx.gen))
	}
	return fx, nil
}

// metaExpunges is the meta row holding the pending expunges' generation:
// every batch that changes them bumps it, every remote batch expects it.
var metaExpunges = []byte("expunges")

// pendings caches <prefix>/expunges: expunges ingested before their
// targets, keyed by the target.
type pendings struct {
	table string
	gen   uint64
	m     map[entryID][sha256.Size]byte
}

// load reads the pending expunges and their generation from store.
func (ps *pendings) load(ctx context.Context, store kv.Store, meta string) error {
	v, err := store.Get(ctx, meta, metaExpunges)
	switch {
	case errors.Is(err, kv.ErrNotFound):
		ps.gen, ps.m = 0, nil
		return nil
	case err != nil:
		return err
	case len(v) != 8:
		return fmt.Errorf("%w: meta expunges of %d bytes", ErrCorrupt, len(v))
	}
	gen := binary.BigEndian.Uint64(v)
	if gen == ps.gen && ps.m != nil {
		return nil
	}
	rows, err := store.Scan(ctx, ps.table, kv.Range{})
	if err != nil {
		return err
	}
	m := make(map[entryID][sha256.Size]byte, len(rows))
	for _, r := range rows {
		peer, rest, err := kv.ReadUUID(r.Key)
		if err != nil {
			return fmt.Errorf("%w: expunges key: %v", ErrCorrupt, err)
		}
		idx, _, err := kv.ReadUint64(rest)
		if err != nil {
			return fmt.Errorf("%w: expunges key: %v", ErrCorrupt, err)
		}
		var rec pendingExpungeRecord
		if _, err := rec.UnmarshalMsg(r.Value); err != nil || len(rec.Hash) != sha256.Size {
			return fmt.Errorf("%w: expunges row of %s/%d", ErrCorrupt, uuid.UUID(peer), idx)
		}
		m[entryID{peer, idx}] = [sha256.Size]byte(rec.Hash)
	}
	ps.gen, ps.m = gen, m
	return nil
}

// expect enqueues into b the condition that the generation is unchanged.
func (ps *pendings) expect(meta string, b *kv.Batch) {
	if ps.gen == 0 {
		b.ExpectAbsent(meta, metaExpunges)
		return
	}
	b.Expect(meta, metaExpunges, binary.BigEndian.AppendUint64(nil, ps.gen))
}

// committed applies a committed batch's changes to the cache.
func (ps *pendings) committed(fx effects) {
	if fx.gen == ps.gen {
		return
	}
	if ps.m == nil {
		ps.m = make(map[entryID][sha256.Size]byte)
	}
	for _, id := range fx.del {
		delete(ps.m, id)
	}
	for id, h := range fx.add {
		ps.m[id] = h
	}
	ps.gen = fx.gen
}

// sameState reports whether the stored state raw is what e wrote.
func sameState(raw []byte, e Entry) bool {
	rec, err := decodeState(raw)
	if err != nil {
		return false
	}
	del := e.Op.Tag == TagDelete
	return rec.TS == uint64(e.TS) && rec.Deleted == del && (del || bytes.Equal(rec.Value, e.Op.Value))
}
