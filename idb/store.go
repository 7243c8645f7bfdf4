//go:build js && wasm

package idb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/idbsync/idbsync/core/kv"
)

// Durability is the durability hint every batch's transaction is opened with.
type Durability string

// The durability modes; see the package documentation.
const (
	Strict  Durability = "strict"
	Relaxed Durability = "relaxed"
)

// DefaultBlockedTimeout is how long Open waits for an upgrade that other
// connections block before it gives up with kv.ErrBlocked.
const DefaultBlockedTimeout = 5 * time.Second

// Options configure Open. The zero value opens with no tables, strict
// durability and the default blocked timeout.
type Options struct {
	// Tables are created, if missing, by the open itself.
	Tables []string
	// Durability of every batch; empty means Strict.
	Durability Durability
	// BlockedTimeout bounds the wait for an upgrade blocked by another
	// connection; zero means DefaultBlockedTimeout.
	BlockedTimeout time.Duration
	// OnLost, when set, is called once, in a goroutine of its own, when the
	// browser takes the connection away (a newer tab's upgrade, storage
	// cleared) with the error later calls answer (kv.ErrClosed).
	OnLost func(err error)
}

// Store is a kv.Store over one IndexedDB database.
type Store struct {
	name       string
	durability Durability
	blocked    time.Duration
	onLost     func(error)

	mu     sync.RWMutex // guards c and closed; held for writing only to swap connections
	c      *connection
	closed bool
}

var _ kv.Store = (*Store)(nil)

// Open opens (creating if needed) the database name with opts.Tables.
func Open(ctx context.Context, name string, opts Options) (*Store, error) {
	s := &Store{name: name, blocked: opts.BlockedTimeout, onLost: opts.OnLost}
	switch opts.Durability {
	case "", Strict:
		s.durability = Strict
	case Relaxed:
		s.durability = Relaxed
	default:
		return nil, fmt.Errorf("idb: unknown durability %q (want %q or %q)", opts.Durability, Strict, Relaxed)
	}
	if s.blocked <= 0 {
		s.blocked = DefaultBlockedTimeout
	}
	c, err := s.open(ctx, 0, opts.Tables)
	if err != nil {
		return nil, err
	}
	s.c = c
	if err := s.createTables(ctx, opts.Tables); err != nil {
		c.close()
		return nil, err
	}
	return s, nil
}

// Name returns the database name.
func (s *Store) Name() string { return s.name }

// CreateTables creates the missing tables with a version upgrade.
func (s *Store) CreateTables(ctx context.Context, names ...string) error {
	if slices.Contains(names, "") {
		return fmt.Errorf("%w: empty table name", kv.ErrUnknownTable)
	}
	return s.createTables(ctx, names)
}

func (s *Store) createTables(ctx context.Context, names []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return kv.ErrClosed
	}
	if err := s.c.err(); err != nil {
		return err
	}
	for len(s.c.missing(names)) > 0 {
		version := s.c.version()
		// Transactions already running on the old connection finish first;
		// the upgrade waits for them.
		s.c.close()
		c, err := s.open(ctx, version+1, names)
		if errors.Is(err, kv.ErrVersion) {
			// Another connection upgraded first: reconnect and look again.
			c, err = s.open(ctx, 0, nil)
		}
		if err != nil {
			s.closed = true
			return err
		}
		s.c = c
	}
	return nil
}

// Close closes the connection; transactions already running finish first.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.c.close()
	return nil
}

// conn returns the open connection if it has every table, or the reason
// it cannot be used.
func (s *Store) conn(ctx context.Context, tables ...string) (*connection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, kv.ErrClosed
	}
	if err := s.c.err(); err != nil {
		return nil, err
	}
	if m := s.c.missing(tables); len(m) > 0 {
		return nil, fmt.Errorf("%w: %q", kv.ErrUnknownTable, m[0])
	}
	return s.c, nil
}
