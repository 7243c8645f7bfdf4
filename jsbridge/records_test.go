package jsbridge_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/jsbridge"
)

func TestRecordsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		recs []jsbridge.Record
	}{
		{"Empty", nil},
		{"OnePut", []jsbridge.Record{{Key: "a", Value: []byte("1"), Present: true}}},
		{"PutDeleteEmptyValue", []jsbridge.Record{
			{Key: "a", Value: []byte("x"), Present: true},
			{Key: "b"},
			{Key: "c", Value: []byte{}, Present: true},
			{Key: "", Present: false},
			{Key: "ünï/κλειδί", Value: []byte{0, 0xFF}, Present: true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			for _, r := range tc.recs {
				b = jsbridge.AppendRecord(b, r)
			}
			got, err := jsbridge.DecodeRecords(b)
			require.NoError(t, err)
			require.Len(t, got, len(tc.recs))
			for i, r := range tc.recs {
				assert.Equal(t, r.Key, got[i].Key)
				assert.Equal(t, r.Present, got[i].Present)
				if r.Present {
					assert.Equal(t, r.Value, got[i].Value)
					assert.NotNil(t, got[i].Value, "an empty value is not an absent one")
				}
			}
		})
	}
}

func TestDecodeRecordsRejectsMalformed(t *testing.T) {
	good := jsbridge.AppendRecord(nil, jsbridge.Record{Key: "key", Value: []byte("value"), Present: true})
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"UnknownTag", []byte{3, 0, 0, 0, 0}, "tag 3"},
		{"ZeroTag", []byte{0}, "tag 0"},
		{"NoKeyLength", []byte{1, 0, 0}, "truncated"},
		{"KeyPastEnd", []byte{2, 0, 0, 0, 9, 'a'}, "truncated"},
		{"NoValueLength", []byte{1, 0, 0, 0, 1, 'a'}, "truncated"},
		{"ValuePastEnd", []byte{1, 0, 0, 0, 1, 'a', 0, 0, 0, 5, 'x'}, "truncated"},
		{"HugeLength", []byte{2, 0xFF, 0xFF, 0xFF, 0xFF}, "truncated"},
		{"KeyNotUTF8", []byte{2, 0, 0, 0, 1, 0xFF}, "UTF-8"},
		{"GoodThenGarbage", append(append([]byte{}, good...), 7), fmt.Sprintf("byte %d", len(good))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := jsbridge.DecodeRecords(tc.b)
			require.ErrorIs(t, err, errcode.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.want)
			assert.Nil(t, got, "nothing of a malformed pack is used")
			assert.Equal(t, errcode.CodeInvalidArgument, errcode.Code(err))
		})
	}
	// Every truncation of a valid pack is rejected.
	for n := 1; n < len(good); n++ {
		_, err := jsbridge.DecodeRecords(good[:n])
		require.ErrorIs(t, err, errcode.ErrInvalidArgument, "cut at %d", n)
	}
}

func TestCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"CursorMismatch", &oplog.CursorMismatchError{Expected: 1, Actual: 3}, errcode.CodeCursorMismatch},
		{"ClockSkew", fmt.Errorf("apply: %w", hlc.ErrClockSkew), errcode.CodeClockSkew},
		{"Unique", kv.ErrUniqueViolation, errcode.CodeUniqueViolation},
		{"Conflict", kv.ErrConflict, errcode.CodeConflict},
		{"Quota", &kv.OpError{Table: "t", Err: kv.ErrQuotaExceeded}, errcode.CodeQuotaExceeded},
		{"StoreClosed", kv.ErrClosed, errcode.CodeClosed},
		{"ProcessorClosed", oplog.ErrClosed, errcode.CodeClosed},
		{"Fenced", changelog.ErrFenced, errcode.CodeConflict},
		{"Blocked", kv.ErrBlocked, errcode.CodeBlocked},
		{"CorruptWire", oplog.ErrCorrupt, errcode.CodeCorrupt},
		{"CorruptRow", kv.ErrCorrupt, errcode.CodeCorrupt},
		{"InvalidOp", oplog.ErrInvalidOp, errcode.CodeInvalidArgument},
		{"PeerMismatch", oplog.ErrPeerMismatch, errcode.CodeInvalidArgument},
		{"EngineClosed", engine.ErrClosed, errcode.CodeClosed},
		{"Aborted", kv.ErrAborted, errcode.CodeUnavailable},
		{"Canceled", fmt.Errorf("sync: %w", context.Canceled), errcode.CodeUnavailable},
		{"Panic", fmt.Errorf("%w: runtime error", errcode.ErrInternal), errcode.CodeInternal},
		{"Unknown", fmt.Errorf("something else"), errcode.CodeInternal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, errcode.Code(tc.err))
		})
	}
}
