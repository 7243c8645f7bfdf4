package changelog

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/idbsync/idbsync/core/kv"
)

// BlobStore is the blob tier: large values under revision keys, written
// outside the reference tier's transactions. Every method is idempotent. A
// crash during Put may leave a partial blob, which Get reports as absent and
// Delete removes.
type BlobStore interface {
	// Put writes data under rev. Revisions are never reused.
	Put(ctx context.Context, rev Revision, data []byte) error
	// Get returns the blob of rev, or ErrNotFound when it is absent or
	// incomplete.
	Get(ctx context.Context, rev Revision) ([]byte, error)
	// Delete removes whatever is stored under rev; a missing blob is fine.
	Delete(ctx context.Context, rev Revision) error
}

// RevisionLister is a BlobStore that lists the revisions it holds,
// complete or partial, in no particular order.
type RevisionLister interface {
	Revisions(ctx context.Context) ([]Revision, error)
}

// MemoryBlobs is a BlobStore in memory, for tests.
type MemoryBlobs struct {
	mu    sync.Mutex
	blobs map[Revision][]byte
}

var (
	_ BlobStore      = (*MemoryBlobs)(nil)
	_ RevisionLister = (*MemoryBlobs)(nil)
)

// NewMemoryBlobs returns an empty blob store.
func NewMemoryBlobs() *MemoryBlobs { return &MemoryBlobs{blobs: make(map[Revision][]byte)} }

// Put implements BlobStore.
func (m *MemoryBlobs) Put(_ context.Context, rev Revision, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blobs[rev] = append([]byte{}, data...)
	return nil
}

// Get implements BlobStore.
func (m *MemoryBlobs) Get(_ context.Context, rev Revision) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blobs[rev]
	if !ok {
		return nil, ErrNotFound
	}
	return append([]byte{}, b...), nil
}

// Delete implements BlobStore.
func (m *MemoryBlobs) Delete(_ context.Context, rev Revision) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.blobs, rev)
	return nil
}

// Revisions implements RevisionLister.
func (m *MemoryBlobs) Revisions(context.Context) ([]Revision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Revision, 0, len(m.blobs))
	for r := range m.blobs {
		out = append(out, r)
	}
	return out, nil
}

// DefaultChunkSize is the chunk size of KVBlobs.
const DefaultChunkSize = 256 << 10

// DefaultChunksPerCommit is how many chunks of DefaultChunkSize a KVBlobs
// commits at once (4 MiB): a commit is a few requests however large it is
// (in the browser one IndexedDB transaction), so a 1 MiB blob is one.
const DefaultChunksPerCommit = 16

// manifestChunk is the chunk number of a blob's manifest row, after every
// data chunk.
const manifestChunk = ^uint32(0)

// KVBlobs is a BlobStore over a kv.Store table (in the browser, an IndexedDB
// object store): a blob is written in chunks, a few per transaction, the
// last transaction with the manifest row; a crash in between leaves a
// partial blob without manifest.
type KVBlobs struct {
	store     kv.Store
	table     string
	chunk     int
	perCommit int

	// AfterChunk, when set, runs after each chunk is committed; an error
	// stops the write there (tests use it to crash mid-blob).
	AfterChunk func(rev Revision, chunk int) error
}

var (
	_ BlobStore      = (*KVBlobs)(nil)
	_ RevisionLister = (*KVBlobs)(nil)
)

// NewKVBlobs returns the blob store in <prefix>/blobs of store, creating the
// table; chunkSize <= 0 means DefaultChunkSize, committed
// DefaultChunksPerCommit at a time (a chunk size given commits each chunk on
// its own, for tests that stop a write between chunks).
func NewKVBlobs(ctx context.Context, store kv.Store, prefix string, chunkSize int) (*KVBlobs, error) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	perCommit := 1
	if chunkSize <= 0 {
		chunkSize, perCommit = DefaultChunkSize, DefaultChunksPerCommit
	}
	b := &KVBlobs{store: store, table: prefix + "/blobs", chunk: chunkSize, perCommit: perCommit}
	if err := store.CreateTables(ctx, b.table); err != nil {
		return nil, err
	}
	return b, nil
}

func chunkKey(rev Revision, n uint32) []byte {
	return kv.AppendUint32(kv.AppendUUID(make([]byte, 0, 20), rev), n)
}

// Put implements BlobStore: the chunks, perCommit to a batch, then the
// manifest (in the batch of the last chunks when several go per batch).
// The chunks are slices of data, not copies.
func (s *KVBlobs) Put(ctx context.Context, rev Revision, data []byte) error {
	chunks := max(1, (len(data)+s.chunk-1)/s.chunk)
	m, _ := (&blobManifest{Size: int64(len(data)), Chunks: uint32(chunks)}).MarshalMsg(nil)
	for first := 0; first < chunks; first += s.perCommit {
		last := min(first+s.perCommit, chunks)
		var b kv.Batch
		for n := first; n < last; n++ {
			b.Put(s.table, chunkKey(rev, uint32(n)), data[min(n*s.chunk, len(data)):min((n+1)*s.chunk, len(data))])
		}
		if last == chunks && s.perCommit > 1 {
			b.Put(s.table, chunkKey(rev, manifestChunk), m)
		}
		if err := s.store.Commit(ctx, &b); err != nil {
			return err
		}
		if s.AfterChunk != nil {
			for n := first; n < last; n++ {
				if err := s.AfterChunk(rev, n); err != nil {
					return err
				}
			}
		}
	}
	if s.perCommit > 1 {
		return nil
	}
	var b kv.Batch
	b.Put(s.table, chunkKey(rev, manifestChunk), m)
	return s.store.Commit(ctx, &b)
}

// Get implements BlobStore.
func (s *KVBlobs) Get(ctx context.Context, rev Revision) ([]byte, error) {
	v, err := s.store.Get(ctx, s.table, chunkKey(rev, manifestChunk))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var m blobManifest
	if _, err := m.UnmarshalMsg(v); err != nil {
		return nil, fmt.Errorf("%w: blob manifest %s: %v", ErrCorrupt, rev, err)
	}
	rows, err := s.store.Scan(ctx, s.table, kv.Range{Start: chunkKey(rev, 0), End: chunkKey(rev, m.Chunks)})
	if err != nil {
		return nil, err
	}
	if len(rows) != int(m.Chunks) {
		// A Delete that removed the manifest after it was read here, then
		// the chunks, makes the blob absent, not corrupt.
		if _, err := s.store.Get(ctx, s.table, chunkKey(rev, manifestChunk)); errors.Is(err, kv.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("%w: blob %s has %d of %d chunks", ErrCorrupt, rev, len(rows), m.Chunks)
	}
	out := make([]byte, 0, m.Size)
	for _, r := range rows {
		out = append(out, r.Value...)
	}
	if int64(len(out)) != m.Size {
		return nil, fmt.Errorf("%w: blob %s is %d bytes, manifest says %d", ErrCorrupt, rev, len(out), m.Size)
	}
	return out, nil
}

// Delete implements BlobStore: the manifest goes first, so a crash in the
// middle leaves a partial blob, never a complete-looking one. The chunks,
// numbered from 0, go in batches found by a one-row scan each, so a delete
// does not read the blob.
func (s *KVBlobs) Delete(ctx context.Context, rev Revision) error {
	var b kv.Batch
	b.Delete(s.table, chunkKey(rev, manifestChunk))
	if err := s.store.Commit(ctx, &b); err != nil {
		return err
	}
	for {
		rows, err := s.store.Scan(ctx, s.table, kv.Range{Start: chunkKey(rev, 0), End: chunkKey(rev, manifestChunk), Limit: 1})
		if err != nil || len(rows) == 0 {
			return err
		}
		_, rest, err := kv.ReadUUID(rows[0].Key)
		if err != nil {
			return fmt.Errorf("%w: blob key %x", ErrCorrupt, rows[0].Key)
		}
		first, _, err := kv.ReadUint32(rest)
		if err != nil {
			return fmt.Errorf("%w: blob key %x", ErrCorrupt, rows[0].Key)
		}
		b = kv.Batch{}
		for n := first; n < first+deleteBatch && n < manifestChunk; n++ {
			b.Delete(s.table, chunkKey(rev, n))
		}
		if err := s.store.Commit(ctx, &b); err != nil {
			return err
		}
	}
}

// deleteBatch is how many chunk keys one batch of Delete removes.
const deleteBatch = 256

// Revisions implements RevisionLister: every revision with a row,
// complete or not. It reads one row per revision, not the blobs.
func (s *KVBlobs) Revisions(ctx context.Context) ([]Revision, error) {
	var out []Revision
	var start []byte
	for {
		rows, err := s.store.Scan(ctx, s.table, kv.Range{Start: start, Limit: 1})
		if err != nil || len(rows) == 0 {
			return out, err
		}
		id, _, err := kv.ReadUUID(rows[0].Key)
		if err != nil {
			return nil, fmt.Errorf("%w: blob key %x", ErrCorrupt, rows[0].Key)
		}
		out = append(out, Revision(id))
		if start = kv.PrefixEnd(id[:]); start == nil {
			return out, nil // the all-0xFF revision is the last one possible
		}
	}
}
