//go:build js && wasm

package idb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/idb"
)

// openIDB opens the IndexedDB database name with kvtest's tables.
func openIDB(t testing.TB, name string) kv.Store {
	s, err := idb.Open(context.Background(), name, idb.Options{Tables: kvtest.Tables})
	require.NoError(t, err)
	return s
}

func TestConformance(t *testing.T) {
	kvtest.Run(t, openIDB)
}

// TestConformanceCursorFallback runs the suite as on a browser without
// getAllRecords, whose reverse scans walk a cursor.
func TestConformanceCursorFallback(t *testing.T) {
	idb.SetGetAllRecords(false)
	defer idb.SetGetAllRecords(true)
	kvtest.Run(t, openIDB)
}

func BenchmarkStore(b *testing.B) {
	for _, d := range []idb.Durability{idb.Strict, idb.Relaxed} {
		b.Run(string(d), func(b *testing.B) {
			kvtest.Benchmark(b, func(t testing.TB, name string) kv.Store {
				s, err := idb.Open(context.Background(), name, idb.Options{Tables: kvtest.Tables, Durability: d})
				require.NoError(t, err)
				return s
			})
		})
	}
}
