package oplog

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	"github.com/google/uuid"
	"github.com/tinylib/msgp/msgp"

	"github.com/idbsync/idbsync/core/hlc"
)

// wireFormat is the version of the wire batch envelope this build writes.
const wireFormat = 1

// EncodeBatch encodes entries as one wire batch: a msgp envelope holding
// the encoded entries and their SHA-256. It is what readSince hands out and
// apply takes (a Uint8Array in the browser).
func EncodeBatch(entries []Entry) []byte {
	ws := make(wireEntries, len(entries))
	for i, e := range entries {
		ws[i] = wireEntry{
			Peer: e.Peer[:], Idx: e.Idx, TS: uint64(e.TS), User: userBytes(e.User),
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
	entries := make([]Entry, 0, n) // at most len(body)/minWireEntry
	for i := range int(n) {
		var w wireEntry // fresh: entries keep its slices
		if body, err = w.UnmarshalMsg(body); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrCorrupt, i, err)
		}
		e := Entry{Idx: w.Idx, TS: hlc.Timestamp(w.TS), Op: Op{Tag: Tag(w.Tag), Key: w.Key, Value: w.Value}, Salt: w.Salt}
		if e.Peer, err = uuidFrom(w.Peer); err != nil {
			return nil, fmt.Errorf("%w: entry %d: peer: %v", ErrCorrupt, i, err)
		}
		if e.User, err = optionalUUID(w.User); err != nil {
			return nil, fmt.Errorf("%w: entry %d: user: %v", ErrCorrupt, i, err)
		}
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		entries = append(entries, e)
	}
	if len(body) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last entry", ErrCorrupt, len(body))
	}
	return entries, nil
}

// userBytes is the stored form of an optional user: absent when nil.
func userBytes(u uuid.UUID) []byte {
	if u == uuid.Nil {
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
