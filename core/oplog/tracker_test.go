package oplog_test

import (
	"context"
	"crypto/sha256"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog"
)

// TestTrackMany: TrackMany leaves the rows TrackOne of each entry in order
// leaves, and fails where it fails.
func TestTrackMany(t *testing.T) {
	ctx := context.Background()
	gone := sha256.Sum256([]byte("gone"))
	tests := []struct {
		name    string
		entries []oplog.Entry
		wantErr error
	}{
		{name: "none"},
		{
			name: "peers interleaved",
			entries: []oplog.Entry{
				{Peer: id(1), Idx: 0, TS: 10, Op: oplog.Put("a", []byte("1")), Salt: []byte("0123456789abcdef")},
				{Peer: id(2), Idx: 5, TS: 11, User: id(9), Op: oplog.Delete("b")},
				{Peer: id(1), Idx: 1, TS: 12, Op: oplog.Put("c", []byte{})},
				oplog.Marker(id(2), 6, gone),
				{Peer: id(3), Idx: 0, TS: 13, Op: oplog.Put("d", nil)},
				{Peer: id(1), Idx: 2, TS: 14, Op: oplog.Put("e", []byte("5"))},
			},
		},
		{
			name:    "no next index",
			entries: []oplog.Entry{{Peer: id(1), Idx: 0, TS: 1, Op: oplog.Put("a", nil)}, {Peer: id(1), Idx: math.MaxUint64, TS: 2, Op: oplog.Put("b", nil)}},
			wantErr: oplog.ErrInvalidEntry,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rows [2][][]kv.Pair
			var errs [2]error
			for i, many := range []bool{false, true} {
				s := memkv.New()
				tr := &oplog.IndexTracker{}
				require.NoError(t, tr.Init(ctx, s, "p"))
				var b kv.Batch
				if many {
					errs[i] = tr.TrackMany(tc.entries, &b)
				} else {
					for _, e := range tc.entries {
						if errs[i] = tr.TrackOne(e, &b); errs[i] != nil {
							break
						}
					}
				}
				if errs[i] != nil {
					continue
				}
				require.NoError(t, s.Commit(ctx, &b))
				for _, table := range tr.Tables("p") {
					r, err := s.Scan(ctx, table, kv.Range{})
					require.NoError(t, err)
					rows[i] = append(rows[i], r)
				}
			}
			if tc.wantErr != nil {
				assert.ErrorIs(t, errs[0], tc.wantErr)
				assert.ErrorIs(t, errs[1], tc.wantErr)
				return
			}
			require.NoError(t, errs[1])
			assert.Equal(t, rows[0], rows[1], "the same oplog and heads rows")

			// And the same batch fails again on a (peer, idx) already there.
			s := memkv.New()
			tr := &oplog.IndexTracker{}
			require.NoError(t, tr.Init(ctx, s, "p"))
			var b kv.Batch
			require.NoError(t, tr.TrackMany(tc.entries, &b))
			require.NoError(t, s.Commit(ctx, &b))
			if len(tc.entries) > 0 {
				b.Reset()
				require.NoError(t, tr.TrackMany(tc.entries[len(tc.entries)-1:], &b))
				assert.ErrorIs(t, s.Commit(ctx, &b), kv.ErrUniqueViolation)
			}
		})
	}
}
