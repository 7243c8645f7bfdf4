package changelog

import (
	"context"
	"sync"
	"time"
)

// Memory is a Log in memory, for tests: durable for the life of the
// value, with no instances.
type Memory struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[ID]Change
}

var (
	_ Log           = (*Memory)(nil)
	_ PendingLister = (*Memory)(nil)
)

// NewMemory returns an empty log reading time from now (time.Now when nil).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, entries: make(map[ID]Change)}
}

// Record implements Log.
func (m *Memory) Record(_ context.Context, id ID, c Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[id] = c
	return nil
}

// Remove implements Log.
func (m *Memory) Remove(_ context.Context, id ID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, id)
	return nil
}

// Scan implements Log.
func (m *Memory) Scan(context.Context) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var out []Entry
	for id, c := range m.entries {
		if !c.CleanupAfter.After(now) {
			out = append(out, Entry{ID: id, Change: c})
		}
	}
	return out, nil
}

// Pending returns every entry, due or not.
func (m *Memory) Pending(context.Context) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Entry, 0, len(m.entries))
	for id, c := range m.entries {
		out = append(out, Entry{ID: id, Change: c})
	}
	return out, nil
}

// Len returns the number of entries, due or not.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}
