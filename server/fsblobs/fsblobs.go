//go:build !js

// Package fsblobs is a changelog.BlobStore over a folder, the server's
// default blob tier: one file per revision, named by the revision's uuid, in
// a subfolder named by its first two hex digits.
//
// A Put writes a temporary file beside the final one (<uuid>.tmp-<random>),
// fsyncs it, renames it to <uuid> and fsyncs the subfolder, so a crash leaves
// nothing, a temporary file or the complete blob, never a partial file under
// the final name. A temporary file is a partial blob: Revisions lists it
// under its revision, Get reports it absent, Delete removes it, so
// changelog.Manager.Sweep collects what a killed Put left.
//
// Every path is built from a revision's uuid string (hex digits and dashes)
// and opened through an os.Root, so nothing is read or written outside the
// folder, not even through a symbolic link planted in it.
package fsblobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/changelog"
)

// tmpMark separates a revision from the random tail of its temporary file.
const tmpMark = ".tmp-"

// Store is the blob tier in one folder. It is safe for concurrent use, by
// several Stores over the same folder too (in one process or several).
type Store struct {
	mu   sync.RWMutex // guards root against Close
	root *os.Root
	dir  string
}

var (
	_ changelog.BlobStore      = (*Store)(nil)
	_ changelog.RevisionLister = (*Store)(nil)
)

// Open returns the store in dir, creating the folder and its 256
// subfolders if they are missing. Close releases it.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("fsblobs: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("fsblobs: %w", err)
	}
	// The subfolders are made here, then the folder fsynced once, so that
	// a Put never returns before the subfolder it wrote in is durable (one
	// that made it lazily could race another Put that found it made).
	made := false
	for i := range 256 {
		err := root.Mkdir(fmt.Sprintf("%02x", i), 0o755)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, errors.Join(fmt.Errorf("fsblobs: %w", err), root.Close())
		}
		made = made || err == nil
	}
	if made {
		if err := syncDir(root, "."); err != nil {
			return nil, errors.Join(fmt.Errorf("fsblobs: %w", err), root.Close())
		}
	}
	return &Store{root: root, dir: dir}, nil
}

// Dir returns the folder the store was opened on.
func (s *Store) Dir() string { return s.dir }

// Close releases the folder; later calls return ErrClosed. Closing twice is
// fine.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.root == nil {
		return nil
	}
	err := s.root.Close()
	s.root = nil
	return err
}

// use runs fn with the open root, or returns ErrClosed.
func (s *Store) use(ctx context.Context, fn func(root *os.Root) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.root == nil {
		return ErrClosed
	}
	return fn(s.root)
}

// sub is the subfolder of rev: its first two hex digits.
func sub(rev changelog.Revision) string { return rev.String()[:2] }

// name is the path of rev's complete blob, relative to the folder.
func name(rev changelog.Revision) string { return sub(rev) + "/" + rev.String() }

// Put implements changelog.BlobStore: a temporary file, fsynced, renamed to
// the revision's name, then the subfolder fsynced. A Put that fails removes
// its temporary file; one that is killed leaves it for Delete.
func (s *Store) Put(ctx context.Context, rev changelog.Revision, data []byte) error {
	return s.use(ctx, func(root *os.Root) error {
		if err := s.mkSub(root, sub(rev)); err != nil {
			return err
		}
		tmp, err := tmpName(rev)
		if err != nil {
			return err
		}
		if err := writeSynced(root, tmp, data); err != nil {
			return errors.Join(fmt.Errorf("fsblobs: put %s: %w", rev, err), ignoreMissing(root.Remove(tmp)))
		}
		if err := root.Rename(tmp, name(rev)); err != nil {
			return errors.Join(fmt.Errorf("fsblobs: put %s: %w", rev, err), ignoreMissing(root.Remove(tmp)))
		}
		if err := syncDir(root, sub(rev)); err != nil {
			return fmt.Errorf("fsblobs: put %s: %w", rev, err)
		}
		return nil
	})
}

// mkSub creates the subfolder d if it was removed after Open, fsyncing
// the folder so that the subfolder outlives a crash.
func (s *Store) mkSub(root *os.Root, d string) error {
	err := root.Mkdir(d, 0o755)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fsblobs: %w", err)
	}
	return syncDir(root, ".")
}

// tmpName is a fresh temporary path for rev, relative to the folder.
func tmpName(rev changelog.Revision) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("fsblobs: %w", err)
	}
	return name(rev) + tmpMark + hex.EncodeToString(b[:]), nil
}

// writeSynced creates the file p (which must not exist), writes data and
// fsyncs it.
func writeSynced(root *os.Root, p string, data []byte) error {
	f, err := root.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// syncDir fsyncs the folder d, so that the entries created, renamed or
// removed in it are durable.
func syncDir(root *os.Root, d string) error {
	f, err := root.Open(d)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// ignoreMissing is err, or nil when err says the file is not there.
func ignoreMissing(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Get implements changelog.BlobStore; a temporary file is not the blob, so
// a revision with only that is changelog.ErrNotFound.
func (s *Store) Get(ctx context.Context, rev changelog.Revision) ([]byte, error) {
	var out []byte
	err := s.use(ctx, func(root *os.Root) error {
		b, err := root.ReadFile(name(rev))
		if errors.Is(err, fs.ErrNotExist) {
			return changelog.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("fsblobs: get %s: %w", rev, err)
		}
		if b == nil {
			b = []byte{} // an empty blob is present
		}
		out = b
		return nil
	})
	return out, err
}

// Delete implements changelog.BlobStore: the blob, then every temporary
// file of rev, then the subfolder fsynced.
func (s *Store) Delete(ctx context.Context, rev changelog.Revision) error {
	return s.use(ctx, func(root *os.Root) error {
		if err := root.Remove(name(rev)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("fsblobs: delete %s: %w", rev, err)
		}
		entries, err := readDir(root, sub(rev))
		if err != nil {
			return fmt.Errorf("fsblobs: delete %s: %w", rev, err)
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), rev.String()+tmpMark) {
				continue
			}
			if err := ignoreMissing(root.Remove(sub(rev) + "/" + e.Name())); err != nil {
				return fmt.Errorf("fsblobs: delete %s: %w", rev, err)
			}
		}
		if entries == nil {
			return nil // no subfolder: nothing was there
		}
		if err := syncDir(root, sub(rev)); err != nil {
			return fmt.Errorf("fsblobs: delete %s: %w", rev, err)
		}
		return nil
	})
}

// readDir lists the folder d; a missing folder is empty (nil).
func readDir(root *os.Root, d string) ([]fs.DirEntry, error) {
	f, err := root.Open(d)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	if entries == nil {
		entries = []fs.DirEntry{}
	}
	return entries, nil
}

// Revisions implements changelog.RevisionLister: every revision with a
// complete blob or a temporary file, once. Files whose names are not a
// revision's are ignored.
func (s *Store) Revisions(ctx context.Context) ([]changelog.Revision, error) {
	var out []changelog.Revision
	err := s.use(ctx, func(root *os.Root) error {
		subs, err := readDir(root, ".")
		if err != nil {
			return fmt.Errorf("fsblobs: revisions: %w", err)
		}
		seen := make(map[changelog.Revision]bool)
		for _, d := range subs {
			if !d.IsDir() || !isSub(d.Name()) {
				continue
			}
			entries, err := readDir(root, d.Name())
			if err != nil {
				return fmt.Errorf("fsblobs: revisions: %w", err)
			}
			for _, e := range entries {
				rev, ok := parseName(d.Name(), e.Name())
				if ok && !seen[rev] {
					seen[rev] = true
					out = append(out, rev)
				}
			}
		}
		return nil
	})
	return out, err
}

// isSub reports whether n names a subfolder: two lowercase hex digits.
func isSub(n string) bool {
	if len(n) != 2 {
		return false
	}
	_, err := hex.DecodeString(n)
	return err == nil && strings.ToLower(n) == n
}

// parseName returns the revision of the file n in subfolder d: a blob
// (<uuid>) or a temporary file (<uuid>.tmp-...), in the subfolder it
// belongs to.
func parseName(d, n string) (changelog.Revision, bool) {
	const l = 36 // len of a uuid string
	if len(n) < l || (len(n) > l && !strings.HasPrefix(n[l:], tmpMark)) {
		return changelog.Revision{}, false
	}
	id, err := uuid.Parse(n[:l])
	if err != nil {
		return changelog.Revision{}, false
	}
	rev := changelog.Revision(id)
	if rev.String() != n[:l] || sub(rev) != d {
		return changelog.Revision{}, false // not a name Put makes
	}
	return rev, true
}
