//go:build !js

package pgkv

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/idbsync/idbsync/core/kv"
)

// SQLSTATE codes the store tells apart.
const (
	codeSerialization   = "40001" // serialization_failure
	codeDeadlock        = "40P01" // deadlock_detected
	codeUniqueViolation = "23505" // unique_violation
	codeDiskFull        = "53100" // disk_full
	codeLimitExceeded   = "54000" // program_limit_exceeded: a key too long for a btree entry
	codeUndefinedTable  = "42P01" // undefined_table: the namespace was dropped
	codeInvalidSchema   = "3F000" // invalid_schema_name
)

// retryable reports an error after which the whole batch may run again:
// nothing of it was applied, and another attempt can succeed.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == codeSerialization || pe.Code == codeDeadlock)
}

// broken reports an error after which the connection is no use: pgx
// closed it (I/O failed, or ctx ended mid-call), or the server is shutting
// down or refuses the session.
func broken(c *pgx.Conn, err error) bool {
	if c.IsClosed() {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code[:2] == "08" || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03")
}

// mapError turns an error of the driver into one of kv's, keeping the cause:
// ctx's own error when ctx ended, ErrConflict for a serialization failure or
// a deadlock, ErrQuotaExceeded for a full disk, ErrInvalidKey for a key
// PostgreSQL cannot index, ErrClosed for a namespace dropped under the
// store, and ErrAborted for everything else (the connection, the server).
func mapError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var oe *kv.OpError
	if errors.As(err, &oe) || isKV(err) {
		return err // an op's own failure (a MergeFunc's error included), or already mapped
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)) {
		return fmt.Errorf("pgkv: %w", ctx.Err())
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeSerialization, codeDeadlock:
			return fmt.Errorf("pgkv: %w: %w", kv.ErrConflict, err)
		case codeUniqueViolation:
			return fmt.Errorf("pgkv: %w: %w", kv.ErrUniqueViolation, err)
		case codeDiskFull:
			return fmt.Errorf("pgkv: %w: %w", kv.ErrQuotaExceeded, err)
		case codeLimitExceeded:
			return fmt.Errorf("pgkv: %w: too long for a PostgreSQL index: %w", kv.ErrInvalidKey, err)
		case codeUndefinedTable, codeInvalidSchema:
			return fmt.Errorf("pgkv: %w: namespace gone: %w", kv.ErrClosed, err)
		}
	}
	return fmt.Errorf("pgkv: %w: %w", kv.ErrAborted, err)
}

// kvErrors are the sentinels that pass through mapError unchanged.
var kvErrors = []error{
	kv.ErrNotFound, kv.ErrUniqueViolation, kv.ErrConflict, kv.ErrClosed, kv.ErrQuotaExceeded,
	kv.ErrInvalidKey, kv.ErrUnknownTable, kv.ErrAborted, kv.ErrCorrupt, kv.ErrVersion, kv.ErrInvalidBatch,
}

func isKV(err error) bool {
	for _, e := range kvErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
