package oplog

import (
	"bytes"
	"fmt"
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
		e := &entries[i] // NB: a pointer, so slicing its arrays copies nothing
		ws[i] = wireEntry{
			Peer: e.Peer[:], Idx: e.Idx, TS: uint64(e.TS), User: userBytes(&e.User),
			Tag: uint8(e.Op.Tag), Key: e.Op.Key, Value: e.Op.Value, Salt: e.Salt,
		}
	}
	payload, _ := ws.MarshalMsg(nil) // marshalling into a slice cannot fail
	sum := sha256.Sum256(payload)
	out, _ := (&wireBatch{Format: wireFormat, Entries: payload, Sum: sum[:]}).MarshalMsg(nil)
	return out
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
