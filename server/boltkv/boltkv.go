//go:build !js

// Package boltkv is a kv.Store in one bbolt file: the sync server's embedded
// default store, nothing to install, one process.
//
// Each table is a top-level bbolt bucket; keys and values are stored as
// given, and bbolt orders keys bytewise, as the kv contract needs. A Commit
// is one bbolt read-write transaction, so batches are serialized (bbolt has
// one writer at a time) and all or nothing; reads run in read-only
// transactions, concurrently with each other and with the writer.
//
// Limits:
//   - One process per file. bbolt holds an exclusive lock (flock) on the
//     file while it is open; Open in a second process waits up to
//     Options.Timeout for it, then fails with kv.ErrBlocked. Servers that
//     must share a database across processes use PostgreSQL (server/pgkv).
//   - Within a process, every Open of one path shares one bbolt database
//     (see Open), so several handles see each other's commits at once.
//   - One writer at a time: commits do not run in parallel, and each one
//     waits for its fsync unless Options.NoSync is set.
//   - Values are at most bbolt's MaxValueSize (about 2 GiB), and a
//     transaction holds its whole batch in memory.
package boltkv

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"go.etcd.io/bbolt"

	"github.com/idbsync/idbsync/core/kv"
)

// DefaultTimeout is how long Open waits for another process to release the
// file when Options.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Options configure Open. The zero value is ready to use.
type Options struct {
	// Tables are created at open where missing; tables already in the file
	// are known too, whatever this lists.
	Tables []string
	// Timeout is how long Open waits for the file lock that another process
	// holds before failing with kv.ErrBlocked. Zero means DefaultTimeout;
	// a negative value fails at once.
	Timeout time.Duration
	// NoSync skips the fsync at the end of every commit. A commit then
	// survives the process crashing (it is in the operating system's
	// cache) but not the machine crashing or losing power, which may lose
	// recent commits or corrupt the file. Without it, a nil Commit is on disk.
	NoSync bool
	// Mode is the permission of a file that Open creates; zero means 0600.
	Mode os.FileMode
}

// Store is a handle on a bbolt file. Handles opened on one path in one
// process share the file; each has its own Close.
type Store struct {
	f *file
	// mu is read-held by every call and write-held by Close, so Close
	// waits for this handle's calls in flight and later calls see closed.
	mu     sync.RWMutex
	closed bool
}

var _ kv.Store = (*Store)(nil)

// Open opens the bbolt file at path, creating it (but not its directory)
// if missing, and creates opts.Tables in it.
//
// Opening a path that this process already has open returns a new handle
// on the same database rather than opening the file again (bbolt's lock
// would make a second open of the file wait for the first): the handles
// see one another's commits, and the file closes when the last handle
// does. The first Open of a path decides its Timeout, NoSync and Mode;
// later ones share them.
func Open(path string, opts Options) (*Store, error) {
	for _, name := range opts.Tables {
		if name == "" {
			return nil, fmt.Errorf("boltkv: open %s: %w: empty table name", path, kv.ErrUnknownTable)
		}
	}
	f, err := acquire(path, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{f: f}
	if len(opts.Tables) > 0 {
		if err := s.CreateTables(context.Background(), opts.Tables...); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("boltkv: open %s: %w", path, err)
		}
	}
	return s, nil
}

// Path returns the absolute path of the file.
func (s *Store) Path() string { return s.f.path }

// Close closes this handle, after the calls in flight on it finish; the
// file closes with the last handle on it. Idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return release(s.f)
}

// CreateTables creates the named tables that do not exist yet, in one
// transaction.
func (s *Store) CreateTables(ctx context.Context, names ...string) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	for _, name := range names {
		if name == "" {
			return fmt.Errorf("%w: empty table name", kv.ErrUnknownTable)
		}
	}
	return update(s.f.db, func(tx *bbolt.Tx) error {
		for _, name := range names {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("boltkv: create table %q: %w", name, mapErr(err))
			}
		}
		return nil
	})
}

// begin read-locks the handle for one call and checks that it is open and
// ctx alive; on success the caller must RUnlock.
func (s *Store) begin(ctx context.Context) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return kv.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		s.mu.RUnlock()
		return err
	}
	return nil
}
