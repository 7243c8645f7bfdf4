package paged

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/tinylib/msgp/msgp"

	"github.com/idbsync/idbsync/core/kv"
)

// The defaults of Options.
const (
	DefaultPageSize   = 64 << 10
	DefaultInlineMax  = 16 << 10
	DefaultMergeBytes = 8 << 20
	DefaultMergeRows  = 512
	DefaultCacheBytes = 64 << 20
	DefaultIdleMerge  = time.Second
	DefaultIdleBytes  = 64 << 10
)

// maxAttempts bounds how often one call starts again because another handle
// wrote meanwhile.
const maxAttempts = 100

// Options configure Open; the zero value of each field takes its default.
type Options struct {
	// Tables are created, if missing, by the open itself.
	Tables []string
	// PageSize is the size a page is cut at, in bytes of keys and values.
	PageSize int
	// InlineMax is the longest value kept in the log and the pages; longer
	// ones are a row of their own.
	InlineMax int
	// MergeBytes and MergeRows: once the memtables hold more than half
	// this many bytes, or write-ahead rows, a merge starts in the
	// background; a commit that leaves more than this many outside the
	// pages waits for it, or merges them in itself.
	MergeBytes int
	MergeRows  int
	// CacheBytes bounds the pages kept decoded in memory.
	CacheBytes int
	// IdleMerge: once no commit came for this long, a merge runs if the
	// memtables hold more than IdleBytes, so that the next cold start reads
	// little; negative: never.
	IdleMerge time.Duration
	IdleBytes int
}

func (o *Options) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.PageSize, DefaultPageSize)
	def(&o.InlineMax, DefaultInlineMax)
	def(&o.MergeBytes, DefaultMergeBytes)
	def(&o.MergeRows, DefaultMergeRows)
	def(&o.CacheBytes, DefaultCacheBytes)
	def(&o.IdleBytes, DefaultIdleBytes)
	if o.IdleMerge == 0 {
		o.IdleMerge = DefaultIdleMerge
	}
}

// Store is a kv.Store over a Backend; see the package documentation.
type Store struct {
	be   Backend
	opts Options

	mu       sync.Mutex // guards everything below; held across a call's I/O
	closed   bool
	raw      []byte // the head as stored: what every write expects
	head     headRecord
	tables   map[string]*table
	nextID   uint32   // the id of the next table made
	memBytes int      // bytes of keys and values in the memtables
	memRefs  int      // memtable entries whose value is out of line
	rows     int      // write-ahead rows not merged into the pages (nor frozen)
	dead     []uint64 // out-of-line values nothing references once merged
	cache    cache
	idle     *time.Timer // the idle merge, rearmed by every commit
	epoch    uint64      // bumped whenever the tables are rebuilt

	// The memtables a merge writes into the pages are frozen (each
	// table's frozen) and what they account for set apart; the merge in
	// flight, if any, closes mergeDone once it ends (merge.go).
	frozen    frozenState
	merging   bool
	mergeDone chan struct{}

	arena  *arena      // the memtables' entries
	spare  *arena      // an arena reset, for the next freeze
	commit commitState // Commit's scratch, reused by every commit
	merges mergeState  // merge's scratch
}

var _ kv.Store = (*Store)(nil)

// table is one table: its pages (from the manifest) and its memtable (the
// writes of the rows not merged yet).
type table struct {
	name   string
	id     uint32 // the table's number in this Store, for Commit's cell hashes
	enc    []byte // name, encoded as a write-ahead row's ops hold it
	pages  []pageRef
	firsts []uint64  // the prefix of every page's First (pages.go)
	mem    *memtable // the writes of the rows not merged (nor frozen)
	frozen *memtable // the writes a merge is writing into the pages; nil when none
	spare  *memtable // an empty memtable, for the next freeze
}

func (s *Store) newTable(name string, pages []pageRef) *table {
	s.nextID++
	t := &table{name: name, id: s.nextID, enc: msgp.AppendString(nil, name), mem: newMemtable()}
	t.setPages(pages)
	return t
}

// memPut makes the state of key (h its keyHash) in t's memtable what a
// write left: its inline value, its value row ref, or deleted.
func (s *Store) memPut(t *table, key []byte, h uint64, value []byte, ref uint64, del bool) {
	e, added := t.mem.entry(key, h, s.arena)
	if !added {
		s.memBytes -= entrySize(e)
		if e.ref != 0 {
			s.memRefs--
		}
		e.key = key // the same bytes, newer: the older may go with its row
	}
	e.value, e.ref, e.del = value, ref, del
	s.memBytes += entrySize(e)
	if ref != 0 {
		s.memRefs++
	}
}

// Open opens the store over be (creating it when the database is empty)
// with opts.Tables. The store owns be from then on: Close closes it.
func Open(ctx context.Context, be Backend, opts Options) (*Store, error) {
	opts.defaults()
	s := &Store{be: be, opts: opts, arena: &arena{}}
	s.cache.limit = opts.CacheBytes
	if err := s.init(ctx); err != nil {
		_ = be.Close()
		return nil, err
	}
	if err := s.CreateTables(ctx, opts.Tables...); err != nil {
		_ = be.Close()
		return nil, err
	}
	return s, nil
}

// init loads the database, writing the first head and manifest into an
// empty one.
func (s *Store) init(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range maxAttempts {
		if err := s.reload(ctx); err != nil {
			return err
		}
		if s.raw != nil {
			return nil
		}
		h := headRecord{Gen: 1, Next: 1}
		raw, _ := h.MarshalMsg(nil)
		man, _ := (&manifestRecord{}).MarshalMsg(nil)
		err := s.be.Write(ctx, nil, &Write{Head: raw, Manifest: man})
		if errors.Is(err, ErrStale) {
			continue // another handle made it first
		}
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
}

// reload reads the head, the manifest and the write-ahead rows not merged,
// and brings the tables and memtables up to them.
func (s *Store) reload(ctx context.Context) error {
	snap, err := s.be.Read(ctx, Query{Log: true, After: s.head.Merged})
	if err != nil {
		return err
	}
	return s.catchUp(snap)
}

// catchUp brings the store up to snap (read with its log): while the
// manifest is the one the store has, only the rows past its head are
// applied; else the tables are rebuilt from the manifest and the rows not
// merged.
func (s *Store) catchUp(snap *Snapshot) error {
	if snap.Head == nil {
		s.raw, s.head, s.tables = nil, headRecord{}, map[string]*table{}
		s.dropMemtables()
		return nil
	}
	var h headRecord
	if _, err := h.UnmarshalMsg(snap.Head); err != nil {
		return fmt.Errorf("%w: paged: head: %v", kv.ErrCorrupt, err)
	}
	from := h.Merged // the rows to apply are those after this one
	if s.raw != nil && h.Gen == s.head.Gen {
		from = s.head.Seq
	} else {
		var m manifestRecord
		if _, err := m.UnmarshalMsg(snap.Manifest); err != nil {
			return fmt.Errorf("%w: paged: manifest: %v", kv.ErrCorrupt, err)
		}
		s.dropMemtables()
		s.tables = map[string]*table{}
		for _, t := range m.Tables {
			s.tables[t.Name] = s.newTable(t.Name, t.Pages)
		}
	}
	next := from + 1
	for _, row := range snap.WAL {
		if row.ID <= from {
			continue
		}
		if row.ID != next {
			return fmt.Errorf("%w: paged: write-ahead row %d where %d was due", kv.ErrCorrupt, row.ID, next)
		}
		next++
		var rec walRecord
		if _, err := rec.UnmarshalMsg(row.Data); err != nil {
			return fmt.Errorf("%w: paged: write-ahead row %d: %v", kv.ErrCorrupt, row.ID, err)
		}
		if err := s.apply(&rec); err != nil {
			return err
		}
	}
	if next != h.Seq+1 {
		return fmt.Errorf("%w: paged: the write-ahead log ends at %d, the head says %d", kv.ErrCorrupt, next-1, h.Seq)
	}
	s.raw, s.head = snap.Head, h
	return nil
}

// dropMemtables forgets the memtables (frozen too) and what they account
// for, before the tables are rebuilt from the manifest and the rows.
func (s *Store) dropMemtables() {
	s.epoch++ // a merge in flight gives up
	s.memBytes, s.rows, s.dead, s.memRefs = 0, 0, nil, 0
	s.arena.reset()
	// A merge may be reading the frozen entries: they are left to it (and
	// to the garbage collector), not reset.
	s.frozen = frozenState{}
}

// apply adds a committed row's writes to the memtables; the entries alias
// rec, decoded zero-copy from a row the store owns.
func (s *Store) apply(rec *walRecord) error {
	var t *table
	for i := range rec.Ops {
		op := &rec.Ops[i]
		if t == nil || t.name != op.Table {
			if t = s.tables[op.Table]; t == nil {
				return fmt.Errorf("%w: paged: a write-ahead row writes table %q, which the manifest lacks", kv.ErrCorrupt, op.Table)
			}
		}
		s.memPut(t, op.Key, keyHash(op.Key), op.Value, op.Ref, op.Del)
	}
	s.dead = append(s.dead, rec.Dead...)
	s.rows++
	return nil
}

// begin takes the lock for a call, or says why the call cannot run.
func (s *Store) begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return kv.ErrClosed
	}
	return nil
}

// tableOf is the table name, or ErrUnknownTable.
func (s *Store) tableOf(name string) (*table, error) {
	if t := s.tables[name]; t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("%w: %q", kv.ErrUnknownTable, name)
}

// fetch reads the pages and values r missed, in one backend read that also
// reads the head. It returns true when the store is current as of that
// read: the head was the store's, or (with log, which reads the rows
// written since as well) the store caught up with it. False: the head had
// moved; ask again with log.
func (s *Store) fetch(ctx context.Context, r *reader, log bool) (bool, error) {
	snap, err := s.be.Read(ctx, Query{Pages: r.missPages, Values: r.missValues, Log: log, After: s.head.Merged})
	if err != nil {
		return false, err
	}
	moved := !bytes.Equal(snap.Head, s.raw)
	if moved {
		if !log {
			return false, nil
		}
		if err := s.catchUp(snap); err != nil {
			return false, err
		}
	}
	// Under a moved head, what was asked for may have been merged away
	// (the caller looks again); under the store's own, it must be there.
	for i, id := range r.missPages {
		if snap.Pages[i] == nil {
			if !moved {
				return false, fmt.Errorf("%w: paged: page %d of the manifest is missing", kv.ErrCorrupt, id)
			}
			continue
		}
		p, err := decodePage(snap.Pages[i])
		if err != nil {
			return false, fmt.Errorf("%w: paged: page %d: %v", kv.ErrCorrupt, id, err)
		}
		s.cache.put(id, p, len(snap.Pages[i]))
		if r.pages == nil {
			r.pages = map[uint64]*page{}
		}
		r.pages[id] = p
	}
	for i, id := range r.missValues {
		if snap.Values[i] == nil {
			if !moved {
				return false, fmt.Errorf("%w: paged: value %d is missing", kv.ErrCorrupt, id)
			}
			continue
		}
		if r.values == nil {
			r.values = map[uint64][]byte{}
		}
		r.values[id] = snap.Values[i]
	}
	return true, nil
}

// view runs fn, which reads through r, until it has everything it needs
// and the head it read against is the stored one.
func (s *Store) view(ctx context.Context, fn func(r *reader) bool) error {
	r := &reader{s: s}
	checked, log := false, false
	for range maxAttempts {
		r.missPages, r.missValues = r.missPages[:0], r.missValues[:0]
		done := fn(r) && len(r.missPages) == 0 && len(r.missValues) == 0
		if done && checked {
			return nil
		}
		current, err := s.fetch(ctx, r, log)
		if err != nil {
			return err
		}
		if !current {
			// Another handle wrote: read again with what it wrote.
			log = true
			continue
		}
		checked = true
		if done && !log {
			return nil
		}
		log = false
	}
	return fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
}

// Get returns the value of key, or kv.ErrNotFound.
func (s *Store) Get(ctx context.Context, table string, key []byte) ([]byte, error) {
	return kv.GetOne(ctx, s, table, key)
}

// GetMany returns the values of keys, in order, at one point in time.
func (s *Store) GetMany(ctx context.Context, name string, keys [][]byte) ([][]byte, error) {
	for _, k := range keys {
		if err := kv.CheckKey(k); err != nil {
			return nil, err
		}
	}
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if _, err := s.tableOf(name); err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	err := s.view(ctx, func(r *reader) bool {
		t := s.tables[name] // reloaded tables are new values
		if t == nil {
			return true
		}
		done := true
		for i, k := range keys {
			v, found, ok := r.get(t, k, keyHash(k), true)
			if !ok {
				done = false
				continue
			}
			out[i] = nil
			if found {
				out[i] = append([]byte{}, v...)
			}
		}
		return done
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.tableOf(name); err != nil {
		return nil, err
	}
	return out, nil
}

// Scan returns the rows of r, in key order, at one point in time.
func (s *Store) Scan(ctx context.Context, name string, rng kv.Range) ([]kv.Pair, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if _, err := s.tableOf(name); err != nil {
		return nil, err
	}
	if rng.End != nil && bytes.Compare(rng.Start, rng.End) >= 0 {
		return nil, nil
	}
	var out []kv.Pair
	err := s.view(ctx, func(r *reader) bool {
		t := s.tables[name]
		if t == nil {
			return true
		}
		var done bool
		out, done = r.scan(t, rng)
		return done
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.tableOf(name); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateTables adds the missing tables to the manifest.
func (s *Store) CreateTables(ctx context.Context, names ...string) error {
	if slices.Contains(names, "") {
		return fmt.Errorf("%w: empty table name", kv.ErrUnknownTable)
	}
	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for range maxAttempts {
		var missing []string
		for _, n := range names {
			if s.tables[n] == nil && !slices.Contains(missing, n) {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		m := s.manifest()
		for _, n := range missing {
			m.Tables = append(m.Tables, tableRecord{Name: n})
		}
		h := s.head
		h.Gen++
		raw, _ := h.MarshalMsg(nil)
		man, _ := m.MarshalMsg(nil)
		err := s.be.Write(ctx, s.raw, &Write{Head: raw, Manifest: man})
		if errors.Is(err, ErrStale) {
			if err := s.reload(ctx); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		s.raw, s.head = raw, h
		for _, n := range missing {
			s.tables[n] = s.newTable(n, nil)
		}
	}
	return fmt.Errorf("%w: paged: the head kept moving", kv.ErrAborted)
}

// manifest is the manifest of the tables as they are.
func (s *Store) manifest() *manifestRecord {
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	// sort.Slice, not slices.Sort: slices sorting one more element type adds a
	// pdqsort family (~16 KB) to dist/idbsync.wasm (bench/size/README.md, win 4).
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	m := &manifestRecord{Tables: make([]tableRecord, len(names))}
	for i, n := range names {
		m.Tables[i] = tableRecord{Name: n, Pages: s.tables[n].pages}
	}
	return m
}

// Close closes the store and its backend; it is idempotent. It waits for
// a merge in flight, which gives up.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.idle != nil {
		s.idle.Stop()
	}
	s.waitMerge()
	s.cache = cache{}
	return s.be.Close()
}

// armIdle (re)starts the idle merge's timer after a commit.
func (s *Store) armIdle() {
	if s.opts.IdleMerge < 0 {
		return
	}
	if s.idle == nil {
		s.idle = time.AfterFunc(s.opts.IdleMerge, s.idleMerge)
		return
	}
	s.idle.Reset(s.opts.IdleMerge)
}

// idleMerge merges what the memtables hold once commits paused; a failure
// leaves it for the next merge.
func (s *Store) idleMerge() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.merging || s.memBytes+s.frozen.bytes < s.opts.IdleBytes {
		return
	}
	s.merging, s.mergeDone = true, make(chan struct{})
	_ = s.merge(context.Background(), true)
	s.endMerge()
}

// Info is what a Store tells of its layout, for stats and tests.
type Info struct {
	Pages    int    // pages in the manifest, every table
	Unmerged int    // write-ahead rows not merged into the pages yet
	MemBytes int    // bytes of the memtables
	Gen      uint64 // manifest changes so far (merges, new tables), by every handle
}

// Info returns the store's Info as of its last read of the database.
func (s *Store) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{Unmerged: s.rows + s.frozen.rows, MemBytes: s.memBytes + s.frozen.bytes, Gen: s.head.Gen}
	for _, t := range s.tables {
		in.Pages += len(t.pages)
	}
	return in
}
