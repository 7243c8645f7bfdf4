//go:build js && wasm

package idb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog/changelogtest"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/kv/paged"
	"github.com/idbsync/idbsync/core/oplog/oplogtest"
	"github.com/idbsync/idbsync/idb"
)

// tinyPages cuts pages, out-of-line values and merges so small that the
// suites run through many merges and value rows on real IndexedDB.
var tinyPages = paged.Options{PageSize: 256, InlineMax: 64, MergeBytes: 2048, MergeRows: 3}

// pagedOpener opens IndexedDB databases in the Paged layout with kvtest's tables.
func pagedOpener(popts paged.Options) kvtest.Opener {
	return func(t testing.TB, name string) kv.Store {
		s, layout, err := idb.OpenKV(ctx, name, idb.Paged, idb.Options{Tables: kvtest.Tables}, popts)
		require.NoError(t, err)
		require.Equal(t, idb.Paged, layout)
		return s
	}
}

func TestPagedConformance(t *testing.T) {
	t.Run("defaults", func(t *testing.T) { kvtest.Run(t, pagedOpener(paged.Options{})) })
	t.Run("tiny", func(t *testing.T) { kvtest.Run(t, pagedOpener(tinyPages)) })
}

func TestPagedOplog(t *testing.T) {
	oplogtest.Run(t, pagedOpener(tinyPages))
}

func TestPagedChangelog(t *testing.T) {
	open := pagedOpener(tinyPages)
	changelogtest.Run(t, open)
	changelogtest.RunManager(t, open)
	changelogtest.RunBlobStore(t, changelogtest.KVBlobsOn(open))
}

// TestLayoutKept: a database keeps the layout it was made with, whatever a
// later open asks; a database of the Rows layout (every older build's) opens
// and reads as it is.
func TestLayoutKept(t *testing.T) {
	rows := kvtest.FreshName(t, "layout-rows")
	old, err := idb.Open(ctx, rows, idb.Options{Tables: kvtest.Tables})
	require.NoError(t, err)
	var b kv.Batch
	b.Put("a", []byte("k"), []byte("written by an older build"))
	require.NoError(t, old.Commit(ctx, &b))
	require.NoError(t, old.Close())

	s, layout, err := idb.OpenKV(ctx, rows, "", idb.Options{Tables: kvtest.Tables}, paged.Options{})
	require.NoError(t, err)
	assert.Equal(t, idb.Rows, layout)
	v, err := s.Get(ctx, "a", []byte("k"))
	require.NoError(t, err)
	assert.Equal(t, "written by an older build", string(v))
	require.NoError(t, s.Close())

	fresh := kvtest.FreshName(t, "layout-new")
	s, layout, err = idb.OpenKV(ctx, fresh, "", idb.Options{Tables: kvtest.Tables}, paged.Options{})
	require.NoError(t, err)
	assert.Equal(t, idb.Paged, layout, "a new database is paged")
	b.Reset()
	b.Put("b", []byte("k"), []byte("v"))
	require.NoError(t, s.Commit(ctx, &b))
	require.NoError(t, s.Close())
	s, layout, err = idb.OpenKV(ctx, fresh, idb.Rows, idb.Options{Tables: kvtest.Tables}, paged.Options{})
	require.NoError(t, err)
	assert.Equal(t, idb.Paged, layout, "an existing paged database stays paged")
	v, err = s.Get(ctx, "b", []byte("k"))
	require.NoError(t, err)
	assert.Equal(t, "v", string(v))
	require.NoError(t, s.Close())
}

func BenchmarkPagedOplog(b *testing.B) {
	oplogtest.Benchmark(b, pagedOpener(paged.Options{}))
}
