package oplogtest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

// testConvergence runs replicas that write random ops with wandering
// clocks and exchange entries in random pairs, orders and batch sizes,
// with redeliveries; after a full sync all of them hold the same log and
// the state the LWW rules give for it.
func testConvergence(t *testing.T, open kvtest.Opener) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("Seed", seed), func(t *testing.T) { converge(t, open, seed) })
	}
}

func converge(t *testing.T, open kvtest.Opener, seed uint64) {
	const replicas, rounds = 4, 30
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	rs := make([]*replica, replicas)
	for i := range rs {
		rs[i] = newReplica(t, open, peerID(100+i))
	}
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5"}
	values := []string{"", "a", "b", "ab", "\x00"}
	steps := []time.Duration{0, 0, time.Millisecond, 3 * time.Millisecond, -2 * time.Millisecond, 250 * time.Millisecond, -time.Second}

	for round := range rounds {
		for _, r := range rs {
			r.clock.Add(steps[rng.IntN(len(steps))])
			if rng.IntN(4) == 0 {
				continue
			}
			ops := make([]oplog.Op, 1+rng.IntN(3))
			for i := range ops {
				key := keys[rng.IntN(len(keys))]
				if rng.IntN(4) == 0 {
					ops[i] = oplog.Delete(key)
				} else {
					ops[i] = oplog.Put(key, []byte(values[rng.IntN(len(values))]))
				}
			}
			mustExec(t, r.p, ops...)
		}
		for range 1 + rng.IntN(3) {
			src, dst := rs[rng.IntN(replicas)], rs[rng.IntN(replicas)]
			if src != dst {
				pull(t, rng, src, dst, round)
			}
		}
	}

	// Full sync: every replica pulls everything from every other until
	// nothing moves.
	for pass := 0; ; pass++ {
		require.Less(t, pass, 4, "a full sync settles")
		moved := false
		for _, dst := range rs {
			for _, src := range rs {
				if src != dst && pullAll(t, src, dst) {
					moved = true
				}
			}
		}
		if !moved {
			break
		}
	}

	want := cursors(t, rs[0].p)
	require.Len(t, want, replicas)
	var log []oplog.Entry
	for i := range replicas {
		log = append(log, readAll(t, rs[0].p, peerID(100+i))...)
	}
	wantState := lwwModel(log)
	for i, r := range rs {
		assert.Equal(t, want, cursors(t, r.p), "replica %d: cursors", i)
		assert.Equal(t, wantState, state(t, r.p), "replica %d: state is what the LWW rules give", i)
		for j := range replicas {
			peer := peerID(100 + j)
			es := readAll(t, r.p, peer)
			assert.Equal(t, readAll(t, rs[0].p, peer), es, "replica %d: log of peer %d", i, j)
			for k := 1; k < len(es); k++ {
				assert.Greater(t, es[k].TS, es[k-1].TS, "replica %d: peer %d's timestamps increase", i, j)
			}
		}
	}
}

// pull moves some of what dst lacks from src: ranges read with random
// limits, sometimes starting before dst's cursor (redelivery), interleaved
// across peers at random, cut into random batches, each through the wire
// encoding; a batch is sometimes delivered twice.
func pull(t *testing.T, rng *rand.Rand, src, dst *replica, round int) {
	t.Helper()
	before := cursors(t, dst.p)
	var streams [][]oplog.Entry
	for _, m := range before.Missing(cursors(t, src.p)) {
		from := m.From
		if rng.IntN(3) == 0 {
			from -= min(from, uint64(rng.IntN(4)))
		}
		es, err := src.p.ReadSince(ctx, m.Peer, from, 1+rng.IntN(12))
		require.NoError(t, err)
		require.NotEmpty(t, es)
		require.Equal(t, from, es[0].Idx)
		streams = append(streams, es)
	}
	var merged []oplog.Entry
	for len(streams) > 0 {
		i := rng.IntN(len(streams))
		merged = append(merged, streams[i][0])
		if streams[i] = streams[i][1:]; len(streams[i]) == 0 {
			streams = slices.Delete(streams, i, i+1)
		}
	}
	for len(merged) > 0 {
		n := min(len(merged), 1+rng.IntN(8))
		wire := oplog.EncodeBatch(merged[:n])
		batch, err := oplog.DecodeBatch(wire)
		require.NoError(t, err)
		require.Equal(t, canon(merged[:n]), canon(batch), "the wire keeps entries intact")
		mustApplyBatch(t, dst.p, batch)
		if rng.IntN(5) == 0 {
			res := mustApplyBatch(t, dst.p, batch)
			assert.Equal(t, oplog.BatchResult{Skipped: n}, res, "round %d: a redelivered batch is skipped", round)
		}
		merged = merged[n:]
	}
	after := cursors(t, dst.p)
	require.NotEqual(t, oplog.Behind, after.Compare(before), "round %d: cursors never go back", round)
}

// pullAll moves everything dst lacks from src and reports whether it moved anything.
func pullAll(t *testing.T, src, dst *replica) bool {
	t.Helper()
	missing := cursors(t, dst.p).Missing(cursors(t, src.p))
	for _, m := range missing {
		es, err := src.p.ReadSince(ctx, m.Peer, m.From, 0)
		require.NoError(t, err)
		require.Len(t, es, int(m.Len()))
		batch, err := oplog.DecodeBatch(oplog.EncodeBatch(es))
		require.NoError(t, err)
		res := mustApplyBatch(t, dst.p, batch)
		require.Equal(t, len(es), res.Applied)
	}
	return len(missing) > 0
}

// lwwModel is the state the LWW rules give for a log: per key the greatest
// timestamp, a delete on a tie, then the greatest value.
func lwwModel(log []oplog.Entry) []oplog.Value {
	type win struct {
		ts      hlc.Timestamp
		deleted bool
		value   []byte
	}
	beats := func(a, b win) bool {
		switch {
		case a.ts != b.ts:
			return a.ts > b.ts
		case a.deleted != b.deleted:
			return a.deleted
		}
		return bytes.Compare(a.value, b.value) > 0
	}
	winners := make(map[string]win)
	for _, e := range log {
		if e.Expunged() {
			continue
		}
		w := win{ts: e.TS, deleted: e.Op.Tag == oplog.TagDelete, value: e.Op.Value}
		if cur, ok := winners[e.Op.Key]; !ok || beats(w, cur) {
			winners[e.Op.Key] = w
		}
	}
	var out []oplog.Value
	for key, w := range winners {
		if !w.deleted {
			out = append(out, oplog.Value{Key: key, Value: append([]byte{}, w.value...), TS: w.ts})
		}
	}
	slices.SortFunc(out, func(a, b oplog.Value) int { return bytes.Compare([]byte(a.Key), []byte(b.Key)) })
	return out
}
