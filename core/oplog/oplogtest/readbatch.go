package oplogtest

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

// testReadBatch: ReadBatch serves, byte for byte, what EncodeBatch makes
// of ReadSince's entries, over every page of a log holding local entries
// (salted puts and deletes, an expunge op), a marker, remote entries an
// attesting server vouched for, and unsalted entries of older builds, with
// values past a bin8's 255 bytes.
func testReadBatch(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, peerID(1))
	x, user := peerID(2), peerID(99)
	stream, _ := remoteStream(x, user) // an attributed entry, a marker
	older := put(x, 4, stamp(baseMs-1000, 0), "old", "unsalted")
	mustApplyBatch(t, r.p, append(stream, older))
	mustExec(t, r.p, oplog.Put("a", []byte("1")), oplog.Delete("a"), oplog.Put("big", bytes.Repeat([]byte("v"), 300)))
	mustExec(t, r.p, oplog.Put("gone", []byte("secret")))
	require.NoError(t, r.p.Expunge(ctx, r.p.Peer(), 3)) // a marker, and an expunge op at 4
	require.NoError(t, r.p.Expunge(ctx, x, 0))          // an expunge op at 5

	for _, peer := range []uuid.UUID{x, r.p.Peer(), peerID(3)} {
		all := readAll(t, r.p, peer)
		for from := range uint64(len(all) + 2) {
			for _, limit := range []int{0, 1, 2, 3, 100, -1} {
				got, err := r.p.ReadBatch(ctx, peer, from, limit)
				require.NoError(t, err)
				n := limit
				if n < 0 {
					n = 0
				}
				es, err := r.p.ReadSince(ctx, peer, from, n)
				require.NoError(t, err)
				require.Equal(t, hex.EncodeToString(oplog.EncodeBatch(es)), hex.EncodeToString(got), "peer %s from %d limit %d", peer, from, limit)
				decoded, err := oplog.DecodeBatch(got)
				require.NoError(t, err)
				assert.Equal(t, canon(es), canon(decoded))
			}
		}
	}
	got := readAll(t, r.p, x)
	assert.Equal(t, user, got[1].User, "the attested user is served")
	assert.True(t, got[2].Expunged())
}
