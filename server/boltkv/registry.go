//go:build !js

package boltkv

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"go.etcd.io/bbolt"
)

// file is one open bbolt database and the handles on it in this process.
type file struct {
	path  string
	ready chan struct{} // closed once db or err is set
	db    *bbolt.DB
	err   error
	refs  int // guarded by registry.mu
}

// registry maps the absolute path of every file this process has open to
// its database: bbolt's flock is per open file, so a second bbolt.Open of
// the same file in one process would wait for the first to close.
var registry = struct {
	mu    sync.Mutex
	files map[string]*file
}{files: make(map[string]*file)}

// acquire returns the open database of path, opening it if no handle has
// it open, and counts one more handle on it.
func acquire(path string, opts Options) (*file, error) {
	abs, err := canonical(path)
	if err != nil {
		return nil, fmt.Errorf("boltkv: open %s: %w", path, err)
	}
	registry.mu.Lock()
	if f := registry.files[abs]; f != nil {
		f.refs++
		registry.mu.Unlock()
		// NB: wait outside the lock, so a file whose lock another process
		// holds does not stall the opens and closes of every other file.
		<-f.ready
		if f.err != nil {
			return nil, f.err
		}
		return f, nil
	}
	f := &file{path: abs, ready: make(chan struct{}), refs: 1}
	registry.files[abs] = f
	registry.mu.Unlock()

	f.db, f.err = openDB(abs, opts)
	if f.err != nil {
		registry.mu.Lock()
		delete(registry.files, abs)
		registry.mu.Unlock()
	}
	close(f.ready)
	if f.err != nil {
		return nil, f.err
	}
	return f, nil
}

// release drops one handle on f and closes the database with the last one.
// It closes under the registry's lock, so a new Open of the path opens the
// file only once this process has let go of its lock.
func release(f *file) error {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	f.refs--
	if f.refs > 0 {
		return nil
	}
	delete(registry.files, f.path)
	if err := f.db.Close(); err != nil {
		return fmt.Errorf("boltkv: close %s: %w", f.path, mapErr(err))
	}
	return nil
}

func openDB(path string, opts Options) (*bbolt.DB, error) {
	timeout := opts.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultTimeout
	case timeout < 0:
		timeout = 1 // bbolt reads zero as "wait forever"; one try, then fail
	}
	mode := opts.Mode
	if mode == 0 {
		mode = 0o600
	}
	db, err := bbolt.Open(path, mode, &bbolt.Options{Timeout: timeout, NoSync: opts.NoSync})
	if err != nil {
		return nil, openErr(path, timeout, err)
	}
	return db, nil
}

// canonical names a file by its absolute path with symbolic links of its
// directory resolved, so two spellings of one file share one database.
func canonical(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		if os.IsNotExist(err) {
			return abs, nil // bbolt.Open reports the missing directory
		}
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}
