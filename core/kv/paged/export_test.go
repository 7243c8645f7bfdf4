package paged

import "maps"

// Dump is what a Memory holds, for the golden tests: every record as
// stored.
type Dump struct {
	Head     []byte            `json:"head"`
	Manifest []byte            `json:"manifest"`
	WAL      map[uint64][]byte `json:"wal"`
	Pages    map[uint64][]byte `json:"pages"`
	Values   map[uint64][]byte `json:"values"`
}

// Dump copies what m holds.
func (m *Memory) Dump() Dump {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Dump{Head: m.head, Manifest: m.manifest, WAL: maps.Clone(m.wal), Pages: maps.Clone(m.pages), Values: maps.Clone(m.values)}
}

// MemoryOf is a database holding d.
func MemoryOf(d Dump) *Memory {
	m := NewMemory()
	m.head, m.manifest = d.Head, d.Manifest
	maps.Copy(m.wal, d.WAL)
	maps.Copy(m.pages, d.Pages)
	maps.Copy(m.values, d.Values)
	return m
}

// Settle waits for the merge in flight, if any.
func (s *Store) Settle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waitMerge()
}
