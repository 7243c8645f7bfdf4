package kv_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
)

func TestBatchBuild(t *testing.T) {
	var b kv.Batch
	require.Zero(t, b.Len(), "the zero Batch is empty")
	require.Empty(t, b.Tables())

	b.Put("a", []byte("k1"), []byte("v1"))
	b.Insert("b", []byte("k2"), []byte("v2"))
	b.Delete("a", []byte("k3"))
	b.Expect("c", []byte("k4"), []byte("v4"))
	b.ExpectAbsent("b", []byte("k5"))

	want := []kv.Op{
		{Kind: kv.OpPut, Table: "a", Key: []byte("k1"), Value: []byte("v1")},
		{Kind: kv.OpInsert, Table: "b", Key: []byte("k2"), Value: []byte("v2")},
		{Kind: kv.OpDelete, Table: "a", Key: []byte("k3")},
		{Kind: kv.OpExpect, Table: "c", Key: []byte("k4"), Value: []byte("v4")},
		{Kind: kv.OpExpectAbsent, Table: "b", Key: []byte("k5")},
	}
	assert.Equal(t, want, b.Ops())
	assert.Equal(t, 5, b.Len())
	assert.Equal(t, []string{"a", "b", "c"}, b.Tables(), "first-use order, no duplicates")
	assert.NoError(t, b.Validate())

	b.Reset()
	assert.Zero(t, b.Len())
	assert.Empty(t, b.Ops())
	assert.Empty(t, b.Tables())

	// A reset batch is reusable and forgets the old ops.
	b.Delete("z", []byte("k"))
	assert.Equal(t, []kv.Op{{Kind: kv.OpDelete, Table: "z", Key: []byte("k")}}, b.Ops())
	assert.Equal(t, []string{"z"}, b.Tables())
}

func TestBatchValues(t *testing.T) {
	tests := []struct {
		name string
		add  func(b *kv.Batch, value []byte)
		// hasValue is false for the kinds that carry no value at all.
		hasValue bool
	}{
		{name: "put", add: func(b *kv.Batch, v []byte) { b.Put("t", []byte("k"), v) }, hasValue: true},
		{name: "insert", add: func(b *kv.Batch, v []byte) { b.Insert("t", []byte("k"), v) }, hasValue: true},
		{name: "expect", add: func(b *kv.Batch, v []byte) { b.Expect("t", []byte("k"), v) }, hasValue: true},
		{name: "delete", add: func(b *kv.Batch, _ []byte) { b.Delete("t", []byte("k")) }},
		{name: "expect absent", add: func(b *kv.Batch, _ []byte) { b.ExpectAbsent("t", []byte("k")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b kv.Batch
			tt.add(&b, nil)
			tt.add(&b, []byte{})
			tt.add(&b, []byte("v"))
			ops := b.Ops()
			require.Len(t, ops, 3)
			if !tt.hasValue {
				for _, op := range ops {
					assert.Nil(t, op.Value)
				}
				return
			}
			// nil must become empty, so "empty value" is not "no value".
			assert.NotNil(t, ops[0].Value)
			assert.Empty(t, ops[0].Value)
			assert.NotNil(t, ops[1].Value)
			assert.Empty(t, ops[1].Value)
			assert.Equal(t, []byte("v"), ops[2].Value)
		})
	}
}

func TestBatchValidate(t *testing.T) {
	maxKey := bytes.Repeat([]byte{'k'}, kv.MaxKeySize)
	tooLong := bytes.Repeat([]byte{'k'}, kv.MaxKeySize+1)
	ok := []byte("ok")

	tests := []struct {
		name    string
		build   func(b *kv.Batch)
		wantErr error // nil: the batch is valid
		index   int
		kind    kv.OpKind
		table   string
	}{
		{name: "empty batch", build: func(*kv.Batch) {}},
		{
			name: "every kind valid",
			build: func(b *kv.Batch) {
				b.Put("t", ok, nil)
				b.Insert("t", ok, ok)
				b.Delete("t", ok)
				b.Expect("t", ok, ok)
				b.ExpectAbsent("t", ok)
			},
		},
		{name: "key of MaxKeySize", build: func(b *kv.Batch) { b.Put("t", maxKey, ok) }},
		{
			name:    "empty key",
			build:   func(b *kv.Batch) { b.Put("t", []byte{}, ok) },
			wantErr: kv.ErrInvalidKey, index: 0, kind: kv.OpPut, table: "t",
		},
		{
			name: "nil key after a valid op",
			build: func(b *kv.Batch) {
				b.Put("t", ok, ok)
				b.Delete("u", nil)
			},
			wantErr: kv.ErrInvalidKey, index: 1, kind: kv.OpDelete, table: "u",
		},
		{
			name: "key of MaxKeySize+1",
			build: func(b *kv.Batch) {
				b.Put("t", ok, ok)
				b.Put("t", maxKey, ok)
				b.ExpectAbsent("t", tooLong)
			},
			wantErr: kv.ErrInvalidKey, index: 2, kind: kv.OpExpectAbsent, table: "t",
		},
		{
			name:    "empty key on insert",
			build:   func(b *kv.Batch) { b.Insert("t", nil, ok) },
			wantErr: kv.ErrInvalidKey, index: 0, kind: kv.OpInsert, table: "t",
		},
		{
			name:    "empty key on expect",
			build:   func(b *kv.Batch) { b.Expect("t", nil, ok) },
			wantErr: kv.ErrInvalidKey, index: 0, kind: kv.OpExpect, table: "t",
		},
		{
			name: "empty table name",
			build: func(b *kv.Batch) {
				b.Put("t", ok, ok)
				b.Insert("", ok, ok)
			},
			wantErr: kv.ErrUnknownTable, index: 1, kind: kv.OpInsert, table: "",
		},
		{
			name: "first bad op is reported",
			build: func(b *kv.Batch) {
				b.Put("t", ok, ok)
				b.Put("t", nil, ok)
				b.Put("", ok, ok)
			},
			wantErr: kv.ErrInvalidKey, index: 1, kind: kv.OpPut, table: "t",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b kv.Batch
			tt.build(&b)
			err := b.Validate()
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.wantErr), "got %v", err)
			var opErr *kv.OpError
			require.True(t, errors.As(err, &opErr), "got %T", err)
			assert.Equal(t, tt.index, opErr.Index)
			assert.Equal(t, tt.kind, opErr.Kind)
			assert.Equal(t, tt.table, opErr.Table)
			// The key in the error is for a message; it must stay short.
			assert.LessOrEqual(t, len(opErr.Key), 32)
		})
	}
}

func TestCheckKey(t *testing.T) {
	tests := []struct {
		name    string
		key     []byte
		wantErr bool
	}{
		{name: "nil", key: nil, wantErr: true},
		{name: "empty", key: []byte{}, wantErr: true},
		{name: "one byte", key: []byte{0}},
		{name: "MaxKeySize", key: make([]byte, kv.MaxKeySize)},
		{name: "MaxKeySize+1", key: make([]byte, kv.MaxKeySize+1), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := kv.CheckKey(tt.key)
			if !tt.wantErr {
				assert.NoError(t, err)
				return
			}
			assert.True(t, errors.Is(err, kv.ErrInvalidKey), "got %v", err)
		})
	}
}

func TestOpKindString(t *testing.T) {
	tests := []struct {
		name string
		kind kv.OpKind
		want string
	}{
		{name: "put", kind: kv.OpPut, want: "put"},
		{name: "insert", kind: kv.OpInsert, want: "insert"},
		{name: "delete", kind: kv.OpDelete, want: "delete"},
		{name: "expect", kind: kv.OpExpect, want: "expect"},
		{name: "expect absent", kind: kv.OpExpectAbsent, want: "expect-absent"},
		{name: "zero", kind: 0, want: "op(0)"},
		{name: "merge", kind: kv.OpMerge, want: "merge"},
		{name: "one past the last", kind: kv.OpMerge + 1, want: "op(7)"},
		{name: "max", kind: 255, want: "op(255)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.kind.String())
		})
	}
}

func TestOpError(t *testing.T) {
	e := &kv.OpError{Index: 3, Kind: kv.OpInsert, Table: "log", Key: []byte{0xab, 0x01}, Err: kv.ErrUniqueViolation}

	msg := e.Error()
	assert.Contains(t, msg, "op 3")
	assert.Contains(t, msg, "insert")
	assert.Contains(t, msg, "log/ab01")
	assert.Contains(t, msg, kv.ErrUniqueViolation.Error())

	assert.Equal(t, kv.ErrUniqueViolation, errors.Unwrap(e))
	assert.True(t, errors.Is(e, kv.ErrUniqueViolation))
	assert.False(t, errors.Is(e, kv.ErrConflict))

	// Still found when a caller wraps it again.
	wrapped := fmt.Errorf("commit: %w", e)
	assert.True(t, errors.Is(wrapped, kv.ErrUniqueViolation))
	var got *kv.OpError
	require.True(t, errors.As(wrapped, &got))
	assert.Same(t, e, got)
}

// TestBatchValidateMerges: a merged key takes no other op, and the op
// reported is the first that touches a key another op merges, whatever
// the number of merges in the batch.
func TestBatchValidateMerges(t *testing.T) {
	keep := func([]byte, bool) ([]byte, bool, error) { return nil, false, nil }
	many := func(b *kv.Batch) { // a batch the op log writes: many merges, other ops around them
		for i := range 500 {
			b.Insert("log", fmt.Appendf(nil, "e%04d", i), []byte("v"))
			b.Merge("state", fmt.Appendf(nil, "k%04d", i), keep)
		}
		b.Expect("meta", []byte("gen"), []byte("1"))
		b.Merge("meta", []byte("clock"), keep)
	}
	tests := []struct {
		name  string
		build func(b *kv.Batch)
		index int // of the op refused; -1: the batch is valid
		merge int // the merge it clashes with
	}{
		{name: "one merge", build: func(b *kv.Batch) { b.Merge("t", []byte("k"), keep) }, index: -1},
		{name: "many merges, distinct keys", build: many, index: -1},
		{
			name: "same key in other tables",
			build: func(b *kv.Batch) {
				b.Merge("t", []byte("k"), keep)
				b.Put("u", []byte("k"), nil)
				b.Merge("v", []byte("k"), keep)
			},
			index: -1,
		},
		{
			name: "put after the merge",
			build: func(b *kv.Batch) {
				b.Merge("t", []byte("k"), keep)
				b.Put("t", []byte("k"), nil)
			},
			index: 1, merge: 0,
		},
		{
			name: "expect before the merge",
			build: func(b *kv.Batch) {
				b.Put("t", []byte("a"), nil)
				b.Expect("t", []byte("k"), nil)
				b.Merge("t", []byte("k"), keep)
			},
			index: 1, merge: 2,
		},
		{
			name: "merged twice",
			build: func(b *kv.Batch) {
				b.Merge("t", []byte("k"), keep)
				b.Merge("t", []byte("j"), keep)
				b.Merge("t", []byte("k"), keep)
			},
			index: 0, merge: 2,
		},
		{
			name: "among many merges",
			build: func(b *kv.Batch) {
				many(b)
				b.Delete("state", []byte("k0250"))
			},
			index: 1002, merge: 501,
		},
		{
			name: "the first clash is reported",
			build: func(b *kv.Batch) {
				many(b)
				b.Merge("state", []byte("k0007"), keep)
				b.Put("meta", []byte("clock"), nil)
			},
			index: 15, merge: 1002,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b kv.Batch
			tt.build(&b)
			err := b.Validate()
			if tt.index < 0 {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, kv.ErrInvalidBatch)
			var opErr *kv.OpError
			require.ErrorAs(t, err, &opErr)
			assert.Equal(t, tt.index, opErr.Index)
			assert.Contains(t, err.Error(), fmt.Sprintf("op %d merges the same key", tt.merge))
		})
	}
}

func TestBatchGrow(t *testing.T) {
	var b kv.Batch
	b.Put("t", []byte("a"), nil)
	b.Grow(100)
	ops := b.Ops()
	assert.GreaterOrEqual(t, cap(ops)-len(ops), 100)
	for range 100 {
		b.Put("t", []byte("b"), nil)
	}
	assert.Equal(t, 101, b.Len())
	assert.Same(t, &ops[:1][0], &b.Ops()[0], "no allocation within the room Grow made")
	assert.Equal(t, []byte("a"), b.Ops()[0].Key, "Grow keeps the ops")
}
