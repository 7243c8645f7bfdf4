package syncer

import (
	"context"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/oplog"
)

// Replica is one side of a sync: a local op log, or a remote one behind a
// transport (a MessagePort, a BroadcastChannel, HTTP). Pull and Sync only
// ever call these three methods, so a transport implements a Replica by
// forwarding them; they may be called from several goroutines at once.
type Replica interface {
	// Cursors returns the replica's version vector: for every peer it
	// knows, the next index it expects. It may be stale the moment it
	// returns, but it never claims an entry the replica cannot serve from
	// ReadSince. The caller owns the returned map.
	Cursors(ctx context.Context) (oplog.PeerCursors, error)

	// ReadSince returns one wire batch (oplog.EncodeBatch) of up to limit
	// entries of peer from index from on, ascending, markers included. It
	// holds fewer than limit entries only when the log (or the transport's
	// own bound) ends sooner; Pull always asks with limit >= 1 and rejects
	// any other answer with ErrBadPage. The caller owns the returned slice.
	ReadSince(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error)

	// Apply ingests one wire batch, all or nothing, with
	// oplog.Processor.ApplyBatch's rules: an entry below the replica's
	// cursor is skipped, one past it is a *oplog.CursorMismatchError, a
	// timestamp too far ahead is hlc.ErrClockSkew, a batch that does not
	// decode is oplog.ErrCorrupt; on any error nothing is written.
	Apply(ctx context.Context, batch []byte) (oplog.BatchResult, error)
}

// Attesting is a Replica that vouches for the ServerUser of the entries it
// serves: the sync server, or the transport to it an app marked as its
// server. Pull keeps those users only from a source that attests, and only
// into a destination that is an AttestedApplier; from every other source a
// destination's Apply drops them (engine.Engine does), so a peer cannot
// pass off its entries as another user's.
type Attesting interface {
	Attests() bool
}

// AttestedApplier is a Replica that can apply a batch keeping its entries'
// ServerUser, for batches from an Attesting source.
type AttestedApplier interface {
	ApplyAttested(ctx context.Context, batch []byte) (oplog.BatchResult, error)
}

// BlobSink is a Replica that takes attachment bytes (the sync server's
// transport, another engine): a pull from a BlobCarrier gives it the bytes
// a page's entries reference before it applies the page.
type BlobSink interface {
	// HasBlobs returns, for each hash (lowercase hex SHA-256), whether the
	// sink holds its bytes.
	HasBlobs(ctx context.Context, hashes []string) ([]bool, error)
	// StoreBlob takes the bytes of hash; bytes that do not hash to it are
	// refused (oplog.ErrCorrupt).
	StoreBlob(ctx context.Context, hash string, data []byte) error
}

// BlobCarrier is a Replica whose entries may reference attachment bytes:
// CarryBlobs gives to those of entries' that it lacks, so that no replica
// holds a reference whose bytes never left the replica that wrote them.
type BlobCarrier interface {
	CarryBlobs(ctx context.Context, entries []oplog.Entry, to BlobSink) error
}

// Local returns the Replica of a Processor in this process. Its ReadSince
// answers at most oplog.MaxBatchEntries entries (a limit <= 0 asks for
// that many) in at most oplog.MaxBatchBytes, so every batch it serves is
// one the other side's decoder accepts.
func Local(p *oplog.Processor) Replica { return local{p: p} }

// local adapts a Processor to Replica: the wire encoding is the only thing
// it adds, so a local replica and a remote one look the same to Pull.
type local struct {
	p *oplog.Processor
}

func (l local) Cursors(ctx context.Context) (oplog.PeerCursors, error) {
	return l.p.Cursors(ctx)
}

func (l local) ReadSince(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error) {
	return l.p.ReadBatch(ctx, peer, from, limit)
}

func (l local) Apply(ctx context.Context, batch []byte) (oplog.BatchResult, error) {
	entries, err := oplog.DecodeBatch(batch)
	if err != nil {
		return oplog.BatchResult{}, err
	}
	return l.p.ApplyBatch(ctx, entries)
}
