// Package oplog is the op log of idbsync: every peer's append-only stream of
// entries, the tracker that records them in the same batch that applies
// them, the cursors replicas compare, and the processor that ingests remote
// entries and writes local ones exactly once.
package oplog

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/internal/sha256"
)

// Tag says what an op does.
type Tag uint8

// The op tags. TagExpunged is reserved for markers: no replica writes an op
// with it. TagExpunge is written by Processor.Expunge only, never by Exec.
const (
	TagPut      Tag = 1    // write Value under Key
	TagDelete   Tag = 2    // delete Key
	TagExpunge  Tag = 3    // expunge another entry; Value is ExpungeRef's encoding, Key empty
	TagExpunged Tag = 0xFF // an expunged entry's marker; Value is its SHA-256
)

// SaltSize is the size of the salt Exec gives every entry it writes.
const SaltSize = 16

// ExpungeRef names the entry an expunge op removes: its peer, its index and
// its Hash, which a replica checks before it removes anything.
type ExpungeRef struct {
	Peer uuid.UUID
	Idx  uint64
	Hash [sha256.Size]byte
}

// expungeRefSize is the encoded size of an ExpungeRef.
const expungeRefSize = 16 + 8 + sha256.Size

// Expunge returns the op that expunges the entry ref names.
func Expunge(ref ExpungeRef) Op {
	v := make([]byte, 0, expungeRefSize)
	v = append(v, ref.Peer[:]...)
	v = binary.BigEndian.AppendUint64(v, ref.Idx)
	v = append(v, ref.Hash[:]...)
	return Op{Tag: TagExpunge, Value: v}
}

// ExpungeRef decodes the reference of an expunge op; ok is false for any
// other op.
func (o Op) ExpungeRef() (ref ExpungeRef, ok bool) {
	if o.Tag != TagExpunge || len(o.Value) != expungeRefSize {
		return ExpungeRef{}, false
	}
	copy(ref.Peer[:], o.Value[:16])
	ref.Idx = binary.BigEndian.Uint64(o.Value[16:24])
	copy(ref.Hash[:], o.Value[24:])
	return ref, true
}

// MaxKeyLen bounds an op's key, leaving room for the state table's prefix.
const MaxKeyLen = 1024

// Op is one change to the replicated state.
type Op struct {
	Tag   Tag
	Key   string
	Value []byte
}

// Put returns the op that writes value under key.
func Put(key string, value []byte) Op { return Op{Tag: TagPut, Key: key, Value: value} }

// Delete returns the op that deletes key.
func Delete(key string) Op { return Op{Tag: TagDelete, Key: key} }

// Validate checks an op a replica writes itself (Exec): a put or a delete.
func (o Op) Validate() error {
	if o.Tag == TagExpunge {
		return fmt.Errorf("%w: an expunge is written by Expunge, not Exec", ErrInvalidOp)
	}
	return o.validate()
}

// validate checks an op of any kind an entry may carry.
func (o Op) validate() error {
	switch o.Tag {
	case TagPut:
	case TagDelete:
		if len(o.Value) != 0 {
			return fmt.Errorf("%w: delete of %q carries a value", ErrInvalidOp, o.Key)
		}
	case TagExpunge:
		ref, ok := o.ExpungeRef()
		if !ok || o.Key != "" || ref.Peer == uuid.Nil {
			return fmt.Errorf("%w: an expunge holds a peer, an index and a hash, and no key", ErrInvalidOp)
		}
		return nil
	case TagExpunged:
		return fmt.Errorf("%w: tag 0xFF is reserved for expunged markers", ErrInvalidOp)
	default:
		return fmt.Errorf("%w: unknown tag %d", ErrInvalidOp, o.Tag)
	}
	switch {
	case o.Key == "":
		return fmt.Errorf("%w: empty key", ErrInvalidOp)
	case len(o.Key) > MaxKeyLen:
		return fmt.Errorf("%w: key of %d bytes, limit %d", ErrInvalidOp, len(o.Key), MaxKeyLen)
	case !utf8.ValidString(o.Key):
		return fmt.Errorf("%w: key is not UTF-8", ErrInvalidOp)
	}
	return nil
}

// Entry is one position of a peer's log: an op, or the marker of an
// expunged op.
type Entry struct {
	Peer uuid.UUID
	Idx  uint64
	TS   hlc.Timestamp
	User uuid.UUID // the server-vouched author; uuid.Nil when not attributed
	Op   Op
	// Salt is random bytes the author gave the entry, hashed with it so
	// that a marker's hash cannot be guessed back into a short value. It
	// lives and dies with the entry; entries of older builds have none.
	Salt []byte
}

// Expunged reports whether e is the marker of an expunged entry.
func (e Entry) Expunged() bool { return e.Op.Tag == TagExpunged }

// ExpungedHash returns the hash a marker holds.
func (e Entry) ExpungedHash() [sha256.Size]byte {
	var h [sha256.Size]byte
	copy(h[:], e.Op.Value)
	return h
}

// Marker returns the marker that replaces the entry of peer at idx whose
// hash is hash. It keeps no timestamp, user or op of the original.
func Marker(peer uuid.UUID, idx uint64, hash [sha256.Size]byte) Entry {
	return Entry{Peer: peer, Idx: idx, Op: Op{Tag: TagExpunged, Value: hash[:]}}
}

// Validate checks an entry offered for ingest.
func (e Entry) Validate() error {
	if e.Peer == uuid.Nil {
		return fmt.Errorf("%w: nil peer", ErrInvalidEntry)
	}
	if !e.Expunged() {
		if err := e.Op.validate(); err != nil {
			return fmt.Errorf("%w: peer %s index %d: %w", ErrInvalidEntry, e.Peer, e.Idx, err)
		}
		if len(e.Salt) > MaxSaltSize {
			return fmt.Errorf("%w: peer %s index %d: salt of %d bytes, limit %d", ErrInvalidEntry, e.Peer, e.Idx, len(e.Salt), MaxSaltSize)
		}
		return nil
	}
	if len(e.Op.Value) != sha256.Size || e.Op.Key != "" || e.User != uuid.Nil || e.TS != 0 || len(e.Salt) != 0 {
		return fmt.Errorf("%w: peer %s index %d: a marker holds a 32-byte hash and nothing else", ErrInvalidEntry, e.Peer, e.Idx)
	}
	return nil
}

// hashDomain starts every hashed entry, so the hash of an entry can never
// equal the hash of anything else this project hashes.
const hashDomain = "idbsync/entry/v1\x00"

// MaxSaltSize bounds the salt of an entry offered for ingest.
const MaxSaltSize = 64

// Hash returns the SHA-256 of what the author wrote, canonically encoded:
// hashDomain, the peer's 16 bytes, Idx and TS as 8 big-endian bytes each,
// 16 zero bytes (the slot of the user: ServerUser is the server's
// attestation, not the author's, and two replicas may hold the same entry
// with and without it), the tag byte, then the key and the value, each
// preceded by its length as 4 big-endian bytes, then, when the entry has a
// salt, the salt preceded by its length. Unsalted, unattributed entries of
// older builds hash as they always did, so their markers still match. The
// hash of a marker is the hash it holds: the Hash of the entry it replaced.
func (e Entry) Hash() [sha256.Size]byte {
	if e.Expunged() {
		return e.ExpungedHash()
	}
	// The fixed fields and the key, then the value and the salt: in one
	// buffer on the stack, hashed at once, for the usual small entry; a
	// large value is hashed where it is rather than copied.
	var stack [512]byte
	b := stack[:0]
	b = append(b, hashDomain...)
	b = append(b, e.Peer[:]...)
	b = binary.BigEndian.AppendUint64(b, e.Idx)
	b = binary.BigEndian.AppendUint64(b, uint64(e.TS))
	b = append(b, zeroUser[:]...)
	b = append(b, byte(e.Op.Tag))
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Op.Key)))
	b = append(b, e.Op.Key...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Op.Value)))
	if len(b)+len(e.Op.Value)+4+len(e.Salt) <= len(stack) {
		b = append(b, e.Op.Value...)
		if len(e.Salt) > 0 {
			b = binary.BigEndian.AppendUint32(b, uint32(len(e.Salt)))
			b = append(b, e.Salt...)
		}
		return sha256.Sum256(b)
	}
	h := sha256.New()
	h.Write(b)
	h.Write(e.Op.Value)
	if len(e.Salt) > 0 {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(e.Salt))))
		h.Write(e.Salt)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// zeroUser fills the user's slot of a hashed entry.
var zeroUser [16]byte
