package jsbridge

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/idbsync/idbsync/core/errcode"
)

// Keyed records cross between JavaScript and Go packed in one Uint8Array
// (web/idbsync.js packs and unpacks them), because Go reads each field of a
// JavaScript object with a call of its own: a batch of 10,000 ops would
// cost tens of thousands of crossings instead of one copy.
//
// A record is a tag byte, the key's length as 4 big-endian bytes and its
// UTF-8 bytes, then, for RecordValue only, the value's length and bytes.
const (
	RecordValue  byte = 1 // a key with a value: a put, a row that exists
	RecordAbsent byte = 2 // a key alone: a delete, a row that does not exist
)

// Record is one keyed record: a key and, when Present, a value.
type Record struct {
	Key     string
	Value   []byte
	Present bool
}

// AppendRecord appends the packed form of r to dst.
func AppendRecord(dst []byte, r Record) []byte {
	tag := RecordAbsent
	if r.Present {
		tag = RecordValue
	}
	dst = append(dst, tag)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(r.Key)))
	dst = append(dst, r.Key...)
	if r.Present {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(r.Value)))
		dst = append(dst, r.Value...)
	}
	return dst
}

// DecodeRecords unpacks records; anything malformed (a truncated record,
// an unknown tag, a key that is not UTF-8) is errcode.ErrInvalidArgument, and no
// record is returned. Values alias b.
func DecodeRecords(b []byte) ([]Record, error) {
	var out []Record
	for off := 0; off < len(b); {
		at := off
		tag := b[off]
		off++
		if tag != RecordValue && tag != RecordAbsent {
			return nil, fmt.Errorf("%w: packed record at byte %d has tag %d", errcode.ErrInvalidArgument, at, tag)
		}
		key, n, ok := field(b[off:])
		if !ok {
			return nil, fmt.Errorf("%w: packed record at byte %d is truncated", errcode.ErrInvalidArgument, at)
		}
		off += n
		if !utf8.Valid(key) {
			return nil, fmt.Errorf("%w: packed record at byte %d: key is not UTF-8", errcode.ErrInvalidArgument, at)
		}
		r := Record{Key: string(key), Present: tag == RecordValue}
		if r.Present {
			value, n, ok := field(b[off:])
			if !ok {
				return nil, fmt.Errorf("%w: packed record at byte %d is truncated", errcode.ErrInvalidArgument, at)
			}
			off += n
			r.Value = value[:len(value):len(value)]
		}
		out = append(out, r)
	}
	return out, nil
}

// field reads a length-prefixed field: its bytes, the bytes consumed, and
// whether b held it whole.
func field(b []byte) ([]byte, int, bool) {
	if len(b) < 4 {
		return nil, 0, false
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, 0, false
	}
	return b[4 : 4+n], 4 + int(n), true
}
