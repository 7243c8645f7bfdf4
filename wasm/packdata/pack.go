package main

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// Section ids of the WebAssembly binary format that pack reads or rewrites.
const (
	sectionData      = 11
	sectionDataCount = 12
)

// Instructions of an active segment's offset expression.
const (
	opI32Const = 0x41
	opEnd      = 0x0b
)

// segment is one active data segment of memory 0: its bytes go to memory
// at offset when the module is instantiated.
type segment struct {
	offset uint32
	data   []byte
}

// stats says what pack did.
type stats struct {
	before, after int // data segments
}

// pack returns the module with its data segments that lie less than gap
// bytes apart merged into one, the bytes between them written out as the
// zeros they are. Go's linker starts a new segment at every run of 8 zero
// bytes or more, which is the smallest file raw but leaves tens of
// thousands of segments (mostly findfunctab buckets, 4 bytes then 16 zeros),
// each with a header whose offset differs from the last: gzip does much worse
// on those headers than on the zeros they save (bench/size/README.md,
// win 2). Memory starts zeroed, so merging changes how memory is
// initialized, not what it holds.
//
// pack reads only what it needs: the data section and the data count
// section (which it updates); every other section is copied as it is. It
// refuses passive segments and offsets that are not an i32.const, as
// instructions can name a passive segment by its index (memory.init), and
// overlapping segments, whose order would then matter.
func pack(module []byte, gap uint32) ([]byte, stats, error) {
	var st stats
	if len(module) < 8 || !bytes.Equal(module[:4], []byte("\x00asm")) {
		return nil, st, errors.New("not a WebAssembly module")
	}
	if v := binary.LittleEndian.Uint32(module[4:8]); v != 1 {
		return nil, st, fmt.Errorf("WebAssembly binary version %d, want 1", v)
	}
	type section struct {
		id   byte
		raw  []byte // the whole section, id and size included
		body []byte
	}
	var sections []section
	var data []byte
	for r := (reader{b: module, pos: 8}); r.pos < len(r.b); {
		start := r.pos
		id := r.byte()
		n := r.u32()
		body := r.bytes(int(n))
		if r.err != nil {
			return nil, st, fmt.Errorf("section at byte %d: %w", start, r.err)
		}
		if id == sectionData {
			if data != nil {
				return nil, st, errors.New("two data sections")
			}
			data = body
		}
		sections = append(sections, section{id, module[start:r.pos], body})
	}
	if data == nil {
		return module, st, nil
	}
	segs, err := readSegments(data)
	if err != nil {
		return nil, st, err
	}
	merged, err := merge(segs, gap)
	if err != nil {
		return nil, st, err
	}
	st = stats{before: len(segs), after: len(merged)}

	out := append([]byte(nil), module[:8]...)
	for _, s := range sections {
		switch s.id {
		case sectionData:
			out = appendSection(out, sectionData, encodeSegments(merged))
		case sectionDataCount:
			out = appendSection(out, sectionDataCount, appendU32(nil, uint32(len(merged))))
		default:
			out = append(out, s.raw...)
		}
	}
	return out, st, nil
}

// readSegments decodes the body of a data section.
func readSegments(body []byte) ([]segment, error) {
	r := reader{b: body}
	n := r.u32()
	if r.err == nil && uint64(n) > uint64(len(body)) {
		return nil, fmt.Errorf("data section: %d segments in %d bytes", n, len(body))
	}
	segs := make([]segment, 0, n)
	for i := range n {
		switch flag := r.u32(); {
		case r.err != nil:
		case flag == 1:
			return nil, fmt.Errorf("data segment %d is passive: not packing", i)
		case flag != 0:
			// 2 names a memory explicitly; Go modules have one memory and
			// never write it.
			return nil, fmt.Errorf("data segment %d has flags %d: not packing", i, flag)
		}
		if op := r.byte(); r.err == nil && op != opI32Const {
			return nil, fmt.Errorf("data segment %d: offset is not an i32.const (opcode 0x%02x)", i, op)
		}
		offset := uint32(r.s32()) // i32.const is signed; addresses are not
		if op := r.byte(); r.err == nil && op != opEnd {
			return nil, fmt.Errorf("data segment %d: offset expression longer than one i32.const", i)
		}
		size := r.u32()
		b := r.bytes(int(size))
		if r.err != nil {
			return nil, fmt.Errorf("data segment %d: %w", i, r.err)
		}
		segs = append(segs, segment{offset, b})
	}
	if r.pos != len(body) {
		return nil, fmt.Errorf("data section: %d bytes after the last segment", len(body)-r.pos)
	}
	return segs, nil
}

// merge joins segments less than gap bytes apart, in address order. The
// result's data may alias the input's.
func merge(segs []segment, gap uint32) ([]segment, error) {
	sorted := slices.Clone(segs)
	slices.SortStableFunc(sorted, func(a, b segment) int { return cmp.Compare(a.offset, b.offset) })
	var out []segment
	var end uint64 // end of the last merged segment
	for _, s := range sorted {
		if len(out) > 0 && uint64(s.offset) < end {
			return nil, fmt.Errorf("data segments overlap at offset %d: not packing", s.offset)
		}
		if len(out) == 0 || uint64(s.offset)-end >= uint64(gap) {
			out = append(out, segment{s.offset, s.data})
		} else {
			last := &out[len(out)-1]
			// NB: full slice expression, so the append copies rather than
			// writing over the bytes that follow in the input module.
			d := last.data[:len(last.data):len(last.data)]
			d = append(d, make([]byte, uint64(s.offset)-end)...)
			last.data = append(d, s.data...)
		}
		end = uint64(s.offset) + uint64(len(s.data))
	}
	return out, nil
}

// encodeSegments is the body of a data section holding segs, each active
// in memory 0.
func encodeSegments(segs []segment) []byte {
	b := appendU32(nil, uint32(len(segs)))
	for _, s := range segs {
		b = append(b, 0, opI32Const)
		b = appendS32(b, int32(s.offset))
		b = append(b, opEnd)
		b = appendU32(b, uint32(len(s.data)))
		b = append(b, s.data...)
	}
	return b
}

func appendSection(b []byte, id byte, body []byte) []byte {
	b = append(b, id)
	b = appendU32(b, uint32(len(body)))
	return append(b, body...)
}

// appendU32 appends v as unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendS32 appends v as signed LEB128.
func appendS32(b []byte, v int32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// reader decodes the binary format; the first error sticks and later reads
// return zeros.
type reader struct {
	b   []byte
	pos int
	err error
}

var errShort = errors.New("unexpected end of module")

func (r *reader) byte() byte {
	if r.err != nil || r.pos >= len(r.b) {
		r.err = firstErr(r.err, errShort)
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b)-r.pos {
		r.err = firstErr(r.err, errShort)
		return nil
	}
	s := r.b[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return s
}

// u32 reads an unsigned LEB128 of at most 5 bytes.
func (r *reader) u32() uint32 {
	var v uint64
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			if v > 1<<32-1 {
				r.err = firstErr(r.err, errors.New("LEB128 u32 out of range"))
			}
			return uint32(v)
		}
	}
	r.err = firstErr(r.err, errors.New("LEB128 u32 longer than 5 bytes"))
	return 0
}

// s32 reads a signed LEB128 of at most 5 bytes.
func (r *reader) s32() int32 {
	var v int64
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte()
		v |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			if c&0x40 != 0 {
				v |= -1 << (shift + 7) // sign-extend
			}
			return int32(v)
		}
	}
	r.err = firstErr(r.err, errors.New("LEB128 s32 longer than 5 bytes"))
	return 0
}

// firstErr keeps the first error.
func firstErr(old, next error) error {
	if old != nil {
		return old
	}
	return next
}
