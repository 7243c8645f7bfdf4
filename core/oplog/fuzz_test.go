package oplog_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/idbsync/idbsync/core/oplog"
)

// FuzzDecodeBatch feeds DecodeBatch arbitrary bytes. It must never panic
// nor allocate past allocBudget; it fails with ErrCorrupt, ErrInvalidEntry
// or ErrTooLarge and no entries, or returns valid entries that survive an
// encode and decode unchanged.
//
// The input itself need not be what EncodeBatch writes for its entries:
// msgp accepts non-minimal integers, fields in any order and unknown
// fields, and an empty value decodes as nil, which EncodeBatch omits. So
// the check is that decode(encode(decoded)) equals decoded, and that
// encoding that again gives the same bytes (the encoding of decoded
// entries is a fixed point).
func FuzzDecodeBatch(f *testing.F) {
	for _, name := range []string{"Empty", "Put", "EmptyValue", "Marker", "Attributed", "MaxIdxTS", "Mixed"} {
		f.Add(oplog.EncodeBatch(sampleBatches()[name]))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		var es []oplog.Entry
		var err error
		if n := allocated(func() { es, err = oplog.DecodeBatch(b) }); n > allocBudget(len(b)) {
			t.Fatalf("allocated %d bytes for a %d-byte batch", n, len(b))
		}
		if !bytes.Equal(in, b) {
			t.Fatal("DecodeBatch modified its input")
		}
		if err != nil {
			if !errors.Is(err, oplog.ErrCorrupt) && !errors.Is(err, oplog.ErrInvalidEntry) && !errors.Is(err, oplog.ErrTooLarge) {
				t.Fatalf("error matches none of ErrCorrupt, ErrInvalidEntry, ErrTooLarge: %v", err)
			}
			if es != nil {
				t.Fatalf("entries returned with an error: %v", err)
			}
			return
		}
		for i, e := range es {
			if err := e.Validate(); err != nil {
				t.Fatalf("entry %d decoded but invalid: %v", i, err)
			}
		}
		re := oplog.EncodeBatch(es)
		again, err := oplog.DecodeBatch(re)
		if err != nil {
			t.Fatalf("re-encoded batch does not decode: %v", err)
		}
		if !slices.EqualFunc(canon(es), canon(again), entryEqual) {
			t.Fatalf("decode(encode(decoded)) differs:\n%+v\n%+v", es, again)
		}
		if !bytes.Equal(re, oplog.EncodeBatch(again)) {
			t.Fatal("encoding decoded entries is not a fixed point")
		}
		for i := range es {
			if es[i].Hash() != again[i].Hash() {
				t.Fatalf("entry %d changed its hash through the wire", i)
			}
		}
	})
}

func entryEqual(a, b oplog.Entry) bool {
	return a.Peer == b.Peer && a.Idx == b.Idx && a.TS == b.TS && a.User == b.User &&
		a.Op.Tag == b.Op.Tag && a.Op.Key == b.Op.Key && bytes.Equal(a.Op.Value, b.Op.Value)
}
