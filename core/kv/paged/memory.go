package paged

import (
	"bytes"
	"context"
	"slices"
	"sync"

	"github.com/idbsync/idbsync/core/kv"
)

// Memory is a database in memory that any number of Backend handles share,
// with the atomicity IndexedDB gives: what tests use in place of it.
type Memory struct {
	mu       sync.Mutex
	head     []byte
	manifest []byte
	wal      map[uint64][]byte
	pages    map[uint64][]byte
	values   map[uint64][]byte
	writes   int
}

// NewMemory returns an empty database.
func NewMemory() *Memory {
	return &Memory{wal: map[uint64][]byte{}, pages: map[uint64][]byte{}, values: map[uint64][]byte{}}
}

// Handle returns a new Backend handle on m.
func (m *Memory) Handle() Backend { return &memHandle{m: m} }

// Counts returns how many write-ahead rows, pages and values m holds, and
// how many writes it took, for tests.
func (m *Memory) Counts() (wal, pages, values, writes int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.wal), len(m.pages), len(m.values), m.writes
}

type memHandle struct {
	m      *Memory
	mu     sync.Mutex
	closed bool
}

func (h *memHandle) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return kv.ErrClosed
	}
	return nil
}

func (h *memHandle) Read(ctx context.Context, q Query) (*Snapshot, error) {
	if err := h.check(ctx); err != nil {
		return nil, err
	}
	m := h.m
	m.mu.Lock()
	defer m.mu.Unlock()
	snap := &Snapshot{Head: bytes.Clone(m.head), Pages: make([][]byte, len(q.Pages)), Values: make([][]byte, len(q.Values))}
	for i, id := range q.Pages {
		snap.Pages[i] = bytes.Clone(m.pages[id])
	}
	for i, id := range q.Values {
		snap.Values[i] = bytes.Clone(m.values[id])
	}
	if q.Log {
		snap.Manifest = bytes.Clone(m.manifest)
		for id, data := range m.wal {
			if id > q.After {
				snap.WAL = append(snap.WAL, Row{ID: id, Data: bytes.Clone(data)})
			}
		}
		slices.SortFunc(snap.WAL, func(a, b Row) int { return compare(a.ID, b.ID) })
	}
	return snap, nil
}

func (h *memHandle) Write(ctx context.Context, expect []byte, w *Write) error {
	if err := h.check(ctx); err != nil {
		return err
	}
	m := h.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if !bytes.Equal(m.head, expect) || (m.head == nil) != (expect == nil) {
		return ErrStale
	}
	m.writes++
	m.head = bytes.Clone(w.Head)
	if w.Manifest != nil {
		m.manifest = bytes.Clone(w.Manifest)
	}
	for _, r := range w.WAL {
		m.wal[r.ID] = bytes.Clone(r.Data)
	}
	if w.DropWAL > 0 {
		for id := range m.wal {
			if id <= w.DropWAL {
				delete(m.wal, id)
			}
		}
	}
	for _, r := range w.Pages {
		m.pages[r.ID] = bytes.Clone(r.Data)
	}
	for _, id := range w.DropPages {
		delete(m.pages, id)
	}
	for _, r := range w.Values {
		m.values[r.ID] = bytes.Clone(r.Data)
	}
	for _, id := range w.DropValues {
		delete(m.values, id)
	}
	return nil
}

func (h *memHandle) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	return nil
}

func compare(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
