package kvtest

import (
	"sync"
	"testing"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

// MemOpener returns an Opener of memkv stores created with tables: the
// first open of a name makes an empty store, every later one reopens the
// same data (memkv.Store.Reopen), as opening a database again would. Each
// call keeps its own names.
func MemOpener(tables ...string) Opener {
	var mu sync.Mutex
	opened := make(map[string]*memkv.Store)
	return func(_ testing.TB, name string) kv.Store {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := opened[name]; ok {
			return s.Reopen()
		}
		s := memkv.New(tables...)
		opened[name] = s
		return s
	}
}
