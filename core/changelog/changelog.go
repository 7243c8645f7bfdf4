// Package changelog is the write-ahead log of idbsync's multi-step storage
// changes: a large value written to the blob tier, then referenced from the
// reference tier. A change is recorded durably before its first side effect
// and removed after its cleanup, so that recovery, from this engine or from
// another one that outlived it, finds every change that may have left an
// orphaned blob. Recovery only collects garbage: it never replays a write.
package changelog

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// ChangeID identifies a change: a UUIDv7, so ids order by creation time.
type ChangeID uuid.UUID

// NewID returns a fresh, time-ordered ChangeID.
func NewID() (ChangeID, error) {
	id, err := uuid.NewV7()
	return ChangeID(id), err
}

// ParseID parses the string form of a ChangeID; anything but a version-7
// UUID is ErrInvalidID.
func ParseID(s string) (ChangeID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return ChangeID{}, fmt.Errorf("%w: %q: %v", ErrInvalidID, s, err)
	}
	if id.Version() != 7 || id.Variant() != uuid.RFC4122 {
		return ChangeID{}, fmt.Errorf("%w: %q is not a version 7 uuid", ErrInvalidID, s)
	}
	return ChangeID(id), nil
}

// String returns the canonical uuid form.
func (id ChangeID) String() string { return uuid.UUID(id).String() }

// Time returns when the id was made, to the millisecond.
func (id ChangeID) Time() time.Time {
	sec, nsec := uuid.UUID(id).Time().UnixTime()
	return time.Unix(sec, nsec).UTC()
}

// Revision names one version of a blob; the zero Revision is none.
type Revision uuid.UUID

// NewRevision returns a fresh revision: every blob write goes to a new one.
func NewRevision() (Revision, error) {
	id, err := uuid.NewV7()
	return Revision(id), err
}

// IsZero reports whether r is none.
func (r Revision) IsZero() bool { return r == Revision{} }

// String returns the canonical uuid form, or "none".
func (r Revision) String() string {
	if r.IsZero() {
		return "none"
	}
	return uuid.UUID(r).String()
}

// Change is one multi-step change of Object from revision Old to New (either
// may be none). Its cleanup deletes whichever of the two blobs the reference
// tier does not point at; it may run once CleanupAfter has passed.
type Change struct {
	Object       string
	New, Old     Revision
	CleanupAfter time.Time // zero: at once
}

// Entry is an outstanding change.
type Entry struct {
	ID     ChangeID
	Change Change
}

// ChangeLog is the write-ahead log of changes.
type ChangeLog interface {
	// Record makes c durable under id before it returns: a crash after
	// Record returns leaves the entry for recovery to find. Recording an id
	// twice replaces the change.
	Record(ctx context.Context, id ChangeID, c Change) error

	// Remove deletes the entry of id once its cleanup is done; removing an
	// id that is not there is not an error.
	Remove(ctx context.Context, id ChangeID) error

	// Scan returns this log's outstanding entries whose CleanupAfter has
	// passed, including those it took over from dead instances, in no
	// particular order.
	Scan(ctx context.Context) ([]Entry, error)
}

// Noop is a ChangeLog that keeps nothing. It gives no crash safety: a crash
// in the middle of a change can leave an orphaned blob that nothing finds.
// Use it where the blob tier is itself transactional, or in benchmarks.
type Noop struct{}

var _ ChangeLog = Noop{}

// Record implements ChangeLog by discarding c.
func (Noop) Record(context.Context, ChangeID, Change) error { return nil }

// Remove implements ChangeLog.
func (Noop) Remove(context.Context, ChangeID) error { return nil }

// Scan implements ChangeLog: there is never anything to recover.
func (Noop) Scan(context.Context) ([]Entry, error) { return nil, nil }

// Tables returns every table a Durable, a Manager and KVBlobs use under
// prefix (empty: DefaultPrefix), for creating them all when the store opens:
// in IndexedDB each later creation is a schema upgrade that closes other
// tabs' connections.
func Tables(prefix string) []string {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return []string{prefix + "/instances", prefix + "/changes", prefix + "/refs", prefix + "/blobs"}
}
