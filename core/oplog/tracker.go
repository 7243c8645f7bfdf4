package oplog

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/internal/sha256"
	"github.com/idbsync/idbsync/core/kv"
)

// Tracker records ingested entries (the LogTracker contract) and keeps
// them, with a head per peer. Its writes only enqueue into the caller's
// batch and never commit on their own, so an entry is recorded exactly when
// the batch that applies it commits. IndexTracker is the default; a
// Processor calls nothing else of it.
type Tracker interface {
	// Init binds the tracker to store, its tables named under prefix
	// (trackers of two prefixes in one store do not see each other), and
	// creates them if needed.
	Init(ctx context.Context, store kv.Store, prefix string) error

	// TrackOne enqueues the record of e (its peer, index, timestamp, user,
	// op and salt) into b, and moves the peer's head to e.Idx+1. A (peer,
	// idx) already recorded fails the whole batch with
	// kv.ErrUniqueViolation when it commits. The caller tracks the indexes
	// of a peer in ascending order.
	TrackOne(e Entry, b *kv.Batch) error

	// TrackExpunged is TrackOne for an expunged marker holding hash: it
	// occupies the index and counts in the cursor.
	TrackExpunged(peer uuid.UUID, idx uint64, hash [sha256.Size]byte, b *kv.Batch) error

	// ExpectHead enqueues into b the condition that peer's head is still
	// head (absent when head.Next is 0): a batch built on a head another
	// writer has since moved fails with kv.ErrConflict when it commits.
	ExpectHead(peer uuid.UUID, head Head, b *kv.Batch)

	// ExpectUntracked enqueues into b the condition that no entry of peer
	// at idx is recorded: the batch fails with kv.ErrConflict if one is
	// when it commits.
	ExpectUntracked(peer uuid.UUID, idx uint64, b *kv.Batch)

	// Replace enqueues into b the replacement of the stored entry e by its
	// marker, on condition that the stored entry is still e (kv.ErrConflict
	// otherwise).
	Replace(e Entry, b *kv.Batch)

	// AllCursors returns the next index expected of every peer recorded.
	AllCursors(ctx context.Context) (PeerCursors, error)

	// Head returns peer's head (the zero Head for a peer never recorded).
	Head(ctx context.Context, peer uuid.UUID) (Head, error)

	// Heads returns the head of every peer recorded.
	Heads(ctx context.Context) (map[uuid.UUID]Head, error)

	// ReadEntries returns up to limit entries of peer from index from on,
	// ascending, markers included (limit <= 0: no limit).
	ReadEntries(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]Entry, error)
}

// BatchTracker is a Tracker that records a batch of entries in one call,
// with the outcome of TrackOne of each in order (the same rows, the same
// failure of the whole batch on a (peer, idx) already recorded) but in
// fewer ops: one heads row per peer rather than per entry, say. A
// Processor uses TrackMany when its tracker has it; IndexTracker does.
type BatchTracker interface {
	Tracker

	// TrackMany is TrackOne of each of entries, in order; markers among
	// them are tracked as TrackExpunged would. On an error, b may hold
	// some of the entries' ops: the caller drops b.
	TrackMany(entries []Entry, b *kv.Batch) error
}

// BatchReader is a Tracker that serves a read as a wire batch straight
// from what it stores, rather than as entries for the caller to encode:
// Processor.ReadBatch uses ReadBatch when its tracker has it; IndexTracker
// does, copying its rows' bytes into the batch.
type BatchReader interface {
	Tracker

	// ReadBatch returns, byte for byte, what EncodeBatch makes of the
	// entries ReadEntries returns for peer, from and limit, bounded as
	// Processor.ReadBatch says: a limit <= 0 or past MaxBatchEntries reads
	// MaxBatchEntries, and a batch past MaxBatchBytes holds the first half
	// of its entries, and so on, down to one. The caller owns the slice.
	ReadBatch(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error)
}

// trackAll records entries into b with t's TrackMany, or TrackOne each.
func trackAll(t Tracker, entries []Entry, b *kv.Batch) error {
	if bt, ok := t.(BatchTracker); ok {
		return bt.TrackMany(entries, b)
	}
	for _, e := range entries {
		if err := t.TrackOne(e, b); err != nil {
			return err
		}
	}
	return nil
}

// Head is what a heads row knows of a peer's log.
type Head struct {
	Next   uint64        // the next index expected
	LastTS hlc.Timestamp // the timestamp of the entry at Next-1; zero for a marker
}

// IndexTracker is the default Tracker: one row per entry in
// <prefix>/oplog keyed (peer, idx), inserted so a repeated index rolls the
// batch back, and one row per peer in <prefix>/heads, so AllCursors reads
// one row per peer, not per entry.
type IndexTracker struct {
	store       kv.Store
	log, heads  string
	initialized bool
}

var (
	_ BatchTracker = (*IndexTracker)(nil)
	_ BatchReader  = (*IndexTracker)(nil)
)

// Tables returns the tables of an IndexTracker under prefix.
func (t *IndexTracker) Tables(prefix string) []string {
	return []string{prefix + "/oplog", prefix + "/heads"}
}

// Init implements Tracker.
func (t *IndexTracker) Init(ctx context.Context, store kv.Store, prefix string) error {
	tables := t.Tables(prefix)
	if err := store.CreateTables(ctx, tables...); err != nil {
		return err
	}
	t.store, t.log, t.heads, t.initialized = store, tables[0], tables[1], true
	return nil
}

func (t *IndexTracker) check() error {
	if !t.initialized {
		return errors.New("oplog: tracker used before Init")
	}
	return nil
}

// entryKeySize is the size of an EntryKey.
const entryKeySize = 16 + 8

// EntryKey is the key of the oplog row of peer at idx.
func EntryKey(peer uuid.UUID, idx uint64) []byte {
	return kv.AppendUint64(kv.AppendUUID(make([]byte, 0, entryKeySize), peer), idx)
}

// TrackOne implements Tracker.
func (t *IndexTracker) TrackOne(e Entry, b *kv.Batch) error {
	if err := t.check(); err != nil {
		return err
	}
	if e.Expunged() {
		return t.TrackExpunged(e.Peer, e.Idx, e.ExpungedHash(), b)
	}
	rec := newEntryRecord(&e)
	return t.track(e.Peer, e.Idx, &rec, Head{Next: e.Idx + 1, LastTS: e.TS}, b)
}

// newEntryRecord is the stored form of an entry's fields. An empty value is
// stored absent: msgp decodes a zero-length bin as nil, and Replace rebuilds
// the stored bytes from a decoded entry to Expect them, so an empty value
// written as a zero-length bin would never match.
func newEntryRecord(e *Entry) entryRecord {
	rec := entryRecord{TS: uint64(e.TS), User: userBytes(&e.User), Tag: uint8(e.Op.Tag), Key: e.Op.Key, Value: e.Op.Value, Salt: e.Salt}
	if len(rec.Value) == 0 {
		rec.Value = nil
	}
	if len(rec.Salt) == 0 {
		rec.Salt = nil
	}
	return rec
}

// storedRecord is the record TrackOne stores for e: its fields, or its
// marker's. It aliases e's slices and arrays.
func storedRecord(e *Entry) entryRecord {
	if e.Expunged() {
		h := e.ExpungedHash()
		return entryRecord{Tag: uint8(TagExpunged), Value: h[:]}
	}
	return newEntryRecord(e)
}

// TrackExpunged implements Tracker.
func (t *IndexTracker) TrackExpunged(peer uuid.UUID, idx uint64, hash [sha256.Size]byte, b *kv.Batch) error {
	if err := t.check(); err != nil {
		return err
	}
	rec := entryRecord{Tag: uint8(TagExpunged), Value: hash[:]}
	return t.track(peer, idx, &rec, Head{Next: idx + 1}, b)
}

func (t *IndexTracker) track(peer uuid.UUID, idx uint64, rec *entryRecord, head Head, b *kv.Batch) error {
	if idx == ^uint64(0) {
		return fmt.Errorf("%w: index %d leaves no next index", ErrInvalidEntry, idx)
	}
	v, err := rec.MarshalMsg(nil)
	if err != nil {
		return err
	}
	b.Insert(t.log, EntryKey(peer, idx), v)
	b.Put(t.heads, peer[:], encodeHead(head))
	return nil
}

// TrackMany implements BatchTracker: an Insert of each entry's row, then
// one Put of each peer's heads row, at the last of its entries (the head
// TrackOne of each would leave). The rows' keys and values are cut from
// two buffers allocated once for the batch.
func (t *IndexTracker) TrackMany(entries []Entry, b *kv.Batch) error {
	if err := t.check(); err != nil {
		return err
	}
	size := 0
	for i := range entries {
		if entries[i].Idx == ^uint64(0) {
			return fmt.Errorf("%w: index %d leaves no next index", ErrInvalidEntry, entries[i].Idx)
		}
		rec := storedRecord(&entries[i])
		size += rec.Msgsize()
	}
	keys := make([]byte, 0, entryKeySize*len(entries))
	values := make([]byte, 0, size)
	last := make(map[uuid.UUID]int) // each peer's last entry
	var peers []uuid.UUID
	b.Grow(len(entries))
	for i := range entries {
		e := &entries[i]
		k := len(keys)
		keys = kv.AppendUint64(kv.AppendUUID(keys, e.Peer), e.Idx)
		v := len(values)
		rec := storedRecord(e)
		values, _ = rec.MarshalMsg(values) // within the room Msgsize bounds: no allocation
		// NB: full slice expressions, so no later append can reach the
		// next row's bytes through these.
		b.Insert(t.log, keys[k:len(keys):len(keys)], values[v:len(values):len(values)])
		n := len(last)
		last[e.Peer] = i
		if len(last) > n {
			peers = append(peers, e.Peer) // a peer first seen
		}
	}
	b.Grow(len(peers))
	for _, peer := range peers {
		e := entries[last[peer]]
		head := Head{Next: e.Idx + 1, LastTS: e.TS}
		if e.Expunged() {
			head.LastTS = 0
		}
		b.Put(t.heads, peer[:], encodeHead(head))
	}
	return nil
}

// ExpectHead implements Tracker.
func (t *IndexTracker) ExpectHead(peer uuid.UUID, head Head, b *kv.Batch) {
	if head.Next == 0 {
		b.ExpectAbsent(t.heads, peer[:])
		return
	}
	b.Expect(t.heads, peer[:], encodeHead(head))
}

// ExpectUntracked implements Tracker.
func (t *IndexTracker) ExpectUntracked(peer uuid.UUID, idx uint64, b *kv.Batch) {
	b.ExpectAbsent(t.log, EntryKey(peer, idx))
}

// Replace implements Tracker.
func (t *IndexTracker) Replace(e Entry, b *kv.Batch) {
	old := newEntryRecord(&e)
	oldBytes, _ := old.MarshalMsg(nil)
	hash := e.Hash()
	marker, _ := (&entryRecord{Tag: uint8(TagExpunged), Value: hash[:]}).MarshalMsg(nil)
	key := EntryKey(e.Peer, e.Idx)
	b.Expect(t.log, key, oldBytes)
	b.Put(t.log, key, marker)
}

// Head implements Tracker: it reads peer's heads row.
func (t *IndexTracker) Head(ctx context.Context, peer uuid.UUID) (Head, error) {
	if err := t.check(); err != nil {
		return Head{}, err
	}
	v, err := t.store.Get(ctx, t.heads, peer[:])
	if errors.Is(err, kv.ErrNotFound) {
		return Head{}, nil
	}
	if err != nil {
		return Head{}, err
	}
	return decodeHead(v)
}

// Heads implements Tracker: it reads every heads row.
func (t *IndexTracker) Heads(ctx context.Context) (map[uuid.UUID]Head, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	rows, err := t.store.Scan(ctx, t.heads, kv.Range{})
	if err != nil {
		return nil, err
	}
	heads := make(map[uuid.UUID]Head, len(rows))
	for _, r := range rows {
		peer, err := uuidFrom(r.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: heads key: %v", ErrCorrupt, err)
		}
		if heads[peer], err = decodeHead(r.Value); err != nil {
			return nil, err
		}
	}
	return heads, nil
}

// AllCursors implements Tracker.
func (t *IndexTracker) AllCursors(ctx context.Context) (PeerCursors, error) {
	heads, err := t.Heads(ctx)
	if err != nil {
		return nil, err
	}
	c := make(PeerCursors, len(heads))
	for p, h := range heads {
		c[p] = h.Next
	}
	return c, nil
}

// ReadEntries implements Tracker.
func (t *IndexTracker) ReadEntries(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]Entry, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	rows, err := t.store.Scan(ctx, t.log, kv.Range{
		Start: EntryKey(peer, from),
		End:   kv.PrefixEnd(peer[:]),
		Limit: limit,
	})
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		if out[i], err = decodeEntry(r.Key, r.Value); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeEntry(key, value []byte) (Entry, error) {
	id, rest, err := kv.ReadUUID(key)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: oplog key: %v", ErrCorrupt, err)
	}
	idx, _, err := kv.ReadUint64(rest)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: oplog key: %v", ErrCorrupt, err)
	}
	var rec entryRecord
	if _, err := rec.UnmarshalMsg(value); err != nil {
		return Entry{}, fmt.Errorf("%w: entry %s/%d: %v", ErrCorrupt, uuid.UUID(id), idx, err)
	}
	user, err := optionalUUID(rec.User)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: entry %s/%d: user: %v", ErrCorrupt, uuid.UUID(id), idx, err)
	}
	return Entry{
		Peer: id, Idx: idx, TS: hlc.Timestamp(rec.TS), User: user,
		Op: Op{Tag: Tag(rec.Tag), Key: rec.Key, Value: rec.Value}, Salt: rec.Salt,
	}, nil
}

func encodeHead(h Head) []byte {
	b, _ := (&headRecord{Next: h.Next, LastTS: uint64(h.LastTS)}).MarshalMsg(nil)
	return b
}

func decodeHead(b []byte) (Head, error) {
	var rec headRecord
	if _, err := rec.UnmarshalMsg(b); err != nil {
		return Head{}, fmt.Errorf("%w: heads row: %v", ErrCorrupt, err)
	}
	return Head{Next: rec.Next, LastTS: hlc.Timestamp(rec.LastTS)}, nil
}
