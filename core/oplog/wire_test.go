package oplog_test

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tinylib/msgp/msgp"

	"github.com/idbsync/idbsync/core/hlc"
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

// BenchmarkWire measures what a replica does to a wire batch of 500
// entries besides storing them (20 peers, 100-byte values, salted, as Exec
// writes them): decoding and checking it, encoding it, hashing each entry.
func BenchmarkWire(b *testing.B) {
	entries := make([]oplog.Entry, 0, 500)
	value := make([]byte, 100)
	for i := range 25 {
		for p := range 20 {
			entries = append(entries, oplog.Entry{
				Peer: id(byte(p + 1)), Idx: uint64(i), TS: hlc.Timestamp(1_700_000_000_000<<16 | uint64(i)),
				Op: oplog.Put(fmt.Sprintf("p%02d/%08d", p, i), value), Salt: bytes.Repeat([]byte{byte(i)}, oplog.SaltSize),
			})
		}
	}
	wire := oplog.EncodeBatch(entries)
	perEntry := func(b *testing.B) {
		b.ReportMetric(float64(len(entries)*b.N)/b.Elapsed().Seconds(), "entries/s")
	}

	b.Run("DecodeBatch500", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			es, err := oplog.DecodeBatch(wire)
			if err != nil || len(es) != len(entries) {
				b.Fatalf("decoded %d entries: %v", len(es), err)
			}
		}
		perEntry(b)
	})
	b.Run("EncodeBatch500", func(b *testing.B) {
		for b.Loop() {
			_ = oplog.EncodeBatch(entries)
		}
		perEntry(b)
	})
	b.Run("Hash500", func(b *testing.B) {
		for b.Loop() {
			for _, e := range entries {
				_ = e.Hash()
			}
		}
		perEntry(b)
	})
}

// TestDecodeBatchFirstBadEntry: of several bad entries, the first is the one
// reported, a corrupt entry ranking before its own checks, and the bytes
// after the last entry checked last.
func TestDecodeBatchFirstBadEntry(t *testing.T) {
	valid := minimalEntry
	invalid := func(idx uint64) []byte { // decodes, but holds a delete with a value
		b := msgp.AppendMapHeader(nil, 5)
		b = msgp.AppendString(b, "p")
		peer := id(7)
		b = msgp.AppendBytes(b, peer[:])
		b = msgp.AppendString(b, "i")
		b = msgp.AppendUint64(b, idx)
		b = msgp.AppendString(b, "g")
		b = msgp.AppendUint8(b, uint8(oplog.TagDelete))
		b = msgp.AppendString(b, "k")
		b = msgp.AppendString(b, "k")
		b = msgp.AppendString(b, "v")
		return msgp.AppendBytes(b, []byte("x"))
	}
	corrupt := func(uint64) []byte { // "i" is not an integer
		b := msgp.AppendMapHeader(nil, 1)
		b = msgp.AppendString(b, "i")
		return msgp.AppendString(b, "seven")
	}
	shortPeer := func(uint64) []byte {
		b := msgp.AppendMapHeader(nil, 1)
		b = msgp.AppendString(b, "p")
		return msgp.AppendBytes(b, []byte{1, 2, 3})
	}
	tests := []struct {
		name     string
		entries  []func(uint64) []byte
		trailing bool
		want     error
		wantMsg  string
	}{
		{name: "all valid", entries: []func(uint64) []byte{valid, valid, valid}},
		{name: "invalid then corrupt", entries: []func(uint64) []byte{valid, invalid, corrupt}, want: oplog.ErrInvalidEntry, wantMsg: "entry 1:"},
		{name: "corrupt then invalid", entries: []func(uint64) []byte{valid, corrupt, invalid}, want: oplog.ErrCorrupt, wantMsg: "entry 1:"},
		{name: "bad peer then invalid", entries: []func(uint64) []byte{shortPeer, invalid}, want: oplog.ErrCorrupt, wantMsg: "entry 0: peer"},
		{name: "invalid then trailing bytes", entries: []func(uint64) []byte{valid, valid, invalid}, trailing: true, want: oplog.ErrInvalidEntry, wantMsg: "entry 2:"},
		{name: "trailing bytes", entries: []func(uint64) []byte{valid}, trailing: true, want: oplog.ErrCorrupt, wantMsg: "after the last entry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := msgp.AppendArrayHeader(nil, uint32(len(tc.entries)))
			for i, entry := range tc.entries {
				payload = append(payload, entry(uint64(i))...)
			}
			if tc.trailing {
				payload = append(payload, bytes.Repeat([]byte{0xc0}, 32)...)
			}
			got, err := oplog.DecodeBatch(sealed(1, payload))
			if tc.want == nil {
				require.NoError(t, err)
				assert.Len(t, got, len(tc.entries))
				for i, e := range got {
					assert.Equal(t, "k", e.Op.Key, "entry %d", i)
					assert.Equal(t, uint64(i), e.Idx)
				}
				return
			}
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.wantMsg)
			assert.Nil(t, got)
		})
	}
}

// TestDecodeBatchEntriesIndependent: decoded entries share the batch's
// memory, but appending to one's value or salt reaches no other entry.
func TestDecodeBatchEntriesIndependent(t *testing.T) {
	in := []oplog.Entry{
		{Peer: id(1), Idx: 0, TS: 1, Op: oplog.Put("a", []byte("one")), Salt: []byte("salt-a")},
		{Peer: id(1), Idx: 1, TS: 2, Op: oplog.Put("b", []byte("two")), Salt: []byte("salt-b")},
	}
	wire := oplog.EncodeBatch(in)
	got, err := oplog.DecodeBatch(wire)
	require.NoError(t, err)
	require.Len(t, got, 2)
	_ = append(got[0].Op.Value, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"...)
	_ = append(got[0].Salt, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"...)
	assert.Equal(t, canon(in), canon(got))
	assert.Equal(t, in[1].Hash(), got[1].Hash())
	again, err := oplog.DecodeBatch(wire)
	require.NoError(t, err)
	assert.Equal(t, canon(in), canon(again), "the wire batch is untouched")
}
