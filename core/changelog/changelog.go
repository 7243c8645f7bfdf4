// Package changelog is the write-ahead log of idbsync's multi-step storage
// changes: a large value written to the blob tier, then referenced from the
// reference tier. A change is recorded durably before its first side effect
// and removed after its cleanup, so that recovery, from this engine or from
// another one that outlived it, finds every change that may have left an
// orphaned blob. Recovery only collects garbage: it never replays a write.
//
// # Implementations
//
// A Log is Noop (keeps nothing), Memory (one process, tests) or Durable
// (over a kv.Store, one instance per open engine, with heartbeats, claims
// and fencing). A BlobStore is MemoryBlobs or KVBlobs (chunks in a kv.Store
// table); a server adds its own (a folder, S3).
//
// # Capabilities
//
// Beyond Log and BlobStore, the Manager asks for optional interfaces, with
// a type assertion on the interface, never on a concrete type:
//
//   - PendingLister (required by NewManager): the Log lists the entries of
//     every instance, so Manager.Sweep knows which unreferenced blobs are a
//     write in flight. Memory and Durable have it; Noop does not, and a
//     Manager refuses it with ErrMissingCapability.
//   - RevisionLister (required by NewManager): the BlobStore lists its
//     revisions, so Manager.Sweep finds orphans no change names. MemoryBlobs
//     and KVBlobs have it.
//   - Fencer (optional): the Log commits the Manager's reference updates on
//     condition that its instance was not claimed, so a writer taken for
//     dead cannot overwrite what its claimer decided. Durable has it.
//   - Claimer (optional): the Log takes over the entries of dead instances
//     when Manager.Recover runs. Durable has it.
//
// Implementing a new Log or BlobStore: run changelogtest.RunLog or
// changelogtest.RunBlobStore on it, and changelogtest.RunManager over the
// kv.Store it lives in.
package changelog

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/kv"
)

// ID identifies a change: a UUIDv7, so ids order by creation time.
type ID uuid.UUID

// NewID returns a fresh, time-ordered ID.
func NewID() (ID, error) {
	id, err := uuid.NewV7()
	return ID(id), err
}

// ParseID parses the string form of a ID; anything but a version-7
// UUID is ErrInvalidID.
func ParseID(s string) (ID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return ID{}, fmt.Errorf("%w: %q: %v", ErrInvalidID, s, err)
	}
	if id.Version() != 7 || id.Variant() != uuid.RFC4122 {
		return ID{}, fmt.Errorf("%w: %q is not a version 7 uuid", ErrInvalidID, s)
	}
	return ID(id), nil
}

// String returns the canonical uuid form.
func (id ID) String() string { return uuid.UUID(id).String() }

// Time returns when the id was made, to the millisecond.
func (id ID) Time() time.Time {
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
	ID     ID
	Change Change
}

// Log is the write-ahead log of changes.
type Log interface {
	// Record makes c durable under id before it returns: a crash after
	// Record returns leaves the entry for recovery to find. Recording an id
	// twice replaces the change.
	Record(ctx context.Context, id ID, c Change) error

	// Remove deletes the entry of id once its cleanup is done; removing an
	// id that is not there is not an error.
	Remove(ctx context.Context, id ID) error

	// Scan returns this log's outstanding entries whose CleanupAfter has
	// passed, including those it took over from dead instances, in no
	// particular order.
	Scan(ctx context.Context) ([]Entry, error)
}

// Noop is a Log that keeps nothing. It gives no crash safety: a crash
// in the middle of a change can leave an orphaned blob that nothing finds.
// Use it where the blob tier is itself transactional, or in benchmarks.
type Noop struct{}

var _ Log = Noop{}

// Record implements Log by discarding c.
func (Noop) Record(context.Context, ID, Change) error { return nil }

// Remove implements Log.
func (Noop) Remove(context.Context, ID) error { return nil }

// Scan implements Log: there is never anything to recover.
func (Noop) Scan(context.Context) ([]Entry, error) { return nil, nil }

// PendingLister is a Log that lists the outstanding entries of every
// instance, due or not, live, dead or claimed.
type PendingLister interface {
	Pending(ctx context.Context) ([]Entry, error)
}

// Fencer is a Log whose instance can be claimed by another: CommitFenced
// commits b only while this instance is unclaimed, ErrFenced otherwise.
type Fencer interface {
	CommitFenced(ctx context.Context, b *kv.Batch) error
}

// Claimer is a Log that takes over the entries of dead instances, so that
// its Scan returns them too. ClaimDead returns how many entries it took.
type Claimer interface {
	ClaimDead(ctx context.Context) (int, error)
}

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
