// Package kvtest is the conformance suite of the kv contract. Every store
// runs it: memkv natively, idb in headless Chromium on real IndexedDB.
package kvtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

// Tables are the tables every store under test is opened with.
var Tables = []string{"a", "b"}

// Opener opens the store called name with Tables. Opening a name again
// (after Close, or while another handle is open) must see the same data, as
// reopening a database does. The suite closes every store it opens.
type Opener func(t testing.TB, name string) kv.Store

var dbSeq atomic.Int64

// FreshName returns a store name no earlier run used (IndexedDB databases
// outlive a test run), starting with suite.
func FreshName(t testing.TB, suite string) string {
	return fmt.Sprintf("%s-%s-%d-%d", suite, t.Name(), time.Now().UnixNano(), dbSeq.Add(1))
}

// OpenStore opens name with open and closes it when the test ends.
func OpenStore(t testing.TB, open Opener, name string) kv.Store {
	t.Helper()
	s := open(t, name)
	require.NotNil(t, s)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fresh opens a store under a fresh name.
func fresh(t testing.TB, open Opener) (kv.Store, string) {
	name := FreshName(t, "kvtest")
	return OpenStore(t, open, name), name
}

// Run runs the whole suite against the stores open makes.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"GetPutDelete", testGetPutDelete},
		{"GetMany", testGetMany},
		{"AllOrNothing", testAllOrNothing},
		{"ExpectSemantics", testExpect},
		{"Merge", testMerge},
		{"OpsSeeEarlierOps", testOrder},
		{"ScanOrder", testScanOrder},
		{"ScanBounds", testScanBounds},
		{"ValueSizes", testValueSizes},
		{"InvalidKeys", testInvalidKeys},
		{"UnknownTable", testUnknownTable},
		{"CallerOwnsSlices", testOwnership},
		{"ConcurrentCommits", testConcurrent},
		{"Reopen", testReopen},
		{"CreateTables", testCreateTables},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func commit(t testing.TB, s kv.Store, build func(b *kv.Batch)) error {
	if t != nil {
		t.Helper()
	}
	var b kv.Batch
	build(&b)
	return s.Commit(context.Background(), &b)
}

func get(t *testing.T, s kv.Store, table string, key []byte) ([]byte, error) {
	t.Helper()
	return s.Get(context.Background(), table, key)
}

func mustGet(t *testing.T, s kv.Store, table string, key []byte) []byte {
	t.Helper()
	v, err := get(t, s, table, key)
	require.NoError(t, err, "get %s/%x", table, key)
	return v
}

func scan(t *testing.T, s kv.Store, table string, r kv.Range) []kv.Pair {
	t.Helper()
	rows, err := s.Scan(context.Background(), table, r)
	require.NoError(t, err)
	return rows
}

func keysOf(rows []kv.Pair) [][]byte {
	keys := make([][]byte, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	return keys
}

func count(t *testing.T, s kv.Store, table string) int {
	t.Helper()
	return len(scan(t, s, table, kv.Range{}))
}

func k(parts ...uint64) []byte {
	var b []byte
	for _, p := range parts {
		b = kv.AppendUint64(b, p)
	}
	return b
}
