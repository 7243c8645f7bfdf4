package oplog

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"github.com/google/uuid"
	"github.com/tinylib/msgp/msgp"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/internal/sha256"
)

// wireFormat is the version of the wire batch envelope this build writes.
const wireFormat = 1

// EncodeBatch encodes entries as one wire batch: a msgp envelope holding
// the encoded entries and their SHA-256. It is what readSince hands out and
// apply takes (a Uint8Array in the browser).
func EncodeBatch(entries []Entry) []byte {
	ws := make(wireEntries, len(entries))
	for i := range entries {
		ws[i] = toWire(&entries[i])
	}
	payload, _ := ws.MarshalMsg(nil) // marshalling into a slice cannot fail
	sum := sha256.Sum256(payload)
	out, _ := (&wireBatch{Format: wireFormat, Entries: payload, Sum: sum[:]}).MarshalMsg(nil)
	return out
}

// toWire is the wire form of *e. It aliases e's slices and arrays (a
// pointer, so slicing its arrays copies nothing).
func toWire(e *Entry) wireEntry {
	return wireEntry{
		Peer: e.Peer[:], Idx: e.Idx, TS: uint64(e.TS), User: userBytes(&e.User),
		Tag: uint8(e.Op.Tag), Key: e.Op.Key, Value: e.Op.Value, Salt: e.Salt,
	}
}

// encodeBounded is the wire batch a replica serves of entries: EncodeBatch
// of all of them, or, while that is past MaxBatchBytes, of the first half
// of them, down to one. fitBatch finds the same count from sizes alone.
func encodeBounded(entries []Entry) []byte {
	b := EncodeBatch(entries)
	for len(b) > MaxBatchBytes && len(entries) > 1 {
		entries = entries[:len(entries)/2] // large values: a shorter page
		b = EncodeBatch(entries)
	}
	return b
}

// batchLimit is how many entries a read of limit entries serves: a limit
// <= 0, or past MaxBatchEntries, is MaxBatchEntries, so that every batch a
// replica serves is one DecodeBatch accepts.
func batchLimit(limit int) int {
	if limit <= 0 || limit > MaxBatchEntries {
		return MaxBatchEntries
	}
	return limit
}

// The framing of a wire batch, as wireBatch's and wireEntries' generated
// MarshalMsg write it: a map of three fields, "f" (the format, a fixint),
// "e" (the payload as a bin: an array header, then the entries) and "s"
// (the payload's SHA-256 as a bin8).
const (
	batchHead = 1 + 2 + 1 + 2       // map header, "f", the format, "e"
	batchTail = 2 + 2 + sha256.Size // "s", the bin8 header, the sum
)

// batchSize is the size of the wire batch of n entries whose encodings
// take size bytes together.
func batchSize(n, size int) int {
	payload := arrayHeaderSize(n) + size
	return batchHead + binHeaderSize(payload) + payload + batchTail
}

// fitBatch is how many entries the batch encodeBounded serves holds, of
// entries whose encodings end at ends[i] bytes from the first's start.
func fitBatch(ends []int) int {
	n := len(ends)
	for n > 1 && batchSize(n, ends[n-1]) > MaxBatchBytes {
		n /= 2
	}
	return n
}

// appendBatchHead appends to b what a wire batch of n entries, whose
// encodings take size bytes together, holds before the first of them: the
// envelope up to the payload, and the payload's array header. The entries
// follow, then appendBatchSum.
func appendBatchHead(b []byte, n, size int) []byte {
	b = append(b, 0x83, 0xa1, 'f', wireFormat, 0xa1, 'e')
	b = msgp.AppendBytesHeader(b, uint32(arrayHeaderSize(n)+size))
	return msgp.AppendArrayHeader(b, uint32(n))
}

// appendBatchSum ends a wire batch whose payload is b[payload:].
func appendBatchSum(b []byte, payload int) []byte {
	sum := sha256.Sum256(b[payload:])
	b = append(b, 0xa1, 's', 0xc4, sha256.Size)
	return append(b, sum[:]...)
}

// arrayHeaderSize is the size of msgp.AppendArrayHeader's header of n.
func arrayHeaderSize(n int) int {
	switch {
	case n <= 15:
		return 1
	case n <= math.MaxUint16:
		return 3
	}
	return 5
}

// binHeaderSize is the size of msgp.AppendBytes' header of n bytes.
func binHeaderSize(n int) int {
	switch {
	case n <= math.MaxUint8:
		return 2
	case n <= math.MaxUint16:
		return 3
	}
	return 5
}

// uintSize is the size of msgp.AppendUint64's encoding of u.
func uintSize(u uint64) int {
	switch {
	case u <= 0x7f:
		return 1
	case u <= math.MaxUint8:
		return 2
	case u <= math.MaxUint16:
		return 3
	case u <= math.MaxUint32:
		return 5
	}
	return 9
}

// Bounds of one wire batch: a batch past either is refused whole with
// ErrTooLarge before its entries are decoded, so what a sender makes a
// replica allocate is bounded by what it sends.
const (
	MaxBatchEntries = 50_000
	MaxBatchBytes   = 64 << 20
)

// minWireEntry is the fewest bytes a valid entry takes in a batch: a map
// header, then at least the "p" key and its 16-byte peer (bin8 header).
const minWireEntry = 1 + 2 + 2 + 16

// DecodeBatch decodes a wire batch, whole or not at all: a truncated,
// altered or malformed batch is ErrCorrupt, one past MaxBatchEntries or
// MaxBatchBytes is ErrTooLarge, an entry that is not valid (Entry.Validate)
// is ErrInvalidEntry. It decodes and checks one entry at a time, so it
// allocates a few times the batch's size at most, and stops at the first
// bad entry.
func DecodeBatch(b []byte) ([]Entry, error) {
	if len(b) > MaxBatchBytes+1024 {
		return nil, fmt.Errorf("%w: batch of %d bytes, limit %d", ErrTooLarge, len(b), MaxBatchBytes)
	}
	var env wireBatch
	rest, err := env.UnmarshalMsg(b)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: batch envelope: %v", ErrCorrupt, err)
	case len(rest) != 0:
		return nil, fmt.Errorf("%w: %d bytes after the batch", ErrCorrupt, len(rest))
	case env.Format != wireFormat:
		return nil, fmt.Errorf("%w: batch format %d, this build reads %d", ErrCorrupt, env.Format, wireFormat)
	}
	sum := sha256.Sum256(env.Entries)
	if !bytes.Equal(sum[:], env.Sum) {
		return nil, fmt.Errorf("%w: batch checksum mismatch", ErrCorrupt)
	}
	// The checksum proves nothing about a sender's intent: bound the entry
	// count by the bytes there are before anything is allocated for it.
	n, body, err := msgp.ReadArrayHeaderBytes(env.Entries)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: batch entries: %v", ErrCorrupt, err)
	case uint64(n)*minWireEntry > uint64(len(body)):
		return nil, fmt.Errorf("%w: batch of %d entries in %d bytes", ErrCorrupt, n, len(body))
	case n > MaxBatchEntries:
		return nil, fmt.Errorf("%w: batch of %d entries, limit %d", ErrTooLarge, n, MaxBatchEntries)
	}
	// Decode every entry, then check them: keys come out of the first pass
	// as bytes, so that all of them make one string; the checks need them
	// as strings. An entry is still checked before any later one is
	// decoded, as far as what the caller sees: the first bad entry is the
	// one reported, a corrupt one ranking before its own checks.
	entries := make([]Entry, n) // at most len(body)/minWireEntry
	keys := make([][]byte, n)
	corrupt, at := error(nil), int(n) // the first entry that does not decode, if any
	size := 0
	for i := range entries {
		var w wireEntry
		if keys[i], body, err = w.unmarshalZC(body); err != nil {
			corrupt, at = fmt.Errorf("%w: entry %d: %v", ErrCorrupt, i, err), i
			break
		}
		e := &entries[i]
		*e = Entry{Idx: w.Idx, TS: hlc.Timestamp(w.TS), Op: Op{Tag: Tag(w.Tag), Value: w.Value}, Salt: w.Salt}
		if e.Peer, err = uuidFrom(w.Peer); err != nil {
			corrupt, at = fmt.Errorf("%w: entry %d: peer: %v", ErrCorrupt, i, err), i
			break
		}
		if e.User, err = optionalUUID(w.User); err != nil {
			corrupt, at = fmt.Errorf("%w: entry %d: user: %v", ErrCorrupt, i, err), i
			break
		}
		size += len(keys[i])
	}
	if corrupt == nil && len(body) != 0 {
		corrupt = fmt.Errorf("%w: %d bytes after the last entry", ErrCorrupt, len(body))
	}
	var all strings.Builder
	all.Grow(size)
	for _, k := range keys[:at] {
		all.Write(k)
	}
	ks, pos := all.String(), 0
	for i := range entries[:at] {
		e := &entries[i]
		e.Op.Key, pos = ks[pos:pos+len(keys[i])], pos+len(keys[i])
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
	}
	if corrupt != nil {
		return nil, corrupt
	}
	return entries, nil
}

// unmarshalZC is the generated UnmarshalMsg of wireEntry, accepting exactly
// the same input, but copying nothing: the byte fields alias bts (capped, so
// that appending to one cannot reach the bytes after it), a zero-length one
// is nil (as UnmarshalMsg leaves it), and the key is returned as bytes for
// the caller to make a string of, z.Key left empty.
func (z *wireEntry) unmarshalZC(bts []byte) (key, o []byte, err error) {
	var field []byte
	var n uint32
	n, bts, err = msgp.ReadMapHeaderBytes(bts)
	if err != nil {
		return nil, nil, msgp.WrapError(err)
	}
	zc := func(name string) (v []byte) {
		v, bts, err = msgp.ReadBytesZC(bts)
		if err != nil {
			err = msgp.WrapError(err, name)
			return nil
		}
		if len(v) == 0 {
			return nil
		}
		return v[:len(v):len(v)]
	}
	for ; n > 0 && err == nil; n-- {
		field, bts, err = msgp.ReadMapKeyZC(bts)
		if err != nil {
			return nil, nil, msgp.WrapError(err)
		}
		switch msgp.UnsafeString(field) {
		case "p":
			z.Peer = zc("Peer")
		case "i":
			if z.Idx, bts, err = msgp.ReadUint64Bytes(bts); err != nil {
				err = msgp.WrapError(err, "Idx")
			}
		case "t":
			if z.TS, bts, err = msgp.ReadUint64Bytes(bts); err != nil {
				err = msgp.WrapError(err, "TS")
			}
		case "u":
			z.User = zc("User")
		case "g":
			if z.Tag, bts, err = msgp.ReadUint8Bytes(bts); err != nil {
				err = msgp.WrapError(err, "Tag")
			}
		case "k":
			if key, bts, err = msgp.ReadStringZC(bts); err != nil {
				err = msgp.WrapError(err, "Key")
			}
		case "v":
			z.Value = zc("Value")
		case "s":
			z.Salt = zc("Salt")
		default:
			if bts, err = msgp.Skip(bts); err != nil {
				err = msgp.WrapError(err)
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return key, bts, nil
}

// userBytes is the stored form of an optional user: absent when nil. It
// aliases *u (a pointer, so the caller's uuid is not copied to the heap).
func userBytes(u *uuid.UUID) []byte {
	if *u == uuid.Nil {
		return nil
	}
	return u[:]
}

func uuidFrom(b []byte) (uuid.UUID, error) {
	if len(b) != 16 {
		return uuid.Nil, fmt.Errorf("%d bytes, want 16", len(b))
	}
	return uuid.UUID(b), nil
}

func optionalUUID(b []byte) (uuid.UUID, error) {
	if len(b) == 0 {
		return uuid.Nil, nil
	}
	return uuidFrom(b)
}
