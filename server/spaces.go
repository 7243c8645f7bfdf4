//go:build !js

package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/oplog"
)

// validSpace is what a space name may be: it becomes a table prefix.
var validSpace = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// space is one space's engine and the table of who owns which peer.
type space struct {
	name   string
	engine *engine.Engine
	store  kv.Store
	owners string // table: peer id → the user whose push first carried it
}

// spaces opens each space's engine on first use, over one store.
type spaces struct {
	cfg    Config
	mu     sync.Mutex
	m      map[string]*space
	closed bool
}

// prefix is the table prefix of a space.
func prefix(name string) string { return "s/" + name }

// get returns the open space name, opening it if needed.
func (ss *spaces) get(ctx context.Context, name string) (*space, error) {
	if !validSpace.MatchString(name) {
		return nil, fmt.Errorf("%w: space %q: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", errcode.ErrInvalidArgument, name)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return nil, fmt.Errorf("%w: the server is shutting down", errcode.ErrUnavailable)
	}
	if s, ok := ss.m[name]; ok {
		return s, nil
	}
	p := prefix(name)
	owners := p + "/owners"
	if err := ss.cfg.Store.CreateTables(ctx, append(engine.Tables(p), owners)...); err != nil {
		return nil, err
	}
	var blobs changelog.BlobStore
	if ss.cfg.Blobs != nil {
		var err error
		if blobs, err = ss.cfg.Blobs(ctx, name); err != nil {
			return nil, err
		}
	}
	e, err := engine.Open(ctx, engine.Options{
		Store: ss.cfg.Store, Blobs: blobs, Prefix: p, Name: name, Now: ss.cfg.Now,
		Interval: ss.cfg.Interval, BlobHook: ss.cfg.BlobHook, BlobGrace: ss.cfg.BlobGrace,
	})
	if err != nil {
		return nil, err
	}
	s := &space{name: name, engine: e, store: ss.cfg.Store, owners: owners}
	go s.sweep(ss.cfg.BlobSweep, ss.cfg.Log)
	if ss.m == nil {
		ss.m = make(map[string]*space)
	}
	ss.m[name] = s
	return s, nil
}

// sweep collects the space's unreferenced blobs every interval until its
// engine closes.
func (s *space) sweep(interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for range t.C {
		n, err := s.engine.SweepBlobs(context.Background())
		if errors.Is(err, engine.ErrClosed) {
			return
		}
		if err != nil {
			log.Warn("blob sweep failed", "space", s.name, "err", err)
		} else if n > 0 {
			log.Info("blob sweep", "space", s.name, "deleted", n)
		}
	}
}

// close closes every space's engine; later gets fail.
func (ss *spaces) close() error {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.closed = true
	var errs []error
	for _, s := range ss.m {
		errs = append(errs, s.engine.Close())
	}
	clear(ss.m)
	return errors.Join(errs...)
}

// apply ingests a batch user pushed: every entry is stamped with user (one
// claiming another user is refused), and every peer it carries must be
// user's: the first push of a peer makes it so. Nothing is applied when
// anything is refused.
func (s *space) apply(ctx context.Context, user uuid.UUID, batch []byte) (oplog.BatchResult, error) {
	entries, err := oplog.DecodeBatch(batch)
	if err != nil {
		return oplog.BatchResult{}, err
	}
	var peers []uuid.UUID
	seen := make(map[uuid.UUID]bool)
	for i := range entries {
		e := &entries[i]
		if !seen[e.Peer] {
			seen[e.Peer] = true
			peers = append(peers, e.Peer)
		}
		if e.Expunged() {
			continue
		}
		if e.User != uuid.Nil && e.User != user {
			return oplog.BatchResult{}, fmt.Errorf("%w: entry %s/%d claims user %s, the token is %s's", errcode.ErrPermissionDenied, e.Peer, e.Idx, e.User, user)
		}
		e.User = user
	}
	if err := s.claim(ctx, user, peers); err != nil {
		return oplog.BatchResult{}, err
	}
	return s.engine.ApplyAttested(ctx, oplog.EncodeBatch(entries))
}

// claim makes sure every peer belongs to user, recording the ones no one
// has pushed yet as user's. Of two users first pushing one peer at once,
// one wins; the other is refused.
func (s *space) claim(ctx context.Context, user uuid.UUID, peers []uuid.UUID) error {
	keys := make([][]byte, len(peers))
	for i, p := range peers {
		keys[i] = p[:]
	}
	for range 2 {
		got, err := s.store.GetMany(ctx, s.owners, keys)
		if err != nil {
			return err
		}
		var b kv.Batch
		for i, v := range got {
			switch {
			case v == nil:
				b.Insert(s.owners, keys[i], user[:])
			case len(v) != 16:
				return fmt.Errorf("%w: owner of peer %s", kv.ErrCorrupt, peers[i])
			case uuid.UUID(v) != user:
				return fmt.Errorf("%w: peer %s belongs to another user", errcode.ErrPermissionDenied, peers[i])
			}
		}
		err = s.store.Commit(ctx, &b)
		if !errors.Is(err, kv.ErrUniqueViolation) {
			return err
		}
		// Another push claimed one of them meanwhile: read who won.
	}
	return fmt.Errorf("%w: claiming the peers of a push", kv.ErrConflict)
}
