//go:build !js

// Package pgkv is a kv.Store over PostgreSQL, for when one machine is not
// enough: any number of server processes over one database, every batch
// atomic against every other process's, as the kv contract asks of stores
// shared between tabs.
//
// # Layout
//
// A store is a namespace: one PostgreSQL schema (Options.Namespace, quoted,
// so any name of up to 63 bytes is safe) holding three tables:
//
//	meta    (name text primary key, value text)      -- 'version' = '1'
//	catalog (id int identity primary key, name text unique)  -- the kv tables
//	kv      (t int, k bytea, v bytea not null, primary key (t, k))
//
// A kv table is a row of catalog, so CreateTables is an insert, not DDL;
// its rows are the rows of kv with its id. bytea compares bytewise, as the
// contract wants, so a Scan is an index range scan of (t, k). PostgreSQL
// cannot index an entry over about 2,700 bytes: a key that long that does
// not compress fails with ErrInvalidKey, below kv.MaxKeySize.
//
// # Isolation and locking
//
// A Commit is one READ COMMITTED transaction in two round trips. The first
// locks every key whose first op in the batch reads it (Expect,
// ExpectAbsent, Insert, Merge): it inserts a placeholder row for each
// (INSERT ... ON CONFLICT DO NOTHING), which holds an absent key,
// since any other transaction's insert of it waits on the unique index for
// this one to end; then it locks the rows that were there (SELECT ... FOR
// UPDATE, which, under READ COMMITTED, waits for a concurrent writer and
// reads its committed value). From then until COMMIT no other transaction
// can change what the batch checked: present keys are row-locked, absent
// ones are taken. The batch is then played in Go against those values,
// exactly as memkv plays it; a failed check rolls back. The second round
// trip writes the result (upserts, deletes, placeholders removed) and
// commits. A placeholder holds the value the batch leaves when that is
// known without a read (no Merge), so an Insert's row is written once; keys
// whose first op is a Put or Delete are not read or locked at all. Either
// way a batch costs a few statements per table, not one per op.
//
// Why not SERIALIZABLE: its predicate locks escalate to the whole relation
// past a few dozen reads, so two processes ingesting 500-entry batches into
// different spaces would abort each other. Locks conflict only on the keys
// two batches share. Locks are taken in (table, key) order, but a batch's
// blind writes come after its checks, so two batches that check what the
// other writes can still deadlock; PostgreSQL aborts one after its
// deadlock_timeout (1 s by default), and Commit runs it again from the start
// (so a MergeFunc may run more than once). After a few attempts it reports
// ErrConflict.
//
// Sessions plan every statement afresh (plan_cache_mode=force_custom_plan,
// unless the URL sets it): a generic plan cached while a namespace is new
// would keep scanning the whole table once it is large.
//
// Once COMMIT is sent, a lost connection does not make the outcome
// unknown: the first round trip read the transaction's id, and Commit asks
// a fresh connection for its status (ending the old session if it is
// still in progress), so it reports nil exactly when the batch was applied.
// Only if PostgreSQL stays unreachable for a while does it give up with an
// error wrapping kv.ErrAborted that says the outcome is unknown.
//
// Reads are single statements, so each (a GetMany, a Scan) reads one
// snapshot of committed data. A lost connection is kv.ErrAborted (the
// server answers UNAVAILABLE); a read, or a commit that has not yet sent
// COMMIT, is tried once more on a fresh connection first, so a restart of
// PostgreSQL costs the calls in flight, not every idle connection.
package pgkv

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/idbsync/idbsync/core/kv"
)

// Version is the layout this build writes; Open refuses a newer one.
const Version = 1

// DefaultNamespace is the schema of a store whose Options name none.
const DefaultNamespace = "idbsync"

// Options configures Open. The zero value is usable.
type Options struct {
	// Namespace is the PostgreSQL schema of the store, created on first
	// open. Any name of 1 to 63 bytes (PostgreSQL's limit, which would
	// otherwise truncate it silently); it is quoted, so case and punctuation
	// are kept. Empty means DefaultNamespace.
	Namespace string

	// Tables are made sure to exist at open, as CreateTables would.
	Tables []string

	// MaxConns bounds the connections the store holds; zero means
	// max(4, GOMAXPROCS).
	MaxConns int
}

// Store is a kv.Store over one namespace of a PostgreSQL database. Any
// number of Stores, in any number of processes, may share a namespace.
type Store struct {
	ns     string // the namespace, unquoted
	pool   *pool
	q      queries
	closed atomic.Bool

	mu     sync.RWMutex
	tables map[string]int32 // catalog: kv table name -> id
}

var _ kv.Store = (*Store)(nil)

// Open connects to the database at url (a PostgreSQL URL or key=value
// string, as pgx parses it), creates the namespace's schema if needed, and
// returns the store. It fails with an error wrapping kv.ErrAborted when the
// database cannot be reached, and kv.ErrVersion when the namespace was
// written by a newer layout.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	ns := opts.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	if len(ns) > 63 || !utf8.ValidString(ns) || strings.IndexByte(ns, 0) >= 0 {
		return nil, fmt.Errorf("pgkv: namespace %q: want 1 to 63 bytes of UTF-8 without NUL", ns)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgkv: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "idbsync"
	}
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		// NB: a generic plan made while a namespace is new (a few rows, no
		// statistics yet) scans the whole table, and stays cached on the
		// connection as the table grows; planning each statement anew
		// costs far less than that.
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	max := opts.MaxConns
	if max <= 0 {
		max = runtime.GOMAXPROCS(0)
		if max < 4 {
			max = 4
		}
	}
	s := &Store{ns: ns, pool: newPool(cfg, max), q: newQueries(pgx.Identifier{ns}.Sanitize())}
	if err := s.setup(ctx); err != nil {
		s.pool.close()
		return nil, err
	}
	if err := s.CreateTables(ctx, opts.Tables...); err != nil {
		s.pool.close()
		return nil, err
	}
	return s, nil
}

// Namespace returns the schema the store lives in.
func (s *Store) Namespace() string { return s.ns }

// setup creates the schema, under an advisory lock so that processes
// opening a new namespace at once do not race on DDL, and checks the
// version.
func (s *Store) setup(ctx context.Context) error {
	return s.withConn(ctx, func(c *pgx.Conn) error {
		var exists bool
		if err := c.QueryRow(ctx, `select to_regclass($1) is not null`, s.q.schema+".meta").Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(hashtextextended($1, 0))`, "idbsync/pgkv/"+s.ns); err != nil {
					return err
				}
				for _, ddl := range s.q.ddl {
					if _, err := tx.Exec(ctx, ddl); err != nil {
						return err
					}
				}
				_, err := tx.Exec(ctx, s.q.setVersion, strconv.Itoa(Version))
				return err
			}); err != nil {
				return err
			}
		}
		var v string
		if err := c.QueryRow(ctx, s.q.getVersion).Scan(&v); err != nil {
			return err
		}
		if n, err := strconv.Atoi(v); err != nil || n > Version {
			return fmt.Errorf("%w: namespace %q has layout %q, this build knows %d", kv.ErrVersion, s.ns, v, Version)
		}
		return s.loadCatalog(ctx, c)
	})
}

// CreateTables adds the named tables that do not exist yet: rows of the
// catalog, visible to every store on the namespace at once.
func (s *Store) CreateTables(ctx context.Context, names ...string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	var missing []string
	s.mu.RLock()
	for _, name := range names {
		if name == "" {
			s.mu.RUnlock()
			return fmt.Errorf("%w: empty table name", kv.ErrUnknownTable)
		}
		if _, ok := s.tables[name]; !ok {
			missing = append(missing, name)
		}
	}
	s.mu.RUnlock()
	if len(missing) == 0 {
		return nil
	}
	return s.withConn(ctx, func(c *pgx.Conn) error {
		if _, err := c.Exec(ctx, s.q.createTables, missing); err != nil {
			return err
		}
		return s.loadCatalog(ctx, c)
	})
}

// loadCatalog reads every table of the namespace into the cache.
func (s *Store) loadCatalog(ctx context.Context, c *pgx.Conn) error {
	rows, err := c.Query(ctx, s.q.catalog)
	if err != nil {
		return err
	}
	tables := make(map[string]int32)
	var id int32
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		tables[name] = id
		return nil
	}); err != nil {
		return err
	}
	s.mu.Lock()
	s.tables = tables
	s.mu.Unlock()
	return nil
}

// tableID returns the id of a table, reading the catalog again when the
// cache does not know it (another process may have created it).
func (s *Store) tableID(ctx context.Context, name string) (int32, error) {
	s.mu.RLock()
	id, ok := s.tables[name]
	s.mu.RUnlock()
	if ok {
		return id, nil
	}
	if name != "" {
		if err := s.withConn(ctx, func(c *pgx.Conn) error { return s.loadCatalog(ctx, c) }); err != nil {
			return 0, err
		}
		s.mu.RLock()
		id, ok = s.tables[name]
		s.mu.RUnlock()
		if ok {
			return id, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", kv.ErrUnknownTable, name)
}

// Close closes the store's connections once the calls in flight have
// finished. The data stays for other stores. Idempotent.
func (s *Store) Close() error {
	s.closed.Store(true)
	s.pool.close()
	return nil
}

func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return kv.ErrClosed
	}
	return ctx.Err()
}

// withConn runs fn on a connection and maps its error. fn must be safe to
// run twice: when a reused connection turns out broken (the server
// restarted since it was last used), fn runs again on a fresh one.
func (s *Store) withConn(ctx context.Context, fn func(c *pgx.Conn) error) error {
	for attempt := 0; ; attempt++ {
		c, reused, err := s.pool.acquire(ctx)
		if err != nil {
			return mapError(ctx, err)
		}
		err = fn(c)
		if err == nil || !broken(c, err) {
			s.pool.release(c)
			return mapError(ctx, err)
		}
		s.pool.discard(c)
		if !reused || attempt > 0 || ctx.Err() != nil {
			return mapError(ctx, err)
		}
	}
}
