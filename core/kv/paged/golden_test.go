package paged_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/paged"
)

// writeGolden rewrites testdata/v1.json. Only a build whose format is the
// one the file stands for may do that: the file is what databases written
// by that build hold, and the test reads it with every later build.
var writeGolden = flag.Bool("write-golden", false, "rewrite testdata/v1.json (the format of 48b88e4)")

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

func TestWriteGolden(t *testing.T) {
	if !*writeGolden {
		t.Skip("-write-golden not set")
	}
	rnd := rand.New(rand.NewPCG(15, 1))
	m := paged.NewMemory()
	s, err := paged.Open(ctx, m.Handle(), goldenOpts)
	require.NoError(t, err)
	state := map[string]map[string][]byte{"a": {}, "b": {}}
	// Past 200 batches, until the last ones are rows not merged yet.
	for step := 0; step < 200 || s.Info().Unmerged < 2; step++ {
		var b kv.Batch
		for range 1 + rnd.IntN(6) {
			table := []string{"a", "b"}[rnd.IntN(2)]
			k := []byte(fmt.Sprintf("k%03d", rnd.IntN(150)))
			if rnd.IntN(4) == 0 {
				b.Delete(table, k)
				delete(state[table], string(k))
				continue
			}
			n := rnd.IntN(40)
			if rnd.IntN(5) == 0 {
				n = 65 + rnd.IntN(200)
			}
			v := make([]byte, n)
			for i := range v {
				v[i] = byte(rnd.IntN(256))
			}
			b.Put(table, k, v)
			state[table][string(k)] = v
		}
		require.NoError(t, s.Commit(ctx, &b), "step %d", step)
	}
	in := s.Info()
	require.GreaterOrEqual(t, in.Unmerged, 2, "rows left unmerged")
	require.Greater(t, in.Pages, 4)
	g := golden{Build: "48b88e4", DB: m.Dump(), State: state}
	data, err := json.MarshalIndent(g, "", "\t")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(goldenFile, data, 0o644))
}

// TestGolden opens a database an older build wrote: it reads as it was
// written, takes new commits, merges them with what it held, and reads
// right after a cold start.
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
