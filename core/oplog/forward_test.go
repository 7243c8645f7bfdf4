package oplog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

var (
	fwdPeer = uuid.UUID{0xa1, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 1}
	fwdUser = uuid.UUID{0xb2, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 2}
)

// slowWire is the wire encoding of the entry of an oplog row the way a read
// made it before reads forwarded bytes: decoded, then encoded as
// EncodeBatch encodes an entry.
func slowWire(t testing.TB, key, row []byte) []byte {
	t.Helper()
	e, err := decodeEntry(key, row)
	require.NoError(t, err)
	w := toWire(&e)
	b, err := w.MarshalMsg(nil)
	require.NoError(t, err)
	return b
}

// storedRow is the row TrackOne stores for e.
func storedRow(t testing.TB, e Entry) []byte {
	t.Helper()
	rec := storedRecord(&e)
	b, err := rec.MarshalMsg(nil)
	require.NoError(t, err)
	return b
}

// TestForwardableRows: every row this build writes is forwarded, its wire
// encoding the bytes a decode and encode make of it, at every width of
// every field's encoding.
func TestForwardableRows(t *testing.T) {
	gone := sha256.Sum256([]byte("gone"))
	var entries []Entry
	for _, n := range []uint64{0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, math.MaxUint32, math.MaxUint32 + 1, math.MaxUint64 - 1} {
		entries = append(entries,
			Entry{Peer: fwdPeer, Idx: n, TS: 1, Op: Put("k", []byte("v"))},
			Entry{Peer: fwdPeer, Idx: 1, TS: hlc.Timestamp(n), Op: Put("k", []byte("v"))},
		)
	}
	for _, n := range []int{1, 31, 32, 0xff, 0x100, 0xffff, 0x10000} {
		entries = append(entries,
			Entry{Peer: fwdPeer, Idx: 2, TS: 3, Op: Put(strings.Repeat("k", n), []byte("v"))},
			Entry{Peer: fwdPeer, Idx: 2, TS: 3, Op: Put("k", bytes.Repeat([]byte{7}, n))},
			Entry{Peer: fwdPeer, Idx: 2, TS: 3, Op: Put("k", nil), Salt: bytes.Repeat([]byte{9}, n)},
		)
	}
	entries = append(entries,
		Entry{Peer: fwdPeer, Idx: 3, TS: 4, User: fwdUser, Op: Put("k", []byte("v")), Salt: []byte("0123456789abcdef")},
		Entry{Peer: fwdPeer, Idx: 4, TS: 5, User: fwdUser, Op: Delete("k")},
		Entry{Peer: fwdPeer, Idx: 5, TS: 6, Op: Put("k", []byte{})}, // stored with no value
		Entry{Peer: fwdPeer, Idx: 6, TS: 7, Op: Put("k", nil), Salt: []byte{}},
		Entry{Peer: fwdPeer, Idx: 7, TS: 8, Op: Expunge(ExpungeRef{Peer: fwdUser, Idx: 9, Hash: gone}), Salt: []byte("s")},
		Marker(fwdPeer, 8, gone),
		Entry{Peer: fwdPeer, Idx: 9, TS: 10, Op: Op{Tag: Tag(200), Key: "k"}}, // a tag this build does not know
	)
	for _, e := range entries {
		key, row := EntryKey(e.Peer, e.Idx), storedRow(t, e)
		require.True(t, forwardable(key, row), "row %x", row)
		got := appendForwarded([]byte("head"), key, row)
		assert.Equal(t, "head", string(got[:4]))
		assert.Equal(t, slowWire(t, key, row), got[4:], "row %x", row)
		assert.Equal(t, len(got)-4, forwardedSize(key, row))
	}
}

// TestUnforwardableRows: rows that decode but are not what this build
// writes for the entry they decode to (an older build's, or any other
// encoder's) are not forwarded, and a read serves them as it always did.
func TestUnforwardableRows(t *testing.T) {
	key := EntryKey(fwdPeer, 1)
	tests := []struct {
		name string
		key  []byte
		row  string // hex
	}{
		{"EmptyValueAsEmptyBin", key, "84a17401a16701a16ba16ba176c400"}, // the first build's Put(k, []byte{})
		{"EmptySalt", key, "84a17401a16701a16ba16ba173c400"},
		{"EmptyUser", key, "83a17401a175c400a16701"},
		{"NilUser", key, "83a17401a175c41000000000000000000000000000000000a16701"},
		{"EmptyKey", key, "83a17401a16701a16ba0"},
		{"WideTS", key, "82a174cd0005a16701"},
		{"SignedTS", key, "82a174d10105a16701"},
		{"WideTag", key, "82a17401a167cc01"},
		{"SignedTag", key, "82a17401a167d001"},
		{"KeyAsStr8", key, "83a17401a16701a16bd9016b"},
		{"ValueAsBin16", key, "83a17401a16701a176c5000178"},
		{"OutOfOrder", key, "82a16701a17401"},
		{"UnknownField", key, "83a17401a16701a17a01"},
		{"TwiceTS", key, "83a17401a17402a16701"},
		{"NoTS", key, "81a16701"},
		{"NoTag", key, "81a17401"},
		{"Map16", key, "de0002a17401a16701"},
		{"Trailing", key, "82a17401a1670100"},
		{"LongerKey", append(bytes.Clone(key), 0), "82a17401a16701"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			row, err := hex.DecodeString(tc.row)
			require.NoError(t, err)
			_, err = decodeEntry(tc.key, row)
			require.NoError(t, err, "the row decodes")
			require.False(t, forwardable(tc.key, row))

			s, tr := trackerOn(t)
			var b kv.Batch
			b.Put(tr.log, tc.key, row)
			b.Put(tr.log, EntryKey(fwdPeer, 2), storedRow(t, Entry{Peer: fwdPeer, Idx: 2, TS: 3, Op: Put("k", []byte("v"))}))
			require.NoError(t, s.Commit(context.Background(), &b))
			requireSameRead(t, tr, fwdPeer, 0, 0)
		})
	}
}

// TestCorruptRowsRead: a row that does not decode fails a read with the
// error ReadEntries gives, whether or not its entry would fit the batch.
func TestCorruptRowsRead(t *testing.T) {
	for _, row := range []string{
		"", "c0", "81a174", "82a17401a167", "82a17401a167cd0100", "83a17401a175c40101a16701",
		"83a17401a16701", "83a17401a16701a16bc4016b", "83a17401a16701a176a178", "83a17401a16701a176c0",
	} {
		t.Run(row, func(t *testing.T) {
			v, err := hex.DecodeString(row)
			require.NoError(t, err)
			ctx := context.Background()
			s, tr := trackerOn(t)
			var b kv.Batch
			b.Put(tr.log, EntryKey(fwdPeer, 0), storedRow(t, Entry{Peer: fwdPeer, Idx: 0, TS: 3, Op: Put("k", []byte("v"))}))
			b.Put(tr.log, EntryKey(fwdPeer, 1), v)
			require.NoError(t, s.Commit(ctx, &b))
			_, want := tr.ReadEntries(ctx, fwdPeer, 0, 0)
			if want == nil {
				// Rows the decoder takes are TestUnforwardableRows'.
				requireSameRead(t, tr, fwdPeer, 0, 0)
				return
			}
			require.ErrorIs(t, want, ErrCorrupt)
			_, err = tr.ReadBatch(ctx, fwdPeer, 0, 0)
			assert.Equal(t, want, err)
			_, err = tr.ReadBatch(ctx, fwdPeer, 0, 1)
			assert.NoError(t, err, "a row past the limit is not read")
		})
	}
}

// TestForwardRandomRows: random entries' rows forward as they decode, and
// rows with a byte changed forward only where that makes no difference.
func TestForwardRandomRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	bytesOf := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	sizes := []int{0, 1, 2, 31, 32, 300}
	for range 2000 {
		e := Entry{
			Peer: fwdPeer, Idx: rng.Uint64() >> rng.UintN(64), TS: hlc.Timestamp(rng.Uint64() >> rng.UintN(64)),
			Op: Op{Tag: Tag(rng.UintN(256)), Key: string(bytesOf(sizes[rng.IntN(len(sizes))])), Value: bytesOf(sizes[rng.IntN(len(sizes))])},
		}
		if rng.IntN(2) == 0 {
			e.User = uuid.UUID(bytesOf(16))
		}
		if rng.IntN(2) == 0 {
			e.Salt = bytesOf(rng.IntN(20))
		}
		if e.Idx == math.MaxUint64 {
			e.Idx--
		}
		key, row := EntryKey(e.Peer, e.Idx), storedRow(t, e)
		require.True(t, forwardable(key, row), "row %x", row)
		require.Equal(t, slowWire(t, key, row), appendForwarded(nil, key, row))

		changed := bytes.Clone(row)
		changed[rng.IntN(len(changed))] = byte(rng.UintN(256))
		if !forwardable(key, changed) {
			continue
		}
		require.Equal(t, slowWire(t, key, changed), appendForwarded(nil, key, changed), "row %x", changed)
	}
}

// FuzzForwardable: a row forwardable accepts decodes, and forwards to the
// bytes a decode and encode make of it.
func FuzzForwardable(f *testing.F) {
	for _, e := range []Entry{
		{Peer: fwdPeer, Idx: 300, TS: 1 << 40, User: fwdUser, Op: Put("key", []byte("value")), Salt: []byte("salt")},
		{Peer: fwdPeer, Idx: 1, TS: 2, Op: Delete("k")},
		Marker(fwdPeer, 2, sha256.Sum256(nil)),
	} {
		f.Add(storedRow(f, e))
	}
	f.Add([]byte("\x84\xa1t\x01\xa1g\x01\xa1k\xa1k\xa1v\xc4\x00"))
	key := EntryKey(fwdPeer, 70000)
	f.Fuzz(func(t *testing.T, row []byte) {
		if !forwardable(key, row) {
			return
		}
		assert.Equal(t, slowWire(t, key, row), appendForwarded(nil, key, row))
		assert.Equal(t, forwardedSize(key, row), len(appendForwarded(nil, key, row)))
	})
}

// TestBatchSize: the size batchSize computes is the size of EncodeBatch's
// batch, across the widths of the payload's and the array's headers.
func TestBatchSize(t *testing.T) {
	for _, tc := range []struct{ n, value int }{
		{0, 0}, {1, 0}, {1, 200}, {1, 220}, {2, 100}, {15, 1}, {16, 1}, {1, 70_000}, {3, 30_000}, {600, 5}, {70_000, 0},
	} {
		entries := make([]Entry, tc.n)
		size := 0
		for i := range entries {
			entries[i] = Entry{Peer: fwdPeer, Idx: uint64(i), TS: 1, Op: Put("k", make([]byte, tc.value))}
			w := toWire(&entries[i])
			enc, err := w.MarshalMsg(nil)
			require.NoError(t, err)
			size += len(enc)
		}
		b := EncodeBatch(entries)
		assert.Equal(t, len(b), batchSize(tc.n, size), "%d entries of %d bytes", tc.n, tc.value)
	}
}

// TestReadBatchLargeValues: a read past MaxBatchBytes is cut as
// encodeBounded cuts it, byte for byte.
func TestReadBatchLargeValues(t *testing.T) {
	if testing.Short() {
		t.Skip("moves about 200 MB")
	}
	ctx := context.Background()
	s, tr := trackerOn(t)
	big := bytes.Repeat([]byte{1}, 15<<20)
	var b kv.Batch
	for i := range uint64(5) {
		require.NoError(t, tr.TrackOne(Entry{Peer: fwdPeer, Idx: i, TS: hlc.Timestamp(i + 1), Op: Put("big", big)}, &b))
	}
	require.NoError(t, s.Commit(ctx, &b))
	for _, tc := range []struct{ from, limit, want int }{{0, 0, 2}, {0, 3, 3}, {1, 4, 4}, {4, 0, 1}} {
		got, err := tr.ReadBatch(ctx, fwdPeer, uint64(tc.from), tc.limit)
		require.NoError(t, err)
		es, err := tr.ReadEntries(ctx, fwdPeer, uint64(tc.from), batchLimit(tc.limit))
		require.NoError(t, err)
		require.True(t, bytes.Equal(encodeBounded(es), got), "from %d limit %d", tc.from, tc.limit)
		es, err = DecodeBatch(got)
		require.NoError(t, err)
		assert.Len(t, es, tc.want, "from %d limit %d", tc.from, tc.limit)
	}
}

func trackerOn(t testing.TB) (kv.Store, *IndexTracker) {
	t.Helper()
	s := memkv.New()
	tr := &IndexTracker{}
	require.NoError(t, tr.Init(context.Background(), s, "fwd"))
	return s, tr
}

// requireSameRead requires ReadBatch to serve what encodeBounded makes of
// ReadEntries' entries.
func requireSameRead(t *testing.T, tr *IndexTracker, peer uuid.UUID, from uint64, limit int) {
	t.Helper()
	ctx := context.Background()
	es, err := tr.ReadEntries(ctx, peer, from, batchLimit(limit))
	require.NoError(t, err)
	got, err := tr.ReadBatch(ctx, peer, from, limit)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(encodeBounded(es)), hex.EncodeToString(got))
}
