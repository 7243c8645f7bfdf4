package paged

import "context"

// Backend is the medium a Store keeps its records in: one head row, one
// manifest row, write-ahead rows by sequence number, pages and out-of-line
// values by id. A Backend is one handle on one database; several handles
// (tabs, workers) may share the database, and each call is atomic against
// every other handle's.
//
// Returned slices belong to the caller. Every error is, or wraps, a kv error
// (kv.ErrClosed, kv.ErrQuotaExceeded, kv.ErrAborted, ...) or ctx.Err(), except
// ErrStale.
type Backend interface {
	// Read reads, in one transaction, the head (nil when the database has
	// none yet), the pages and values of the ids in q (nil where one is
	// absent) and, with q.Log, the manifest and every write-ahead row
	// numbered above q.After, ascending.
	Read(ctx context.Context, q Query) (*Snapshot, error)

	// Write applies w in one transaction if the stored head is byte for
	// byte expect (nil: no head yet), else writes nothing and returns
	// ErrStale. When it returns nil, w is durable to the degree the
	// backend promises. It keeps none of w's slices once it returns: the
	// store writes its next rows into the same buffers.
	Write(ctx context.Context, expect []byte, w *Write) error

	// Close releases the handle; it is idempotent.
	Close() error
}

// Query is what one Backend.Read reads besides the head.
type Query struct {
	Pages, Values []uint64
	Log           bool   // the manifest and the write-ahead rows too
	After         uint64 // with Log: the rows numbered above this one
}

// Snapshot is what one Backend.Read read, all at one point in time.
type Snapshot struct {
	Head, Manifest []byte
	WAL            []Row
	Pages, Values  [][]byte // in the order of the query's ids
}

// Row is a write-ahead row, a page or a value: its number and its bytes.
type Row struct {
	ID   uint64
	Data []byte
}

// Write is what one Backend.Write stores, all or nothing.
type Write struct {
	Head     []byte // the new head (always set)
	Manifest []byte // the new manifest; nil leaves it
	WAL      []Row  // write-ahead rows to put
	// DropWAL deletes the write-ahead rows numbered up to it (0: none).
	DropWAL    uint64
	Pages      []Row // pages to put
	DropPages  []uint64
	Values     []Row // out-of-line values to put
	DropValues []uint64
}
