package oplog_test

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tinylib/msgp/msgp"

	"github.com/idbsync/idbsync/core/oplog"
)

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// allocBudget is what DecodeBatch may allocate for a batch of n bytes: a
// few times its size (the entries themselves), never a multiple of what the
// sender claims.
func allocBudget(n int) uint64 { return 12*uint64(n) + 1<<20 }

// repeatEntries is a payload of count copies of one encoded wire entry.
func repeatEntries(count int, entry []byte) []byte {
	out := msgp.AppendArrayHeader(nil, uint32(count))
	for range count {
		out = append(out, entry...)
	}
	return out
}

// minimalEntry is a valid put of peer at idx with a one-byte key, in as
// few bytes as msgp allows.
func minimalEntry(idx uint64) []byte {
	b := msgp.AppendMapHeader(nil, 4)
	b = msgp.AppendString(b, "p")
	peer := id(7)
	b = msgp.AppendBytes(b, peer[:])
	b = msgp.AppendString(b, "i")
	b = msgp.AppendUint64(b, idx)
	b = msgp.AppendString(b, "g")
	b = msgp.AppendUint8(b, uint8(oplog.TagPut))
	b = msgp.AppendString(b, "k")
	return msgp.AppendString(b, "k")
}

// TestDecodeBatchAllocationBounded: hostile batches behind a valid checksum
// cost a bounded multiple of their own size. Before entries were decoded one
// at a time, a 1 MiB batch of empty maps allocated about 219 MB.
func TestDecodeBatchAllocationBounded(t *testing.T) {
	const size = 1 << 20
	valid := make([]byte, 0, size)
	for i := uint64(0); len(valid) < size-64; i++ {
		valid = append(valid, minimalEntry(i%100)...)
	}
	count := 0
	for rest := valid; len(rest) > 0; count++ {
		var err error
		_, rest, err = msgp.ReadMapHeaderBytes(rest)
		require.NoError(t, err)
		rest = rest[len(minimalEntry(0))-1:] // all entries have one length for idx < 128
	}
	tests := []struct {
		name    string
		payload []byte
		ok      bool
	}{
		{"EmptyMaps", repeatEntries(size, []byte{0x80}), false},
		{"EmptyMapsCountedByBytes", repeatEntries(size/21, bytes.Repeat([]byte{0x80}, 21)), false},
		{"PeerOnly", repeatEntries(size/22, append(msgp.AppendString(msgp.AppendMapHeader(nil, 1), "p"), msgp.AppendBytes(nil, make([]byte, 16))...)), false},
		{"MinimalValidEntries", append(msgp.AppendArrayHeader(nil, uint32(count)), valid...), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			batch := sealed(1, tc.payload)
			var err error
			var got []oplog.Entry
			n := allocated(func() { got, err = oplog.DecodeBatch(batch) })
			assert.LessOrEqual(t, n, allocBudget(len(batch)), "allocated %d bytes for a %d-byte batch", n, len(batch))
			if tc.ok {
				require.NoError(t, err)
				assert.Len(t, got, count)
				return
			}
			require.Error(t, err)
			assert.Nil(t, got)
		})
	}
}

// TestDecodeBatchTooLarge: a batch past the hard bounds is refused with
// ErrTooLarge, and the bounds hold exactly.
func TestDecodeBatchTooLarge(t *testing.T) {
	atLimit := make([]oplog.Entry, oplog.MaxBatchEntries)
	for i := range atLimit {
		atLimit[i] = oplog.Entry{Peer: id(1), Idx: uint64(i), TS: 1, Op: oplog.Put("k", nil)}
	}
	got, err := oplog.DecodeBatch(oplog.EncodeBatch(atLimit))
	require.NoError(t, err, "MaxBatchEntries entries decode")
	assert.Len(t, got, oplog.MaxBatchEntries)

	over := append(atLimit, oplog.Entry{Peer: id(1), Idx: oplog.MaxBatchEntries, TS: 1, Op: oplog.Put("k", nil)})
	_, err = oplog.DecodeBatch(oplog.EncodeBatch(over))
	require.ErrorIs(t, err, oplog.ErrTooLarge)
	assert.Contains(t, err.Error(), fmt.Sprint(oplog.MaxBatchEntries))

	big := []oplog.Entry{{Peer: id(1), TS: 1, Op: oplog.Put("k", make([]byte, oplog.MaxBatchBytes+2048))}}
	_, err = oplog.DecodeBatch(oplog.EncodeBatch(big))
	require.ErrorIs(t, err, oplog.ErrTooLarge)
}
