// Package errcode gives every error idbsync can answer a caller with (a
// JavaScript call, an HTTP request) one stable code (DESIGN.md lists them),
// from one table, so the browser and the server say the same thing.
package errcode

import (
	"context"
	"errors"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
)

// The stable codes callers branch on (DESIGN.md).
const (
	CodeCursorMismatch  = "CURSOR_MISMATCH"
	CodeForked          = "FORKED"
	CodeUniqueViolation = "UNIQUE_VIOLATION"
	CodeConflict        = "CONFLICT"
	CodeClockSkew       = "CLOCK_SKEW"
	CodeQuotaExceeded   = "QUOTA_EXCEEDED"
	CodeClosed          = "CLOSED"
	CodeBlocked         = "BLOCKED"
	CodeCorrupt         = "CORRUPT"
	CodeInvalidArgument = "INVALID_ARGUMENT"
	CodeUnavailable     = "UNAVAILABLE"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodePermission      = "PERMISSION_DENIED"
	CodeInternal        = "INTERNAL"
)

// codes maps each Go error to its code; the first match wins, so a more
// specific error comes before a general one. Every sentinel of the packages
// a call reaches is here (TestEverySentinelHasACode checks it).
var codes = []struct {
	err  error
	code string
}{
	{oplog.ErrCursorMismatch, CodeCursorMismatch},
	{oplog.ErrForked, CodeForked},
	{hlc.ErrClockSkew, CodeClockSkew},
	{kv.ErrUniqueViolation, CodeUniqueViolation},
	{kv.ErrConflict, CodeConflict},
	{changelog.ErrAlive, CodeConflict},
	{changelog.ErrFenced, CodeConflict}, // the instance registered afresh: retry
	{kv.ErrQuotaExceeded, CodeQuotaExceeded},
	{kv.ErrClosed, CodeClosed},
	{oplog.ErrClosed, CodeClosed},
	{changelog.ErrClosed, CodeClosed},
	{engine.ErrClosed, CodeClosed},
	{engine.ErrBlobMissing, CodeUnavailable}, // fetch the bytes from a replica that has them
	{kv.ErrBlocked, CodeBlocked},
	{kv.ErrCorrupt, CodeCorrupt},
	{kv.ErrVersion, CodeCorrupt},
	{kv.ErrMalformedKey, CodeCorrupt},
	{kv.ErrUnknownTable, CodeCorrupt},
	{oplog.ErrCorrupt, CodeCorrupt},
	{changelog.ErrCorrupt, CodeCorrupt},
	{syncer.ErrBadPage, CodeCorrupt},
	{kv.ErrInvalidKey, CodeInvalidArgument},
	{kv.ErrInvalidBatch, CodeInvalidArgument},
	{kv.ErrNotFound, CodeInvalidArgument},
	{oplog.ErrInvalidOp, CodeInvalidArgument},
	{oplog.ErrInvalidEntry, CodeInvalidArgument},
	{oplog.ErrTooLarge, CodeInvalidArgument},
	{oplog.ErrPeerMismatch, CodeInvalidArgument},
	{oplog.ErrNotFound, CodeInvalidArgument},
	{changelog.ErrNotFound, CodeInvalidArgument},
	{changelog.ErrInvalidID, CodeInvalidArgument},
	{changelog.ErrMissingCapability, CodeInvalidArgument},
	{hlc.ErrWallOverflow, CodeInvalidArgument},
	{ErrInvalidArgument, CodeInvalidArgument},
	{kv.ErrAborted, CodeUnavailable},
	{ErrUnavailable, CodeUnavailable},
	{ErrUnauthenticated, CodeUnauthenticated},
	{ErrPermissionDenied, CodePermission},
	{syncer.ErrIncomplete, CodeUnavailable}, // only when no range error had a code
	{context.Canceled, CodeUnavailable},
	{context.DeadlineExceeded, CodeUnavailable},
	{ErrInternal, CodeInternal},
}

// Code returns the stable code of err: CodeInternal for an error none of
// the table names (a bug, not a condition a caller can act on).
func Code(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeInternal
}

// Matches reports whether an error with code (one that crossed a transport
// as a code and a message) stands for target: whether some error of the
// table with that code is target, or wraps it.
func Matches(code string, target error) bool {
	for _, c := range codes {
		if c.code == code && errors.Is(c.err, target) {
			return true
		}
	}
	return false
}
