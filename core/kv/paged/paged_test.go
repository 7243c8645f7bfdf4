package paged_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
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

// counting is a Backend that counts the bytes of pages written.
type counting struct {
	paged.Backend
	pageBytes, pagesDropped int
}

func (c *counting) Write(ctx context.Context, expect []byte, w *paged.Write) error {
	err := c.Backend.Write(ctx, expect, w)
	if err == nil {
		for _, p := range w.Pages {
			c.pageBytes += len(p.Data)
		}
		c.pagesDropped += len(w.DropPages)
	}
	return err
}

// TestAppendsKeepPages: runs of ascending keys (a log per peer, written
// interleaved) append pages; a merge writes the new keys, not again the
// pages they follow.
func TestAppendsKeepPages(t *testing.T) {
	m := paged.NewMemory()
	be := &counting{Backend: m.Handle()}
	opts := paged.Options{Tables: []string{"a"}, PageSize: 4 << 10, MergeBytes: 64 << 10, IdleMerge: -1}
	s, err := paged.Open(ctx, be, opts)
	require.NoError(t, err)
	defer s.Close()
	value := make([]byte, 100)
	const peers, rounds, perPeer = 10, 200, 5
	data := 0
	for round := range rounds {
		var b kv.Batch
		for p := range peers {
			for i := range perPeer {
				k := fmt.Appendf(nil, "p%02d/%08d", p, round*perPeer+i)
				b.Put("a", k, value)
				data += len(k) + len(value)
			}
		}
		require.NoError(t, s.Commit(ctx, &b))
	}
	in := s.Info()
	t.Logf("data %d bytes, pages written %d bytes, pages dropped %d, pages %d, merges %d", data, be.pageBytes, be.pagesDropped, in.Pages, in.Gen)
	assert.Less(t, be.pageBytes, data*6/5, "pages written once (and their encoding), not again at every merge")
	rows, err := s.Scan(ctx, "a", kv.Range{})
	require.NoError(t, err)
	require.Len(t, rows, peers*rounds*perPeer)
	for i := 1; i < len(rows); i++ {
		require.Less(t, string(rows[i-1].Key), string(rows[i].Key))
	}
}
