//go:build goldenwrite

package paged_test

// TestWriteGolden rewrites testdata/v1.json, the database TestGolden reads
// with every later build. Only a build whose format is the one the file
// stands for (48b88e4's) may run it, so it builds only with a tag:
//
//	go test -tags goldenwrite -run TestWriteGolden ./core/kv/paged/

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/paged"
)

func TestWriteGolden(t *testing.T) {
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
