package jsbridge

import (
	"errors"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
)

// The stable codes JavaScript callers branch on (DESIGN.md).
const (
	CodeCursorMismatch  = "CURSOR_MISMATCH"
	CodeUniqueViolation = "UNIQUE_VIOLATION"
	CodeConflict        = "CONFLICT"
	CodeClockSkew       = "CLOCK_SKEW"
	CodeQuotaExceeded   = "QUOTA_EXCEEDED"
	CodeClosed          = "CLOSED"
	CodeBlocked         = "BLOCKED"
	CodeCorrupt         = "CORRUPT"
	CodeInvalidArgument = "INVALID_ARGUMENT"
)

// ErrInvalidArgument marks a call whose JavaScript arguments are wrong.
var ErrInvalidArgument = errors.New("invalid argument")

// codes maps each Go error to its code; the first match wins, so a more
// specific error comes before a general one.
var codes = []struct {
	err  error
	code string
}{
	{oplog.ErrCursorMismatch, CodeCursorMismatch},
	{hlc.ErrClockSkew, CodeClockSkew},
	{kv.ErrUniqueViolation, CodeUniqueViolation},
	{kv.ErrConflict, CodeConflict},
	{kv.ErrQuotaExceeded, CodeQuotaExceeded},
	{kv.ErrClosed, CodeClosed},
	{oplog.ErrClosed, CodeClosed},
	{changelog.ErrClosed, CodeClosed},
	{changelog.ErrFenced, CodeClosed},
	{kv.ErrBlocked, CodeBlocked},
	{kv.ErrCorrupt, CodeCorrupt},
	{kv.ErrVersion, CodeCorrupt},
	{oplog.ErrCorrupt, CodeCorrupt},
	{changelog.ErrCorrupt, CodeCorrupt},
	{syncer.ErrBadPage, CodeCorrupt},
	{kv.ErrInvalidKey, CodeInvalidArgument},
	{oplog.ErrInvalidOp, CodeInvalidArgument},
	{oplog.ErrInvalidEntry, CodeInvalidArgument},
	{oplog.ErrPeerMismatch, CodeInvalidArgument},
	{oplog.ErrNotFound, CodeInvalidArgument},
	{hlc.ErrWallOverflow, CodeInvalidArgument},
	{ErrInvalidArgument, CodeInvalidArgument},
}

// Code returns the stable code of err, or "" when it has none.
func Code(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}
