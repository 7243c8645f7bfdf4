package oplogtest

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

func testLWWTies(t *testing.T, open kvtest.Opener) {
	x, y := peerID(1), peerID(2)
	ts := stamp(baseMs-1000, 4)
	tests := []struct {
		name    string
		fromX   oplog.Entry
		fromY   oplog.Entry
		want    string
		deleted bool
	}{
		{"SameTSDeleteBeatsWrite", put(x, 0, ts, "k", "zzz"), del(y, 0, ts, "k"), "", true},
		{"SameTSGreaterValueWins", put(x, 0, ts, "k", "b"), put(y, 0, ts, "k", "ab"), "b", false},
		{"SameTSValueIsPrefix", put(x, 0, ts, "k", "a"), put(y, 0, ts, "k", "a\x00"), "a\x00", false},
		{"SameTSEmptyValueLoses", put(x, 0, ts, "k", ""), put(y, 0, ts, "k", "\x00"), "\x00", false},
		{"GreaterTSWinsOverGreaterValue", put(x, 0, ts, "k", "zzz"), put(y, 0, ts+1, "k", "a"), "a", false},
		{"GreaterTSWriteBeatsDelete", del(x, 0, ts, "k"), put(y, 0, ts+1, "k", "a"), "a", false},
		{"GreaterTSDeleteBeatsWrite", put(x, 0, ts+1<<16, "k", "z"), del(y, 0, ts+1<<16+1, "k"), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orders := map[string]func(p *oplog.Processor){
				"XThenY": func(p *oplog.Processor) { mustApply(t, p, tc.fromX); mustApply(t, p, tc.fromY) },
				"YThenX": func(p *oplog.Processor) { mustApply(t, p, tc.fromY); mustApply(t, p, tc.fromX) },
				"OneBatchXY": func(p *oplog.Processor) {
					mustApplyBatch(t, p, []oplog.Entry{tc.fromX, tc.fromY})
				},
				"OneBatchYX": func(p *oplog.Processor) {
					mustApplyBatch(t, p, []oplog.Entry{tc.fromY, tc.fromX})
				},
			}
			var states [][]oplog.Value
			for name, apply := range orders {
				r := newReplica(t, open, uuid.Nil)
				apply(r.p)
				v, ok := getValue(t, r.p, "k")
				assert.Equal(t, !tc.deleted, ok, "%s: live", name)
				assert.Equal(t, tc.want, v, "%s: value", name)
				states = append(states, state(t, r.p))
			}
			for _, s := range states[1:] {
				assert.Equal(t, states[0], s, "every order reaches the same state")
			}
		})
	}
}

func testLWWGetScan(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	l := lwwOf(t, r.p)

	var ops []oplog.Op
	for i := range 40 {
		ops = append(ops, oplog.Put(fmt.Sprintf("p/t%02d", i), []byte("gone")))
	}
	ops = append(ops,
		oplog.Put("p/a", []byte("1")), oplog.Put("p/b", []byte("2")), oplog.Put("p/c", []byte{}),
		oplog.Put("q/a", []byte("3")), oplog.Put("p", []byte("4")), oplog.Put("p/b", []byte("2b")))
	for i := range 40 {
		ops = append(ops, oplog.Delete(fmt.Sprintf("p/t%02d", i)))
	}
	ops = append(ops, oplog.Put("p/z", []byte("5")), oplog.Delete("never/written"))
	w := mustExec(t, r.p, ops...)
	require.Equal(t, uint64(len(ops)), w.To)

	got, err := l.Get(ctx, "p/b")
	require.NoError(t, err)
	assert.Equal(t, "p/b", got.Key)
	assert.Equal(t, []byte("2b"), got.Value, "the later op of one Exec wins")
	assert.NotZero(t, got.TS)
	got, err = l.Get(ctx, "p/c")
	require.NoError(t, err)
	assert.NotNil(t, got.Value, "an empty value is present")
	assert.Empty(t, got.Value)
	for _, key := range []string{"p/t00", "p/t39", "never/written", "nope"} {
		_, err = l.Get(ctx, key)
		assert.ErrorIs(t, err, oplog.ErrNotFound, key)
	}
	many, err := l.GetMany(ctx, []string{"p/b", "p/t00", "nope", "p/c", "p/b"})
	require.NoError(t, err)
	require.Len(t, many, 5)
	assert.Nil(t, many[1], "a deleted key is nil")
	assert.Nil(t, many[2], "a key never written is nil")
	for _, i := range []int{0, 3, 4} {
		require.NotNil(t, many[i], "present key %d", i)
	}
	assert.Equal(t, []byte("2b"), many[0].Value)
	assert.Equal(t, "p/c", many[3].Key)
	assert.Equal(t, []byte{}, many[3].Value, "an empty value is present")
	assert.Equal(t, *many[0], *many[4], "a key asked twice reads twice")
	none, err := l.GetMany(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, none)

	keys := func(vs []oplog.Value) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = v.Key
		}
		return out
	}
	tests := []struct {
		name   string
		prefix string
		limit  int
		want   []string
	}{
		{"All", "", 0, []string{"p", "p/a", "p/b", "p/c", "p/z", "q/a"}},
		{"Prefix", "p/", 0, []string{"p/a", "p/b", "p/c", "p/z"}},
		{"PrefixLimit", "p/", 2, []string{"p/a", "p/b"}},
		{"LimitPastTombstones", "p/t", 1, nil},
		{"LimitAcrossTombstones", "p/", 4, []string{"p/a", "p/b", "p/c", "p/z"}},
		{"LimitAboveCount", "", 100, []string{"p", "p/a", "p/b", "p/c", "p/z", "q/a"}},
		{"AllLimit1", "", 1, []string{"p"}},
		{"NoMatch", "r", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := l.Scan(ctx, tc.prefix, tc.limit)
			require.NoError(t, err)
			if tc.want == nil {
				assert.Empty(t, vs)
				return
			}
			assert.Equal(t, tc.want, keys(vs))
		})
	}

	// A scan with a limit that must walk past more tombstones than its
	// page: 40 deleted keys sort before p/z here.
	vs, err := l.Scan(ctx, "p/t", 0)
	require.NoError(t, err)
	assert.Empty(t, vs, "deleted keys are skipped")
	mustExec(t, r.p, oplog.Put("p/u", []byte("after")))
	vs, err = l.Scan(ctx, "p/", 5)
	require.NoError(t, err)
	assert.Equal(t, []string{"p/a", "p/b", "p/c", "p/u", "p/z"}, keys(vs))
	vs, err = l.Scan(ctx, "p/t", 1)
	require.NoError(t, err)
	assert.Empty(t, vs)

	ranges := []struct {
		name, prefix, start string
		limit               int
		want                []string
	}{
		{"StartInsidePrefix", "p/", "p/b", 0, []string{"p/b", "p/c", "p/u", "p/z"}},
		{"StartAfterLastSeen", "p/", "p/b\x00", 2, []string{"p/c", "p/u"}},
		{"StartBeforePrefix", "p/", "a", 1, []string{"p/a"}},
		{"StartPastPrefix", "p/", "q", 0, nil},
		{"NoPrefix", "", "p/z", 0, []string{"p/z", "q/a"}},
	}
	for _, tc := range ranges {
		t.Run("Range"+tc.name, func(t *testing.T) {
			vs, err := l.Range(ctx, tc.prefix, tc.start, tc.limit)
			require.NoError(t, err)
			if tc.want == nil {
				assert.Empty(t, vs)
				return
			}
			assert.Equal(t, tc.want, keys(vs))
		})
	}
}
