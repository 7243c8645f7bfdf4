package paged_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/paged"
)

// TestModel runs random batches through two handles on one database and
// checks every read of either against a map; at the end the database holds
// pages and no write-ahead row or value row more than the state needs.
func TestModel(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(seed, 7))
			m := paged.NewMemory()
			opts := tiny
			opts.Tables = []string{"a", "b"}
			var stores [2]*paged.Store
			for i := range stores {
				s, err := paged.Open(ctx, m.Handle(), opts)
				require.NoError(t, err)
				stores[i] = s
			}
			model := map[string]map[string][]byte{"a": {}, "b": {}}
			key := func() []byte { return []byte(fmt.Sprintf("k%03d", rnd.IntN(120))) }
			value := func() []byte {
				n := rnd.IntN(40)
				if rnd.IntN(6) == 0 {
					n = 65 + rnd.IntN(300) // out of line
				}
				v := make([]byte, n)
				for i := range v {
					v[i] = byte(rnd.IntN(256))
				}
				return v
			}
			for step := range 600 {
				s := stores[rnd.IntN(2)]
				table := []string{"a", "b"}[rnd.IntN(2)]
				var b kv.Batch
				want := map[string][]byte{}
				for k, v := range model[table] {
					want[k] = v
				}
				for range 1 + rnd.IntN(8) {
					k := key()
					switch rnd.IntN(3) {
					case 0, 1:
						v := value()
						b.Put(table, k, v)
						want[string(k)] = v
					default:
						b.Delete(table, k)
						delete(want, string(k))
					}
				}
				// Sometimes a check that fails, which must leave everything.
				failing := rnd.IntN(10) == 0
				if failing {
					b.Expect(table, []byte("k999"), []byte("nope"))
				}
				err := s.Commit(ctx, &b)
				if failing {
					require.ErrorIs(t, err, kv.ErrConflict)
				} else {
					require.NoError(t, err, "step %d", step)
					model[table] = want
				}
				// Read through the other handle: it sees the commit.
				o := stores[rnd.IntN(2)]
				k := key()
				got, err := o.Get(ctx, table, k)
				if v, ok := model[table][string(k)]; ok {
					require.NoError(t, err)
					require.True(t, bytes.Equal(v, got), "step %d key %s", step, k)
				} else {
					require.ErrorIs(t, err, kv.ErrNotFound)
				}
				if step%25 == 0 {
					checkScan(t, o, table, model[table], rnd)
				}
			}
			for _, table := range []string{"a", "b"} {
				for _, s := range stores {
					checkScan(t, s, table, model[table], rnd)
				}
			}
			// A fresh handle (a cold start) reads the same.
			cold, err := paged.Open(ctx, m.Handle(), opts)
			require.NoError(t, err)
			for _, table := range []string{"a", "b"} {
				checkScan(t, cold, table, model[table], rnd)
			}
			wal, pages, values, writes := m.Counts()
			t.Logf("write-ahead rows %d, pages %d, values %d, writes %d", wal, pages, values, writes)
			assert.Greater(t, pages, 2, "merges wrote pages")
			assert.LessOrEqual(t, wal, tiny.MergeRows+1, "merged rows are dropped")
			live := 0
			for _, tm := range model {
				for _, v := range tm {
					if len(v) > tiny.InlineMax {
						live++
					}
				}
			}
			assert.GreaterOrEqual(t, values, live)
			// Values dead in the rows not merged yet are dropped by a merge; what
			// is left is at most the live ones plus those of the unmerged rows.
			assert.LessOrEqual(t, values, live+8*(tiny.MergeRows+1), "dead values are dropped")
			for _, s := range append(stores[:], cold) {
				require.NoError(t, s.Close())
			}
		})
	}
}

// checkScan compares scans of s (whole, bounded, limited, reverse) with want.
func checkScan(t *testing.T, s kv.Store, table string, want map[string][]byte, rnd *rand.Rand) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	lo, hi := fmt.Sprintf("k%03d", rnd.IntN(120)), fmt.Sprintf("k%03d", rnd.IntN(120))
	if lo > hi {
		lo, hi = hi, lo
	}
	for _, r := range []kv.Range{
		{},
		{Start: []byte(lo), End: []byte(hi)},
		{Start: []byte(lo), Limit: 5},
		{Reverse: true},
		{End: []byte(hi), Reverse: true, Limit: 7},
	} {
		var exp []string
		for _, k := range keys {
			if k >= string(r.Start) && (r.End == nil || k < string(r.End)) {
				exp = append(exp, k)
			}
		}
		if r.Reverse {
			for i, j := 0, len(exp)-1; i < j; i, j = i+1, j-1 {
				exp[i], exp[j] = exp[j], exp[i]
			}
		}
		if r.Limit > 0 && len(exp) > r.Limit {
			exp = exp[:r.Limit]
		}
		rows, err := s.Scan(ctx, table, r)
		require.NoError(t, err)
		got := make([]string, len(rows))
		for i, p := range rows {
			got[i] = string(p.Key)
			require.True(t, bytes.Equal(want[string(p.Key)], p.Value), "value of %s: got %x want %x", p.Key, p.Value, want[string(p.Key)])
		}
		if len(exp) == 0 {
			exp = []string{}
		}
		require.Equal(t, exp, got, "scan %+v", r)
	}
}

// TestIdleMerge: once commits pause, what the memtables hold is merged, so
// a cold start reads no write-ahead row; with IdleMerge < 0 it stays.
func TestIdleMerge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		idle   time.Duration
		merged bool
	}{
		{"merged after a pause", 20 * time.Millisecond, true},
		{"never", -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := paged.NewMemory()
			s, err := paged.Open(ctx, m.Handle(), paged.Options{Tables: []string{"a"}, IdleMerge: tc.idle, IdleBytes: 1})
			require.NoError(t, err)
			defer s.Close()
			for i := range 5 {
				var b kv.Batch
				b.Put("a", []byte(fmt.Sprintf("k%d", i)), []byte("v"))
				require.NoError(t, s.Commit(ctx, &b))
			}
			require.Equal(t, 5, s.Info().Unmerged)
			if tc.merged {
				require.Eventually(t, func() bool { return s.Info().Unmerged == 0 }, 5*time.Second, 10*time.Millisecond)
				wal, pages, _, _ := m.Counts()
				assert.Equal(t, 0, wal, "no write-ahead row left for a cold start")
				assert.Equal(t, 1, pages)
			} else {
				time.Sleep(100 * time.Millisecond)
				assert.Equal(t, 5, s.Info().Unmerged)
			}
			v, err := s.Get(ctx, "a", []byte("k3"))
			require.NoError(t, err)
			assert.Equal(t, "v", string(v))
		})
	}
}

// TestConcurrentMerges: writers on two handles of one database, while
// their merges run in the background (and give up when the other handle
// merged first); at the end every handle, and a cold start, reads every
// write.
func TestConcurrentMerges(t *testing.T) {
	m := paged.NewMemory()
	opts := tiny
	opts.Tables = []string{"a"}
	var stores [2]*paged.Store
	for i := range stores {
		s, err := paged.Open(ctx, m.Handle(), opts)
		require.NoError(t, err)
		stores[i] = s
	}
	const writers, batches = 4, 60
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[w%2]
			for i := range batches {
				var b kv.Batch
				for j := range 3 {
					b.Put("a", []byte(fmt.Sprintf("w%d/%03d/%d", w, i, j)), bytes.Repeat([]byte{byte(i)}, 20+j*40))
				}
				if err := s.Commit(ctx, &b); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Get(ctx, "a", []byte(fmt.Sprintf("w%d/%03d/1", w, i/2))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	cold, err := paged.Open(ctx, m.Handle(), opts)
	require.NoError(t, err)
	for _, s := range append(stores[:], cold) {
		rows, err := s.Scan(ctx, "a", kv.Range{})
		require.NoError(t, err)
		require.Len(t, rows, writers*batches*3)
		for _, r := range rows {
			var w, i, j int
			_, err := fmt.Sscanf(string(r.Key), "w%d/%03d/%d", &w, &i, &j)
			require.NoError(t, err)
			require.Equal(t, bytes.Repeat([]byte{byte(i)}, 20+j*40), r.Value, "%s", r.Key)
		}
	}
	for _, s := range append(stores[:], cold) {
		require.NoError(t, s.Close())
	}
}

// TestCloseDuringMerge: a store closed while a merge runs in the
// background loses nothing: the merge gives up, the rows stay, and the
// next open reads them.
func TestCloseDuringMerge(t *testing.T) {
	for round := range 20 {
		m := paged.NewMemory()
		opts := paged.Options{Tables: []string{"a"}, PageSize: 512, MergeRows: 8, IdleMerge: -1}
		s, err := paged.Open(ctx, m.Handle(), opts)
		require.NoError(t, err)
		for i := range 4 + round%5 {
			var b kv.Batch
			for j := range 50 {
				b.Put("a", []byte(fmt.Sprintf("%02d/%03d", i, j)), []byte("value"))
			}
			require.NoError(t, s.Commit(ctx, &b))
		}
		require.NoError(t, s.Close())
		s, err = paged.Open(ctx, m.Handle(), opts)
		require.NoError(t, err)
		rows, err := s.Scan(ctx, "a", kv.Range{})
		require.NoError(t, err)
		require.Len(t, rows, (4+round%5)*50, "round %d", round)
		require.NoError(t, s.Close())
	}
}

// TestScanLimitPastDeletes: an ascending scan with a limit takes only about
// as many rows as it returns, and still answers right where the rows below
// it are mostly deleted (in the memtable, over rows in pages), so that it
// must take more.
func TestScanLimitPastDeletes(t *testing.T) {
	m := paged.NewMemory()
	key := func(i int) []byte { return []byte(fmt.Sprintf("k%05d", i)) }
	// 3,000 rows merged into pages (a handle that merges at every commit),
	// then, through a handle that does not merge yet, most of the first
	// 2,500 deleted in its memtable.
	first, err := paged.Open(ctx, m.Handle(), paged.Options{Tables: []string{"t"}, MergeRows: 1, PageSize: 4096})
	require.NoError(t, err)
	var b kv.Batch
	for i := range 3000 {
		b.Put("t", key(i), []byte{byte(i)})
	}
	require.NoError(t, first.Commit(ctx, &b))
	require.Eventually(t, func() bool { return first.Info().Unmerged == 0 }, 10*time.Second, time.Millisecond, "merged")
	require.NoError(t, first.Close())
	s, err := paged.Open(ctx, m.Handle(), paged.Options{Tables: []string{"t"}, PageSize: 4096})
	require.NoError(t, err)
	defer s.Close()
	require.Greater(t, s.Info().Pages, 5, "the rows are in pages")
	b = kv.Batch{}
	live := map[int]bool{}
	for i := range 3000 {
		live[i] = true
	}
	for i := range 2500 {
		if i%500 != 7 {
			b.Delete("t", key(i))
			delete(live, i)
		}
	}
	require.NoError(t, s.Commit(ctx, &b))
	require.Equal(t, 1, s.Info().Unmerged, "the deletes are in the memtable")
	tests := []struct {
		name         string
		start, limit int
	}{
		{"FromTheStart", 0, 3},
		{"FromTheStartLimitOne", 0, 1},
		{"PastTheDeletes", 2400, 10},
		{"InTheLive", 2600, 50},
		{"MoreThanLeft", 2990, 100},
		{"AllOfIt", 0, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for i := tc.start; i < 3000 && len(want) < tc.limit; i++ {
				if live[i] {
					want = append(want, string(key(i)))
				}
			}
			rows, err := s.Scan(ctx, "t", kv.Range{Start: key(tc.start), Limit: tc.limit})
			require.NoError(t, err)
			got := make([]string, len(rows))
			for i, r := range rows {
				got[i] = string(r.Key)
			}
			assert.Equal(t, want, got)
		})
	}
}
