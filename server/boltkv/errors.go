//go:build !js

package boltkv

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/idbsync/idbsync/core/kv"
)

// boltkv has no sentinel errors of its own: every error is, or wraps, one of
// kv's (with bbolt's error kept in the chain where there is one), so callers
// branch on kv's errors whatever the store.

// mapErr wraps an error of bbolt or of the file system in the kv error that
// names it; nil stays nil.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen), errors.Is(err, berrors.ErrTxClosed):
		return fmt.Errorf("%w: %w", kv.ErrClosed, err)
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT),
		errors.Is(err, berrors.ErrMaxSizeReached), errors.Is(err, berrors.ErrValueTooLarge):
		return fmt.Errorf("%w: %w", kv.ErrQuotaExceeded, err)
	case errors.Is(err, berrors.ErrKeyTooLarge), errors.Is(err, berrors.ErrKeyRequired),
		errors.Is(err, berrors.ErrBucketNameRequired):
		return fmt.Errorf("%w: %w", kv.ErrInvalidKey, err)
	case errors.Is(err, berrors.ErrIncompatibleValue), errors.Is(err, berrors.ErrInvalid),
		errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrInvalidMapping):
		return fmt.Errorf("%w: %w", kv.ErrCorrupt, err)
	case errors.Is(err, berrors.ErrVersionMismatch):
		return fmt.Errorf("%w: %w", kv.ErrVersion, err)
	}
	return fmt.Errorf("%w: %w", kv.ErrAborted, err)
}

// openErr explains why bbolt.Open failed; a lock still held when the wait
// ran out is kv.ErrBlocked.
func openErr(path string, timeout time.Duration, err error) error {
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("boltkv: open %s: %w: another process holds the file's lock (waited %v; a bbolt file has one process at a time): %w",
			path, kv.ErrBlocked, timeout, err)
	}
	return fmt.Errorf("boltkv: open %s: %w", path, mapErr(err))
}

// update runs fn in a read-write transaction: fn's own error comes back as
// it is, one of bbolt's (beginning or committing the transaction) mapped.
func update(db *bbolt.DB, fn func(*bbolt.Tx) error) error {
	var fnErr error
	err := db.Update(func(tx *bbolt.Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return mapErr(err)
}

// view runs fn in a read-only transaction, with errors as in update.
func view(db *bbolt.DB, fn func(*bbolt.Tx) error) error {
	var fnErr error
	err := db.View(func(tx *bbolt.Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return mapErr(err)
}
