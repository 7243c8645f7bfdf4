package paged_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/paged"
)

const goldenFile = "testdata/v1.json"

// golden is a database as an older build left it (pages, out-of-line
// values, a manifest over several pages a table, write-ahead rows not
// merged yet, some of them with deletes and dead values), with the state
// it holds.
type golden struct {
	Build string                       `json:"build"`
	DB    paged.Dump                   `json:"db"`
	State map[string]map[string][]byte `json:"state"`
}

// goldenOpts are the options the golden database was written with.
var goldenOpts = paged.Options{Tables: []string{"a", "b"}, PageSize: 256, InlineMax: 64, MergeBytes: 2048, MergeRows: 3, IdleMerge: -1}

func TestGolden(t *testing.T) {
	data, err := os.ReadFile(goldenFile)
	require.NoError(t, err)
	var g golden
	require.NoError(t, json.Unmarshal(data, &g))
	for _, l := range []struct {
		name string
		opts paged.Options
	}{
		{"as written", goldenOpts},
		{"defaults", paged.Options{Tables: goldenOpts.Tables, IdleMerge: -1}},
	} {
		t.Run(l.name, func(t *testing.T) {
			m := paged.MemoryOf(g.DB)
			state := map[string]map[string][]byte{}
			for table, rows := range g.State {
				state[table] = map[string][]byte{}
				for k, v := range rows {
					state[table][k] = v
				}
			}
			s, err := paged.Open(ctx, m.Handle(), l.opts)
			require.NoError(t, err)
			assert.Positive(t, s.Info().Unmerged)
			checkState(t, s, state)
			// New writes over the old ones, merged with the old pages.
			rnd := rand.New(rand.NewPCG(16, 1))
			for range 100 {
				var b kv.Batch
				table := []string{"a", "b"}[rnd.IntN(2)]
				k := []byte(fmt.Sprintf("k%03d", rnd.IntN(200)))
				if rnd.IntN(3) == 0 {
					b.Delete(table, k)
					delete(state[table], string(k))
				} else {
					v := bytes.Repeat([]byte{byte(rnd.IntN(256))}, rnd.IntN(100))
					b.Put(table, k, v)
					state[table][string(k)] = v
				}
				require.NoError(t, s.Commit(ctx, &b))
			}
			checkState(t, s, state)
			cold, err := paged.Open(ctx, m.Handle(), l.opts)
			require.NoError(t, err)
			checkState(t, cold, state)
			require.NoError(t, s.Close())
			require.NoError(t, cold.Close())
		})
	}
}

// checkState compares every table of s with want, by scans and by gets.
func checkState(t *testing.T, s kv.Store, want map[string]map[string][]byte) {
	t.Helper()
	for table, rows := range want {
		got, err := s.Scan(ctx, table, kv.Range{})
		require.NoError(t, err)
		require.Len(t, got, len(rows), "rows of %s", table)
		for _, p := range got {
			v, ok := rows[string(p.Key)]
			require.True(t, ok, "%s: unexpected key %s", table, p.Key)
			require.True(t, bytes.Equal(v, p.Value), "%s: value of %s", table, p.Key)
		}
		for k, v := range rows {
			got, err := s.Get(ctx, table, []byte(k))
			require.NoError(t, err, "%s: get %s", table, k)
			require.True(t, bytes.Equal(v, got), "%s: get %s", table, k)
		}
	}
}
