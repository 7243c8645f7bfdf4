package kv

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Tuple keys: components appended one after another so that comparing the
// encoded keys bytewise orders them as the tuples compare component by
// component. Integers are fixed-width big-endian; uuids are their 16 bytes;
// byte strings are escaped (0x00 becomes 0x00 0xFF) and terminated by
// 0x00 0x01, so a string sorts before any of its extensions and the
// components after it still line up. Decode with the matching Read functions,
// in the same order.

const (
	escByte  = 0x00
	escNul   = 0xFF // 0x00 inside a string is written 0x00 0xFF
	escEnd   = 0x01 // a string ends with 0x00 0x01
	uuidSize = 16
)

// AppendUint64 appends v as 8 big-endian bytes. Not inlined, like Batch.Put.
//
//go:noinline
func AppendUint64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }

// AppendUint32 appends v as 4 big-endian bytes. Not inlined, like Batch.Put.
//
//go:noinline
func AppendUint32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }

// AppendInt64 appends v so that negative numbers sort before positive ones.
func AppendInt64(b []byte, v int64) []byte { return AppendUint64(b, uint64(v)^(1<<63)) }

// AppendUUID appends the 16 bytes of a uuid. Not inlined, like Batch.Put.
//
//go:noinline
func AppendUUID(b []byte, id [16]byte) []byte { return append(b, id[:]...) }

// AppendBytes appends an escaped, terminated byte string.
func AppendBytes(b []byte, s []byte) []byte {
	for {
		i := bytes.IndexByte(s, escByte)
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, escNul)
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, escByte, escEnd)
}

// AppendString appends s like AppendBytes.
func AppendString(b []byte, s string) []byte { return AppendBytes(b, []byte(s)) }

// ReadUint64 decodes a component written by AppendUint64 and returns the rest.
func ReadUint64(b []byte) (uint64, []byte, error) {
	if len(b) < 8 {
		return 0, b, fmt.Errorf("%w: uint64 needs 8 bytes, %d left", ErrMalformedKey, len(b))
	}
	return binary.BigEndian.Uint64(b), b[8:], nil
}

// ReadUint32 decodes a component written by AppendUint32 and returns the rest.
func ReadUint32(b []byte) (uint32, []byte, error) {
	if len(b) < 4 {
		return 0, b, fmt.Errorf("%w: uint32 needs 4 bytes, %d left", ErrMalformedKey, len(b))
	}
	return binary.BigEndian.Uint32(b), b[4:], nil
}

// ReadInt64 decodes a component written by AppendInt64 and returns the rest.
func ReadInt64(b []byte) (int64, []byte, error) {
	u, rest, err := ReadUint64(b)
	if err != nil {
		return 0, b, err
	}
	return int64(u ^ (1 << 63)), rest, nil
}

// ReadUUID decodes a component written by AppendUUID and returns the rest.
func ReadUUID(b []byte) ([16]byte, []byte, error) {
	var id [16]byte
	if len(b) < uuidSize {
		return id, b, fmt.Errorf("%w: uuid needs 16 bytes, %d left", ErrMalformedKey, len(b))
	}
	copy(id[:], b)
	return id, b[uuidSize:], nil
}

// ReadBytes decodes a component written by AppendBytes into a new slice and
// returns the rest.
func ReadBytes(in []byte) ([]byte, []byte, error) {
	var out []byte
	b := in
	for i := 0; i < len(b); i++ {
		if b[i] != escByte {
			continue
		}
		if i+1 == len(b) {
			break
		}
		switch b[i+1] {
		case escEnd:
			return append(out, b[:i]...), b[i+2:], nil
		case escNul:
			out = append(out, b[:i+1]...)
			b = b[i+2:]
			i = -1
		default:
			return nil, in, fmt.Errorf("%w: bad escape 0x00 0x%02x in string", ErrMalformedKey, b[i+1])
		}
	}
	return nil, in, fmt.Errorf("%w: unterminated string", ErrMalformedKey)
}

// ReadString decodes a component written by AppendString and returns the rest.
func ReadString(b []byte) (string, []byte, error) {
	s, rest, err := ReadBytes(b)
	return string(s), rest, err
}

// PrefixEnd returns the smallest key greater than every key that starts
// with prefix, for use as a Range's End; nil (unbounded) when no such key
// exists because prefix is empty or all 0xFF.
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
