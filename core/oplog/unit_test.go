package oplog_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tinylib/msgp/msgp"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/oplog"
)

// id returns a peer id that sorts by n.
func id(n byte) uuid.UUID { return uuid.UUID{n, 0xee, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, n} }

func TestMerge(t *testing.T) {
	a, b, c := id(1), id(2), id(3)
	tests := []struct {
		name        string
		left, right oplog.PeerCursors
		want        oplog.PeerCursors
	}{
		{"BothEmpty", oplog.PeerCursors{}, oplog.PeerCursors{}, oplog.PeerCursors{}},
		{"EmptyLeft", oplog.PeerCursors{}, oplog.PeerCursors{a: 3}, oplog.PeerCursors{a: 3}},
		{"NilRight", oplog.PeerCursors{a: 3}, nil, oplog.PeerCursors{a: 3}},
		{"PointwiseMax", oplog.PeerCursors{a: 5, b: 1}, oplog.PeerCursors{a: 2, b: 7}, oplog.PeerCursors{a: 5, b: 7}},
		{"DisjointPeers", oplog.PeerCursors{a: 1}, oplog.PeerCursors{b: 2, c: 3}, oplog.PeerCursors{a: 1, b: 2, c: 3}},
		{"Equal", oplog.PeerCursors{a: 4}, oplog.PeerCursors{a: 4}, oplog.PeerCursors{a: 4}},
		{"NeverLowers", oplog.PeerCursors{a: math.MaxUint64}, oplog.PeerCursors{a: 0}, oplog.PeerCursors{a: math.MaxUint64}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lr := tc.left.Clone()
			lr.Merge(tc.right)
			assert.Equal(t, tc.want, lr, "left.Merge(right)")
			rl := tc.right.Clone()
			rl.Merge(tc.left)
			assert.Equal(t, tc.want, rl, "right.Merge(left): merge is commutative")
			lr.Merge(tc.right)
			assert.Equal(t, tc.want, lr, "merge is idempotent")
			assert.Equal(t, oplog.Equal, lr.Compare(tc.want))
		})
	}

	t.Run("Associative", func(t *testing.T) {
		x, y, z := oplog.PeerCursors{a: 1, b: 9}, oplog.PeerCursors{b: 2, c: 5}, oplog.PeerCursors{a: 7, c: 1}
		xy := x.Clone()
		xy.Merge(y)
		xy.Merge(z)
		yz := y.Clone()
		yz.Merge(z)
		x2 := x.Clone()
		x2.Merge(yz)
		assert.Equal(t, xy, x2)
	})
	t.Run("CloneIsIndependent", func(t *testing.T) {
		x := oplog.PeerCursors{a: 1}
		y := x.Clone()
		y.Merge(oplog.PeerCursors{a: 5})
		assert.Equal(t, uint64(1), x.Get(a))
		assert.Equal(t, oplog.PeerCursors{}, oplog.PeerCursors(nil).Clone(), "the clone of nil is empty and writable")
	})
}

func TestCompare(t *testing.T) {
	a, b := id(1), id(2)
	tests := []struct {
		name        string
		left, right oplog.PeerCursors
		want        oplog.Order
	}{
		{"BothEmpty", oplog.PeerCursors{}, nil, oplog.Equal},
		{"Same", oplog.PeerCursors{a: 2, b: 3}, oplog.PeerCursors{a: 2, b: 3}, oplog.Equal},
		{"ZeroIsAbsent", oplog.PeerCursors{a: 0}, oplog.PeerCursors{}, oplog.Equal},
		{"BehindOnOne", oplog.PeerCursors{a: 1, b: 3}, oplog.PeerCursors{a: 2, b: 3}, oplog.Behind},
		{"BehindMissingPeer", oplog.PeerCursors{a: 2}, oplog.PeerCursors{a: 2, b: 1}, oplog.Behind},
		{"AheadOnOne", oplog.PeerCursors{a: 3, b: 3}, oplog.PeerCursors{a: 2, b: 3}, oplog.Ahead},
		{"AheadExtraPeer", oplog.PeerCursors{a: 2, b: 1}, oplog.PeerCursors{a: 2}, oplog.Ahead},
		{"Concurrent", oplog.PeerCursors{a: 3, b: 1}, oplog.PeerCursors{a: 2, b: 2}, oplog.Concurrent},
		{"ConcurrentDisjoint", oplog.PeerCursors{a: 1}, oplog.PeerCursors{b: 1}, oplog.Concurrent},
	}
	mirror := map[oplog.Order]oplog.Order{
		oplog.Equal: oplog.Equal, oplog.Behind: oplog.Ahead, oplog.Ahead: oplog.Behind, oplog.Concurrent: oplog.Concurrent,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.left.Compare(tc.right), "left vs right")
			assert.Equal(t, mirror[tc.want], tc.right.Compare(tc.left), "right vs left")
		})
	}
	for o, s := range map[oplog.Order]string{oplog.Equal: "equal", oplog.Behind: "behind", oplog.Ahead: "ahead", oplog.Concurrent: "concurrent"} {
		assert.Equal(t, s, o.String())
	}
}

func TestMissing(t *testing.T) {
	a, b, c := id(1), id(2), id(3)
	tests := []struct {
		name         string
		mine, theirs oplog.PeerCursors
		want         []oplog.Range
	}{
		{"BothEmpty", oplog.PeerCursors{}, oplog.PeerCursors{}, nil},
		{"Equal", oplog.PeerCursors{a: 3}, oplog.PeerCursors{a: 3}, nil},
		{"Ahead", oplog.PeerCursors{a: 5, b: 2}, oplog.PeerCursors{a: 3}, nil},
		{"UnknownPeer", oplog.PeerCursors{}, oplog.PeerCursors{a: 2}, []oplog.Range{{Peer: a, From: 0, To: 2}}},
		{"Partial", oplog.PeerCursors{a: 3}, oplog.PeerCursors{a: 5}, []oplog.Range{{Peer: a, From: 3, To: 5}}},
		{"ZeroIsNothing", oplog.PeerCursors{}, oplog.PeerCursors{a: 0}, nil},
		{"SortedByPeer", oplog.PeerCursors{b: 1, a: 9}, oplog.PeerCursors{c: 4, a: 10, b: 3},
			[]oplog.Range{{Peer: a, From: 9, To: 10}, {Peer: b, From: 1, To: 3}, {Peer: c, From: 0, To: 4}}},
		{"ConcurrentOnlyTheirs", oplog.PeerCursors{a: 9, b: 1}, oplog.PeerCursors{a: 1, b: 4},
			[]oplog.Range{{Peer: b, From: 1, To: 4}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.mine.Missing(tc.theirs)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, got)
			merged := tc.mine.Clone()
			for _, r := range got {
				assert.Equal(t, r.To-r.From, r.Len())
				merged[r.Peer] = r.To
			}
			assert.NotEqual(t, oplog.Behind, merged.Compare(tc.theirs), "pulling the ranges catches up")
		})
	}
	// Many peers: the order is by peer id bytes, whatever the map order.
	mine, theirs := oplog.PeerCursors{}, oplog.PeerCursors{}
	for n := range 50 {
		theirs[id(byte(200-n))] = uint64(n + 1)
	}
	got := mine.Missing(theirs)
	require.Len(t, got, 50)
	for i := 1; i < len(got); i++ {
		assert.Negative(t, bytes.Compare(got[i-1].Peer[:], got[i].Peer[:]))
	}
}

// hashEntry is Entry.Hash written from its documentation.
func hashEntry(e oplog.Entry) [32]byte {
	b := []byte("idbsync/entry/v1\x00")
	b = append(b, e.Peer[:]...)
	b = binary.BigEndian.AppendUint64(b, e.Idx)
	b = binary.BigEndian.AppendUint64(b, uint64(e.TS))
	b = append(b, make([]byte, 16)...) // the user's slot: never hashed
	b = append(b, byte(e.Op.Tag))
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Op.Key)))
	b = append(b, e.Op.Key...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Op.Value)))
	b = append(b, e.Op.Value...)
	if len(e.Salt) > 0 {
		b = binary.BigEndian.AppendUint32(b, uint32(len(e.Salt)))
		b = append(b, e.Salt...)
	}
	return sha256.Sum256(b)
}

func TestEntryHash(t *testing.T) {
	orig := oplog.Entry{Peer: id(1), Idx: 7, TS: 1 << 20, User: id(9), Op: oplog.Put("ab", []byte("c"))}
	h := orig.Hash()
	assert.Equal(t, h, orig.Hash(), "deterministic")
	cp := orig
	cp.Op.Value = bytes.Clone(orig.Op.Value)
	assert.Equal(t, h, cp.Hash(), "depends on content, not on slices")
	assert.Equal(t, hashEntry(orig), h, "matches the documented encoding")

	tests := []struct {
		name   string
		mutate func(e *oplog.Entry)
	}{
		{"Peer", func(e *oplog.Entry) { e.Peer = id(2) }},
		{"Idx", func(e *oplog.Entry) { e.Idx = 8 }},
		{"TS", func(e *oplog.Entry) { e.TS++ }},
		{"Salt", func(e *oplog.Entry) { e.Salt = []byte("0123456789abcdef") }},
		{"OtherSalt", func(e *oplog.Entry) { e.Salt = []byte("0123456789abcdeF") }},
		{"SaltLength", func(e *oplog.Entry) { e.Salt = []byte("0123456789abcde") }},
		{"Tag", func(e *oplog.Entry) { e.Op.Tag = oplog.TagDelete }},
		{"Key", func(e *oplog.Entry) { e.Op.Key = "ac" }},
		{"Value", func(e *oplog.Entry) { e.Op.Value = []byte("d") }},
		{"NoValue", func(e *oplog.Entry) { e.Op.Value = nil }},
		{"KeyValueBoundaryLeft", func(e *oplog.Entry) { e.Op.Key, e.Op.Value = "a", []byte("bc") }},
		{"KeyValueBoundaryRight", func(e *oplog.Entry) { e.Op.Key, e.Op.Value = "abc", nil }},
		{"IdxTSSwap", func(e *oplog.Entry) { e.Idx, e.TS = uint64(e.TS), hlc.Timestamp(e.Idx) }},
	}
	seen := map[[32]byte]string{h: "original"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := orig
			e.Op.Value = bytes.Clone(orig.Op.Value)
			tc.mutate(&e)
			got := e.Hash()
			assert.NotEqual(t, h, got, "the hash covers %s", tc.name)
			assert.Equal(t, hashEntry(e), got)
			if other, dup := seen[got]; dup {
				t.Errorf("%s hashes like %s", tc.name, other)
			}
			seen[got] = tc.name
		})
	}

	// Stored and decoded entries may carry nil for an empty value: the
	// marker of an expunged entry must not depend on which.
	empty := orig
	empty.Op.Value = []byte{}
	none := orig
	none.Op.Value = nil
	assert.Equal(t, none.Hash(), empty.Hash(), "nil and empty values hash alike")

	// ServerUser is the server's attestation, not what the author wrote:
	// two replicas holding an entry with and without it hold the same one.
	for _, user := range []uuid.UUID{id(10), uuid.Nil} {
		e := orig
		e.User = user
		assert.Equal(t, h, e.Hash(), "the user is not hashed")
	}

	m := oplog.Marker(id(1), 7, h)
	assert.True(t, m.Expunged())
	assert.Equal(t, h, m.ExpungedHash())
	assert.NoError(t, m.Validate())
	assert.Equal(t, h, m.Hash(), "a marker stands for the entry it replaced: its hash is the one it holds")
}

// TestEntryHashGolden pins Hash to the values builds before the one-buffer
// hash computed (markers and fork checks compare hashes across builds),
// on both of its paths: entries that fit its stack buffer and larger ones.
func TestEntryHashGolden(t *testing.T) {
	salt := []byte("0123456789abcdef")
	tests := []struct {
		name  string
		entry oplog.Entry
		want  string
	}{
		{"Unsalted", oplog.Entry{Peer: id(1), Idx: 7, TS: 1 << 20, Op: oplog.Put("ab", []byte("c"))},
			"db0b394a2fd54bcb0f9b7046b5c506025d134f521cda324c4f74293010faea75"},
		{"Salted", oplog.Entry{Peer: id(2), Idx: 1<<40 + 3, TS: 1_700_000_000_000<<16 | 5, User: id(9), Op: oplog.Put("k/é", []byte("value")), Salt: salt},
			"ea1d126845f41a649994a9f1722866c93c49eb0b4d84aa9617c02da995b90089"},
		{"Delete", oplog.Entry{Peer: id(3), Idx: 0, TS: 1, Op: oplog.Delete("gone"), Salt: []byte("s")},
			"8e5459e1bce2588610f9aa98d3d9233c8aa9616d2b5ec73fa67c064a205c3a75"},
		{"LargeValue", oplog.Entry{Peer: id(4), Idx: 9, TS: 2, Op: oplog.Put("big", bytes.Repeat([]byte{0xa5}, 4000)), Salt: salt},
			"589e0fff387c992758883553af6065aae8da369a7a273d44ad8b98e0996d83b8"},
		{"LargeKey", oplog.Entry{Peer: id(5), Idx: 10, TS: 3, Op: oplog.Put(strings.Repeat("x", oplog.MaxKeyLen), []byte("v"))},
			"215d59d02f8669b62fdfb44441792bc62ff7319bd0227aeab0798c7e4353689c"},
		{"AtStackLimit", oplog.Entry{Peer: id(6), Idx: 11, TS: 4, Op: oplog.Put("k", bytes.Repeat([]byte{1}, 417)), Salt: salt},
			"1d177f80448479f7f060e495e02806c307b0a13891cb47b828020359a6a7f924"},
		{"PastStackLimit", oplog.Entry{Peer: id(6), Idx: 12, TS: 4, Op: oplog.Put("k", bytes.Repeat([]byte{1}, 418)), Salt: salt},
			"48f6d6070513b4a49b32d761abb943636a57589088cd08c5525c87a26e5a2081"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.entry.Hash()
			assert.Equal(t, tc.want, hex.EncodeToString(got[:]))
			assert.Equal(t, hashEntry(tc.entry), got, "matches the documented encoding")
		})
	}
}

func TestOpValidate(t *testing.T) {
	tests := []struct {
		name string
		op   oplog.Op
		ok   bool
	}{
		{"Put", oplog.Put("k", []byte("v")), true},
		{"PutEmptyValue", oplog.Put("k", []byte{}), true},
		{"PutNilValue", oplog.Put("k", nil), true},
		{"Delete", oplog.Delete("k"), true},
		{"DeleteEmptyValue", oplog.Op{Tag: oplog.TagDelete, Key: "k", Value: []byte{}}, true},
		{"DeleteWithValue", oplog.Op{Tag: oplog.TagDelete, Key: "k", Value: []byte("v")}, false},
		{"TagZero", oplog.Op{Tag: 0, Key: "k"}, false},
		{"TagUnknown", oplog.Op{Tag: 3, Key: "k"}, false},
		{"TagExpunged", oplog.Op{Tag: oplog.TagExpunged, Key: "k", Value: make([]byte, 32)}, false},
		{"EmptyKey", oplog.Put("", []byte("v")), false},
		{"EmptyKeyDelete", oplog.Delete(""), false},
		{"MaxKey", oplog.Put(strings.Repeat("k", oplog.MaxKeyLen), nil), true},
		{"OversizedKey", oplog.Put(strings.Repeat("k", oplog.MaxKeyLen+1), nil), false},
		{"UnicodeKey", oplog.Put("ключ/😀", nil), true},
		{"NULInKey", oplog.Put("a\x00b", nil), true},
		{"InvalidUTF8Key", oplog.Put("a\xffb", nil), false},
		{"BigValue", oplog.Put("k", make([]byte, 1<<20)), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op.Validate()
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, oplog.ErrInvalidOp)
			assert.NotErrorIs(t, err, oplog.ErrInvalidEntry)
		})
	}
}

func TestEntryValidate(t *testing.T) {
	hash := sha256.Sum256([]byte("x"))
	marker := oplog.Marker(id(1), 3, hash)
	withMarker := func(f func(e *oplog.Entry)) oplog.Entry {
		e := marker
		e.Op.Value = bytes.Clone(marker.Op.Value)
		f(&e)
		return e
	}
	tests := []struct {
		name    string
		entry   oplog.Entry
		ok      bool
		invalOp bool // the error also matches ErrInvalidOp
	}{
		{"Put", oplog.Entry{Peer: id(1), Idx: 0, TS: 1, Op: oplog.Put("k", []byte("v"))}, true, false},
		{"Attributed", oplog.Entry{Peer: id(1), Idx: 5, TS: 1, User: id(2), Op: oplog.Delete("k")}, true, false},
		{"ZeroTS", oplog.Entry{Peer: id(1), Op: oplog.Put("k", nil)}, true, false},
		{"MaxIdxTS", oplog.Entry{Peer: id(1), Idx: math.MaxUint64, TS: math.MaxUint64, Op: oplog.Put("k", nil)}, true, false},
		{"NilPeer", oplog.Entry{Idx: 0, TS: 1, Op: oplog.Put("k", nil)}, false, false},
		{"NilPeerMarker", withMarker(func(e *oplog.Entry) { e.Peer = uuid.Nil }), false, false},
		{"InvalidOp", oplog.Entry{Peer: id(1), TS: 1, Op: oplog.Op{Tag: 7, Key: "k"}}, false, true},
		{"EmptyKey", oplog.Entry{Peer: id(1), TS: 1, Op: oplog.Put("", nil)}, false, true},
		{"Marker", marker, true, false},
		{"MarkerShortHash", withMarker(func(e *oplog.Entry) { e.Op.Value = e.Op.Value[:31] }), false, false},
		{"MarkerLongHash", withMarker(func(e *oplog.Entry) { e.Op.Value = append(e.Op.Value, 0) }), false, false},
		{"MarkerNoHash", withMarker(func(e *oplog.Entry) { e.Op.Value = nil }), false, false},
		{"MarkerWithKey", withMarker(func(e *oplog.Entry) { e.Op.Key = "k" }), false, false},
		{"MarkerWithUser", withMarker(func(e *oplog.Entry) { e.User = id(2) }), false, false},
		{"MarkerWithTS", withMarker(func(e *oplog.Entry) { e.TS = 1 }), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.entry.Validate()
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, oplog.ErrInvalidEntry)
			assert.Equal(t, tc.invalOp, errors.Is(err, oplog.ErrInvalidOp), "matches ErrInvalidOp")
		})
	}
}

// canon makes entries comparable: decoding gives nil for an empty value.
func canon(es []oplog.Entry) []oplog.Entry {
	out := make([]oplog.Entry, len(es))
	for i, e := range es {
		if len(e.Op.Value) == 0 {
			e.Op.Value = nil
		}
		out[i] = e
	}
	return out
}

// sampleBatches are the batches the wire tests round-trip.
func sampleBatches() map[string][]oplog.Entry {
	hash := sha256.Sum256([]byte("gone"))
	attributed := oplog.Entry{Peer: id(1), Idx: 1, TS: 1<<16 | 2, User: id(7), Op: oplog.Put("who", []byte("me"))}
	return map[string][]oplog.Entry{
		"Empty":      {},
		"Put":        {{Peer: id(1), Idx: 0, TS: 1 << 16, Op: oplog.Put("k", []byte("v"))}},
		"Delete":     {{Peer: id(1), Idx: 0, TS: 1 << 16, Op: oplog.Delete("k")}},
		"EmptyValue": {{Peer: id(1), Idx: 0, TS: 1 << 16, Op: oplog.Put("k", []byte{})}},
		"Marker":     {oplog.Marker(id(1), 4, hash)},
		"Attributed": {attributed},
		"MaxIdxTS":   {{Peer: id(255), Idx: math.MaxUint64, TS: math.MaxUint64, Op: oplog.Put("k", []byte{0, 0xff})}},
		"Mixed": {
			{Peer: id(1), Idx: 0, TS: 5, Op: oplog.Put("a", []byte("1"))},
			attributed,
			{Peer: id(2), Idx: 9, TS: 6, Op: oplog.Put("ключ", bytes.Repeat([]byte{0xab}, 300))},
			oplog.Marker(id(1), 2, hash),
			{Peer: id(2), Idx: 10, TS: 7, Op: oplog.Delete("a")},
		},
	}
}

func TestWireRoundTrip(t *testing.T) {
	for name, es := range sampleBatches() {
		t.Run(name, func(t *testing.T) {
			b := oplog.EncodeBatch(es)
			got, err := oplog.DecodeBatch(b)
			require.NoError(t, err)
			require.Len(t, got, len(es))
			if len(es) > 0 {
				assert.Equal(t, canon(es), canon(got))
			}
			for i := range es {
				assert.Equal(t, es[i].Hash(), got[i].Hash(), "entry %d keeps its hash", i)
			}
			again, err := oplog.DecodeBatch(oplog.EncodeBatch(got))
			require.NoError(t, err)
			assert.Equal(t, canon(got), canon(again))
		})
	}
	empty, err := oplog.DecodeBatch(oplog.EncodeBatch(nil))
	require.NoError(t, err)
	assert.Empty(t, empty, "a nil batch encodes as an empty one")
}

func TestWireRejectsTruncation(t *testing.T) {
	for name, es := range sampleBatches() {
		t.Run(name, func(t *testing.T) {
			b := oplog.EncodeBatch(es)
			for n := range len(b) {
				got, err := oplog.DecodeBatch(b[:n])
				require.ErrorIs(t, err, oplog.ErrCorrupt, "prefix of %d of %d bytes", n, len(b))
				require.Nil(t, got)
			}
		})
	}
}

// TestWireRejectsAlteredByte changes every byte of small batches to every
// other value: each must fail with ErrCorrupt, without panicking.
func TestWireRejectsAlteredByte(t *testing.T) {
	batches := sampleBatches()
	for _, name := range []string{"Put", "Marker", "Attributed", "Empty"} {
		t.Run(name, func(t *testing.T) {
			b := oplog.EncodeBatch(batches[name])
			for i := range b {
				for v := range 256 {
					if byte(v) == b[i] {
						continue
					}
					c := bytes.Clone(b)
					c[i] = byte(v)
					var got []oplog.Entry
					var err error
					require.NotPanics(t, func() { got, err = oplog.DecodeBatch(c) }, "byte %d to %#x", i, v)
					if err == nil {
						// Only acceptable if it is the very same batch.
						require.Equal(t, canon(batches[name]), canon(got), "byte %d to %#x decoded to other entries", i, v)
					}
					require.ErrorIs(t, err, oplog.ErrCorrupt, "byte %d of %d from %#x to %#x", i, len(b), b[i], v)
				}
			}
		})
	}
}

func TestWireRejectsTrailingBytes(t *testing.T) {
	b := oplog.EncodeBatch(sampleBatches()["Put"])
	for name, tail := range map[string][]byte{
		"Zero":        {0},
		"NilMsgp":     {0xc0},
		"SecondBatch": oplog.EncodeBatch(sampleBatches()["Marker"]),
		"SameBatch":   b,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := oplog.DecodeBatch(append(bytes.Clone(b), tail...))
			assert.ErrorIs(t, err, oplog.ErrCorrupt)
		})
	}
	for name, b := range map[string][]byte{"Nil": nil, "Empty": {}, "NotAMap": {0x90}, "EmptyMap": {0x80}} {
		t.Run(name, func(t *testing.T) {
			_, err := oplog.DecodeBatch(b)
			assert.ErrorIs(t, err, oplog.ErrCorrupt)
		})
	}
}

// envelope rebuilds a wire batch from its parts: format, payload and sum.
func envelope(format uint64, payload, sum []byte) []byte {
	b := msgp.AppendMapHeader(nil, 3)
	b = msgp.AppendString(b, "f")
	b = msgp.AppendUint64(b, format)
	b = msgp.AppendString(b, "e")
	b = msgp.AppendBytes(b, payload)
	b = msgp.AppendString(b, "s")
	return msgp.AppendBytes(b, sum)
}

// payloadOf returns the encoded entries inside a wire batch.
func payloadOf(t *testing.T, b []byte) []byte {
	t.Helper()
	n, b, err := msgp.ReadMapHeaderBytes(b)
	require.NoError(t, err)
	var payload []byte
	for range n {
		var key []byte
		key, b, err = msgp.ReadMapKeyZC(b)
		require.NoError(t, err)
		if string(key) == "e" {
			payload, b, err = msgp.ReadBytesBytes(b, nil)
		} else {
			b, err = msgp.Skip(b)
		}
		require.NoError(t, err)
	}
	require.NotNil(t, payload)
	return payload
}

func sealed(format uint64, payload []byte) []byte {
	sum := sha256.Sum256(payload)
	return envelope(format, payload, sum[:])
}

func TestWireEnvelope(t *testing.T) {
	es := sampleBatches()["Mixed"]
	payload := payloadOf(t, oplog.EncodeBatch(es))

	got, err := oplog.DecodeBatch(sealed(1, payload))
	require.NoError(t, err, "a rebuilt envelope of format 1 decodes: the helpers are right")
	assert.Equal(t, canon(es), canon(got))

	for _, format := range []uint64{0, 2, 255} {
		_, err := oplog.DecodeBatch(sealed(format, payload))
		assert.ErrorIs(t, err, oplog.ErrCorrupt, "format %d", format)
	}
	other := sha256.Sum256([]byte("other"))
	_, err = oplog.DecodeBatch(envelope(1, payload, other[:]))
	assert.ErrorIs(t, err, oplog.ErrCorrupt, "a wrong sum")
	_, err = oplog.DecodeBatch(envelope(1, payload, nil))
	assert.ErrorIs(t, err, oplog.ErrCorrupt, "no sum")
}

// entryPayload encodes wire entries by hand, one map per entry.
func entryPayload(entries ...map[string]any) []byte {
	b := msgp.AppendArrayHeader(nil, uint32(len(entries)))
	for _, e := range entries {
		b = msgp.AppendMapHeader(b, uint32(len(e)))
		for _, k := range []string{"p", "i", "t", "u", "g", "k", "v"} {
			v, ok := e[k]
			if !ok {
				continue
			}
			b = msgp.AppendString(b, k)
			switch v := v.(type) {
			case []byte:
				b = msgp.AppendBytes(b, v)
			case string:
				b = msgp.AppendString(b, v)
			case int:
				b = msgp.AppendUint64(b, uint64(v))
			}
		}
	}
	return b
}

func TestWireSealedButBad(t *testing.T) {
	p := id(1)
	good := map[string]any{"p": p[:], "i": 0, "t": 1, "g": 1, "k": "k", "v": []byte("v")}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	got, err := oplog.DecodeBatch(sealed(1, entryPayload(good)))
	require.NoError(t, err, "the hand-built entry is valid")
	require.Equal(t, []oplog.Entry{{Peer: p, Idx: 0, TS: 1, Op: oplog.Put("k", []byte("v"))}}, got)

	tests := []struct {
		name    string
		payload []byte
		want    error
	}{
		{"ShortPeer", entryPayload(with("p", p[:15])), oplog.ErrCorrupt},
		{"NoPeer", entryPayload(with("p", nil)), oplog.ErrCorrupt},
		{"ShortUser", entryPayload(with("u", []byte{1, 2, 3})), oplog.ErrCorrupt},
		{"NotAnArray", msgp.AppendMapHeader(nil, 0), oplog.ErrCorrupt},
		{"TrailingInPayload", append(entryPayload(good), 0), oplog.ErrCorrupt},
		{"WrongType", entryPayload(with("i", "seven")), oplog.ErrCorrupt},
		{"NilPeer", entryPayload(with("p", make([]byte, 16))), oplog.ErrInvalidEntry},
		{"UnknownTag", entryPayload(with("g", 9)), oplog.ErrInvalidEntry},
		{"EmptyKey", entryPayload(with("k", nil)), oplog.ErrInvalidEntry},
		{"MarkerBadHash", entryPayload(with("g", 0xff)), oplog.ErrInvalidEntry},
		{"InvalidSecond", entryPayload(good, with("g", 0)), oplog.ErrInvalidEntry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := oplog.DecodeBatch(sealed(1, tc.payload))
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, got)
			if tc.want == oplog.ErrInvalidEntry {
				assert.NotErrorIs(t, err, oplog.ErrCorrupt, "an invalid entry is not a corrupt batch")
			}
		})
	}
}

// TestDecodeBatchBoundsEntryCount feeds batches whose checksum is right but
// whose entry count is far beyond their bytes: a decoder that allocates for
// the count first would run out of memory, which no recover catches.
func TestDecodeBatchBoundsEntryCount(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
	}{
		{"Array32Max", []byte{0xdd, 0x7f, 0xff, 0xff, 0xff}},
		{"Array32Huge", []byte{0xdd, 0xff, 0xff, 0xff, 0xff}},
		{"Array16MoreThanBytes", []byte{0xdc, 0x00, 0x10, 0x80}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := oplog.DecodeBatch(sealed(1, tc.payload))
			assert.ErrorIs(t, err, oplog.ErrCorrupt)
		})
	}
}
