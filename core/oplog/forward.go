package oplog

import (
	"context"
	"encoding/binary"

	"github.com/google/uuid"
	"github.com/tinylib/msgp/msgp"

	"github.com/idbsync/idbsync/core/kv"
)

// Reads that forward bytes: a row of <prefix>/oplog holds the entryRecord
// of an entry, a msgp map of the fields t, u, g, k, v, s in that order,
// each optional one present only when it is not empty; the entry's wire
// encoding is the wireEntry map of p, i, t, u, g, k, v, s, by the same
// rules. So the wire encoding of a row this build wrote is a map header two
// fields larger, p and i from the row's key, then the row's bytes after its
// own map header: ReadBatch copies them instead of decoding the entry and
// encoding it again. A row in any other form (a zero-length value an older
// build wrote as an empty bin, a wider encoding of a number, fields in
// another order or unknown to this build) is decoded and encoded as
// EncodeBatch would, so what a read serves does not depend on the path.

// ReadBatch implements BatchReader: one scan, then each row forwarded
// into the batch (forwardable), or decoded and encoded again where it is
// not, in one buffer of the batch's exact size.
func (t *IndexTracker) ReadBatch(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	rows, err := t.store.Scan(ctx, t.log, kv.Range{
		Start: EntryKey(peer, from),
		End:   kv.PrefixEnd(peer[:]),
		Limit: batchLimit(limit),
	})
	if err != nil {
		return nil, err
	}
	// The size of every entry first (and the encoding of those that are
	// not forwarded), so that the batch is cut by size as encodeBounded
	// cuts it and written in one buffer: every row is checked, as
	// ReadEntries decodes every row, whether or not its entry fits.
	ends := make([]int, len(rows))
	var encoded [][]byte // by row, the encodings of rows not forwarded; nil while there are none
	size := 0
	for i, r := range rows {
		if forwardable(r.Key, r.Value) {
			size += forwardedSize(r.Key, r.Value)
		} else {
			e, err := decodeEntry(r.Key, r.Value)
			if err != nil {
				return nil, err
			}
			if encoded == nil {
				encoded = make([][]byte, len(rows))
			}
			w := toWire(&e)
			encoded[i], _ = w.MarshalMsg(nil) // marshalling into a slice cannot fail
			size += len(encoded[i])
		}
		ends[i] = size
	}
	n := fitBatch(ends)
	if n > 0 {
		size = ends[n-1]
	}
	out := make([]byte, 0, batchSize(n, size))
	out = appendBatchHead(out, n, size)
	payload := len(out) - arrayHeaderSize(n)
	for i, r := range rows[:n] {
		if encoded != nil && encoded[i] != nil {
			out = append(out, encoded[i]...)
		} else {
			out = appendForwarded(out, r.Key, r.Value)
		}
	}
	return appendBatchSum(out, payload), nil
}

// forwardable reports whether the row of key and value (an oplog row) is
// exactly what this build writes for the entry it decodes to (storedRecord),
// so that its wire encoding is appendForwarded's. It accepts only the
// shortest encoding of each field, as msgp's Append functions write it, in
// the order of entryRecord's fields, no field twice and nothing after the
// map; and only values that the wire encoding carries as they are stored:
// a user of 16 bytes that is not uuid.Nil, a key, value and salt that are
// not empty (EncodeBatch leaves out what reads back empty or nil).
func forwardable(key, value []byte) bool {
	if len(key) != entryKeySize || len(value) == 0 || value[0]&0xf0 != 0x80 {
		return false
	}
	want := int(value[0] & 0x0f)
	b := value[1:]
	fields := 0
	field := func(name byte) bool {
		if len(b) < 2 || b[0] != 0xa1 || b[1] != name {
			return false
		}
		b = b[2:]
		fields++
		return true
	}
	var ok bool
	var v []byte
	if !field('t') {
		return false
	}
	if b, ok = shortestUint(b, ^uint64(0)); !ok {
		return false
	}
	if field('u') {
		if v, b, ok = shortestBin(b); !ok || len(v) != 16 || uuid.UUID(v) == uuid.Nil {
			return false
		}
	}
	if !field('g') {
		return false
	}
	if b, ok = shortestUint(b, 0xff); !ok {
		return false
	}
	if field('k') {
		if v, b, ok = shortestStr(b); !ok || len(v) == 0 {
			return false
		}
	}
	if field('v') {
		if v, b, ok = shortestBin(b); !ok || len(v) == 0 {
			return false
		}
	}
	if field('s') {
		if v, b, ok = shortestBin(b); !ok || len(v) == 0 {
			return false
		}
	}
	return fields == want && len(b) == 0
}

// forwardedSize is the size of appendForwarded's encoding of a row
// forwardable accepts.
func forwardedSize(key, value []byte) int {
	return forwardedHead + uintSize(binary.BigEndian.Uint64(key[16:])) + len(value) - 1
}

// forwardedHead is the size of the wire entry's map header and its "p"
// field, and of the key of its "i" field.
const forwardedHead = 1 + 2 + 2 + 16 + 2

// appendForwarded appends to b the wire encoding of the entry of a row
// forwardable accepts: the map header two fields larger, the peer and the
// index of the row's key, then the row's fields.
func appendForwarded(b, key, value []byte) []byte {
	b = append(b, value[0]+2, 0xa1, 'p', 0xc4, 16)
	b = append(b, key[:16]...)
	b = append(b, 0xa1, 'i')
	b = msgp.AppendUint64(b, binary.BigEndian.Uint64(key[16:]))
	return append(b, value[1:]...)
}

// shortestUint reads an unsigned integer of at most limit in its shortest
// encoding (msgp.AppendUint64's) and returns what follows it; ok is false
// for anything else.
func shortestUint(b []byte, limit uint64) (rest []byte, ok bool) {
	if len(b) == 0 {
		return nil, false
	}
	var u, floor uint64
	var n int
	switch b[0] {
	case 0xcc:
		n, floor = 1, 0x80
	case 0xcd:
		n, floor = 2, 1<<8
	case 0xce:
		n, floor = 4, 1<<16
	case 0xcf:
		n, floor = 8, 1<<32
	default:
		return b[1:], b[0] < 0x80 // a positive fixint
	}
	if len(b) < 1+n {
		return nil, false
	}
	for _, c := range b[1 : 1+n] {
		u = u<<8 | uint64(c)
	}
	return b[1+n:], u >= floor && u <= limit
}

// shortestBin reads a bin in its shortest encoding (msgp.AppendBytes') and
// returns its bytes and what follows it.
func shortestBin(b []byte) (v, rest []byte, ok bool) {
	if len(b) == 0 {
		return nil, nil, false
	}
	switch b[0] {
	case 0xc4:
		return sized(b, 1, 0)
	case 0xc5:
		return sized(b, 2, 1<<8)
	case 0xc6:
		return sized(b, 4, 1<<16)
	}
	return nil, nil, false
}

// shortestStr reads a str in its shortest encoding (msgp.AppendString's)
// and returns its bytes and what follows it.
func shortestStr(b []byte) (v, rest []byte, ok bool) {
	if len(b) == 0 {
		return nil, nil, false
	}
	switch c := b[0]; {
	case c&0xe0 == 0xa0: // fixstr
		n := int(c & 0x1f)
		if len(b) < 1+n {
			return nil, nil, false
		}
		return b[1 : 1+n], b[1+n:], true
	case c == 0xd9:
		return sized(b, 1, 32)
	case c == 0xda:
		return sized(b, 2, 1<<8)
	case c == 0xdb:
		return sized(b, 4, 1<<16)
	}
	return nil, nil, false
}

// sized reads the bytes after a lead byte and an n-byte big-endian length
// of at least floor (below it, a shorter header would have been written).
func sized(b []byte, n int, floor uint64) (v, rest []byte, ok bool) {
	if len(b) < 1+n {
		return nil, nil, false
	}
	var size uint64
	for _, c := range b[1 : 1+n] {
		size = size<<8 | uint64(c)
	}
	b = b[1+n:]
	if size < floor || size > uint64(len(b)) {
		return nil, nil, false
	}
	return b[:size], b[size:], true
}
