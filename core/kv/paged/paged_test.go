package paged_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog/changelogtest"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/kv/paged"
	"github.com/idbsync/idbsync/core/oplog/oplogtest"
)

var ctx = context.Background()

// tiny cuts pages, out-of-line values and merges so small that every suite
// runs through many merges, multi-page scans and value rows.
var tiny = paged.Options{PageSize: 256, InlineMax: 64, MergeBytes: 2048, MergeRows: 3}

// opener opens stores over Memory databases by name: a second open of a
// name is another handle on the same database, as another tab is.
func opener(opts paged.Options) kvtest.Opener {
	var mu sync.Mutex
	dbs := map[string]*paged.Memory{}
	return func(t testing.TB, name string) kv.Store {
		mu.Lock()
		m := dbs[name]
		if m == nil {
			m = paged.NewMemory()
			dbs[name] = m
		}
		mu.Unlock()
		o := opts
		o.Tables = kvtest.Tables
		s, err := paged.Open(ctx, m.Handle(), o)
		require.NoError(t, err)
		return s
	}
}

var layouts = []struct {
	name string
	opts paged.Options
}{
	{"defaults", paged.Options{}},
	{"tiny", tiny},
}

func TestConformance(t *testing.T) {
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) { kvtest.Run(t, opener(l.opts)) })
	}
}

func TestOplog(t *testing.T) {
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) { oplogtest.Run(t, opener(l.opts)) })
	}
}

func TestChangelog(t *testing.T) {
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			open := opener(l.opts)
			changelogtest.Run(t, open)
			changelogtest.RunManager(t, open)
			changelogtest.RunLog(t, changelogtest.DurableOn(open))
			changelogtest.RunBlobStore(t, changelogtest.KVBlobsOn(open))
		})
	}
}

// BenchmarkOplog runs with no idle merge, so that what a read scans (the
// memtables or the pages) depends on the commits before it, not on when a
// timer fired during the run.
func BenchmarkOplog(b *testing.B) {
	oplogtest.Benchmark(b, opener(paged.Options{IdleMerge: -1}))
}
