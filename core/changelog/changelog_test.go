package changelog_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/changelog/changelogtest"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

// never is a timer that never fires: no heartbeat runs on its own.
func never(time.Duration) <-chan time.Time { return nil }

// TestLog runs the Log suite on every Log that keeps entries.
func TestLog(t *testing.T) {
	t.Run("Memory", func(t *testing.T) {
		changelogtest.RunLog(t, func(_ testing.TB, now func() time.Time) changelog.Log { return changelog.NewMemory(now) })
	})
	t.Run("Durable", func(t *testing.T) {
		changelogtest.RunLog(t, func(t testing.TB, now func() time.Time) changelog.Log {
			d, err := changelog.OpenDurable(ctx, memkv.New(), changelog.DurableOptions{Now: now, After: never})
			require.NoError(t, err)
			t.Cleanup(func() { _ = d.Close() })
			return d
		})
	})
}

// TestBlobStore runs the BlobStore suite on every blob store, KVBlobs with
// its default chunks and with small ones.
func TestBlobStore(t *testing.T) {
	t.Run("MemoryBlobs", func(t *testing.T) {
		changelogtest.RunBlobStore(t, func(testing.TB) changelog.BlobStore { return changelog.NewMemoryBlobs() })
		changelogtest.RunBlobManager(t, func(testing.TB) changelog.BlobStore { return changelog.NewMemoryBlobs() })
	})
	for _, chunk := range []int{0, 1000} {
		t.Run(fmt.Sprintf("KVBlobs/chunk%d", chunk), func(t *testing.T) {
			changelogtest.RunBlobStore(t, func(t testing.TB) changelog.BlobStore {
				b, err := changelog.NewKVBlobs(ctx, memkv.New(), "", chunk)
				require.NoError(t, err)
				return b
			})
		})
	}
}

func TestDurable(t *testing.T) {
	changelogtest.Run(t, kvtest.MemOpener())
}

func BenchmarkDurable(b *testing.B) {
	changelogtest.Benchmark(b, kvtest.MemOpener())
}

func TestManager(t *testing.T) {
	changelogtest.RunManager(t, kvtest.MemOpener())
}

func BenchmarkManager(b *testing.B) {
	changelogtest.BenchmarkManager(b, kvtest.MemOpener())
}

var ctx = context.Background()

func TestNewIDOrdered(t *testing.T) {
	const n = 200
	ids := make([]changelog.ID, n)
	for i := range ids {
		id, err := changelog.NewID()
		require.NoError(t, err)
		assert.Equal(t, uuid.Version(7), uuid.UUID(id).Version())
		assert.Equal(t, uuid.RFC4122, uuid.UUID(id).Variant())
		ids[i] = id
	}
	for i := 1; i < n; i++ {
		assert.Negative(t, bytes.Compare(ids[i-1][:], ids[i][:]), "id %d sorts after id %d", i, i-1)
		assert.Less(t, ids[i-1].String(), ids[i].String(), "string forms sort too")
	}
}

func TestParseID(t *testing.T) {
	id, err := changelog.NewID()
	require.NoError(t, err)
	got, err := changelog.ParseID(id.String())
	require.NoError(t, err)
	assert.Equal(t, id, got)
	got, err = changelog.ParseID(bytesToUpper(id.String()))
	require.NoError(t, err, "upper case parses")
	assert.Equal(t, id, got)

	v7 := id.String()
	for _, tc := range []struct{ name, s string }{
		{"Empty", ""},
		{"Malformed", "not-a-uuid"},
		{"Truncated", v7[:len(v7)-1]},
		{"BadHex", "zz" + v7[2:]},
		{"V4", uuid.New().String()},
		{"Nil", uuid.Nil.String()},
		{"V1Like", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
		{"V7WrongVariant", v7[:19] + "c" + v7[20:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := changelog.ParseID(tc.s)
			require.ErrorIs(t, err, changelog.ErrInvalidID, "%q", tc.s)
		})
	}
}

func bytesToUpper(s string) string { return string(bytes.ToUpper([]byte(s))) }

func TestIDTime(t *testing.T) {
	before := time.Now()
	id, err := changelog.NewID()
	require.NoError(t, err)
	after := time.Now()
	got := id.Time()
	assert.Equal(t, time.UTC, got.Location())
	assert.False(t, got.Before(before.Truncate(time.Millisecond)), "%v before %v", got, before)
	assert.False(t, got.After(after), "%v after %v", got, after)
}

func TestRevision(t *testing.T) {
	var zero changelog.Revision
	assert.True(t, zero.IsZero())
	assert.Equal(t, "none", zero.String())
	r, err := changelog.NewRevision()
	require.NoError(t, err)
	assert.False(t, r.IsZero())
	assert.Equal(t, uuid.UUID(r).String(), r.String())
	r2, err := changelog.NewRevision()
	require.NoError(t, err)
	assert.NotEqual(t, r, r2, "every revision is new")
}

func sortEntries(es []changelog.Entry) []changelog.Entry {
	sort.Slice(es, func(i, j int) bool { return bytes.Compare(es[i].ID[:], es[j].ID[:]) < 0 })
	return es
}

func TestMemory(t *testing.T) {
	base := time.UnixMilli(1_700_000_000_000).UTC()
	now := base
	m := changelog.NewMemory(func() time.Time { return now })
	var _ changelog.Log = m
	got, err := m.Scan(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.Zero(t, m.Len())

	mk := func() changelog.ID {
		id, err := changelog.NewID()
		require.NoError(t, err)
		return id
	}
	rev, err := changelog.NewRevision()
	require.NoError(t, err)
	due := changelog.Entry{ID: mk(), Change: changelog.Change{Object: "due", New: rev}}
	later := changelog.Entry{ID: mk(), Change: changelog.Change{Object: "later", Old: rev, CleanupAfter: base.Add(time.Second)}}
	require.NoError(t, m.Record(ctx, due.ID, due.Change))
	require.NoError(t, m.Record(ctx, later.ID, later.Change))
	assert.Equal(t, 2, m.Len())
	got, err = m.Scan(ctx)
	require.NoError(t, err)
	assert.Equal(t, []changelog.Entry{due}, got, "a future entry is not scanned")

	now = base.Add(time.Second)
	got, err = m.Scan(ctx)
	require.NoError(t, err)
	assert.Equal(t, sortEntries([]changelog.Entry{due, later}), sortEntries(got), "due once the clock reaches it")

	due.Change.Object = "replaced"
	require.NoError(t, m.Record(ctx, due.ID, due.Change))
	assert.Equal(t, 2, m.Len(), "recording an id twice replaces it")
	got, err = m.Scan(ctx)
	require.NoError(t, err)
	assert.Equal(t, sortEntries([]changelog.Entry{due, later}), sortEntries(got))

	require.NoError(t, m.Remove(ctx, due.ID))
	require.NoError(t, m.Remove(ctx, due.ID), "removing a missing id is fine")
	assert.Equal(t, 1, m.Len())
	got, err = m.Scan(ctx)
	require.NoError(t, err)
	assert.Equal(t, []changelog.Entry{later}, got)

	assert.NotNil(t, changelog.NewMemory(nil), "nil clock means time.Now")
}

func TestNoop(t *testing.T) {
	var l changelog.Log = changelog.Noop{}
	id, err := changelog.NewID()
	require.NoError(t, err)
	require.NoError(t, l.Record(ctx, id, changelog.Change{Object: "x"}))
	got, err := l.Scan(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)
	require.NoError(t, l.Remove(ctx, id))
}

// blobsOnly hides every capability of a blob store but BlobStore itself.
type blobsOnly struct{ changelog.BlobStore }

// TestManagerCapabilities: a Manager is refused, at construction, a log or
// a blob store its sweep could not work with.
func TestManagerCapabilities(t *testing.T) {
	tests := []struct {
		name  string
		log   changelog.Log
		blobs changelog.BlobStore
		ok    bool
	}{
		{"MemoryAndMemoryBlobs", changelog.NewMemory(nil), changelog.NewMemoryBlobs(), true},
		{"NoopLog", changelog.Noop{}, changelog.NewMemoryBlobs(), false},
		{"BlobsWithoutRevisions", changelog.NewMemory(nil), blobsOnly{changelog.NewMemoryBlobs()}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := changelog.NewManager(ctx, memkv.New(), tc.log, tc.blobs, changelog.ManagerOptions{})
			if !tc.ok {
				require.ErrorIs(t, err, changelog.ErrMissingCapability)
				assert.Nil(t, m)
				return
			}
			require.NoError(t, err)
			n, err := m.Sweep(ctx)
			require.NoError(t, err)
			assert.Zero(t, n)
		})
	}
}

// listThen is a blob store whose first listing runs then before it
// returns, standing for whatever happens between Sweep's reads.
type listThen struct {
	*changelog.MemoryBlobs
	then func()
	once sync.Once
}

func (l *listThen) Revisions(ctx context.Context) ([]changelog.Revision, error) {
	revs, err := l.MemoryBlobs.Revisions(ctx)
	l.once.Do(l.then)
	return revs, err
}

// TestSweepCountsOnlyItsOwn: a write that completes while a sweep runs
// deletes the blob it replaced itself; the sweep does not count (or take)
// that blob as an orphan it collected.
func TestSweepCountsOnlyItsOwn(t *testing.T) {
	paused, resume := make(chan struct{}), make(chan struct{})
	var armed atomic.Bool
	blobs := &listThen{MemoryBlobs: changelog.NewMemoryBlobs()}
	m, err := changelog.NewManager(ctx, memkv.New(), changelog.NewMemory(nil), blobs, changelog.ManagerOptions{
		Hook: func(step changelog.Step, _ string) error {
			if step == changelog.StepCASCommitted && armed.CompareAndSwap(true, false) {
				close(paused)
				<-resume
			}
			return nil
		},
	})
	require.NoError(t, err)
	large := func(b byte) []byte { return bytes.Repeat([]byte{b}, changelog.DefaultInlineMax+1) }
	require.NoError(t, m.Put(ctx, "x", large('a')))
	armed.Store(true)
	done := make(chan error, 1)
	go func() { done <- m.Put(ctx, "x", large('b')) }()
	<-paused // the new blob is referenced, the old one not yet deleted
	blobs.then = func() {
		close(resume)
		require.NoError(t, <-done) // the write deletes the old blob and completes
	}
	n, err := m.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "the write collected its own old blob")
	revs, err := blobs.Revisions(ctx)
	require.NoError(t, err)
	assert.Len(t, revs, 1)
	got, err := m.Get(ctx, "x")
	require.NoError(t, err)
	assert.Equal(t, large('b'), got)
}

// commitCounter is a memkv store that counts commits.
type commitCounter struct {
	*memkv.Store
	commits atomic.Int64
}

func (c *commitCounter) Commit(ctx context.Context, b *kv.Batch) error {
	c.commits.Add(1)
	return c.Store.Commit(ctx, b)
}

// TestKVBlobsCommitsChunksTogether: with the default chunks, a blob goes in
// one commit per DefaultChunksPerCommit chunks, the manifest in the last,
// and one stopped between commits reads as absent.
func TestKVBlobsCommitsChunksTogether(t *testing.T) {
	chunk := changelog.DefaultChunkSize
	per := changelog.DefaultChunksPerCommit
	tests := []struct {
		name    string
		size    int
		commits int64
	}{
		{"Empty", 0, 1},
		{"OneChunk", 10, 1},
		{"OneMiB", 1 << 20, 1},
		{"OneBatchFull", per * chunk, 1},
		{"OneByteMore", per*chunk + 1, 2},
		{"NineMiB", 9<<20 + 7, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &commitCounter{Store: memkv.New()}
			b, err := changelog.NewKVBlobs(ctx, store, "", 0)
			require.NoError(t, err)
			data := bytes.Repeat([]byte{0xA5, 0x5A, 0x01}, tc.size/3+1)[:tc.size]
			rev, err := changelog.NewRevision()
			require.NoError(t, err)
			before := store.commits.Load()
			require.NoError(t, b.Put(ctx, rev, data))
			assert.Equal(t, tc.commits, store.commits.Load()-before, "commits")
			got, err := b.Get(ctx, rev)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(data, got), "round trip")
		})
	}
	t.Run("StoppedBetweenCommits", func(t *testing.T) {
		b, err := changelog.NewKVBlobs(ctx, memkv.New(), "", 0)
		require.NoError(t, err)
		stop := errors.New("stop")
		b.AfterChunk = func(_ changelog.Revision, n int) error {
			if n == per-1 {
				return stop
			}
			return nil
		}
		rev, err := changelog.NewRevision()
		require.NoError(t, err)
		require.ErrorIs(t, b.Put(ctx, rev, make([]byte, 2*per*chunk)), stop)
		_, err = b.Get(ctx, rev)
		require.ErrorIs(t, err, changelog.ErrNotFound, "a partial blob has no manifest")
		revs, err := b.Revisions(ctx)
		require.NoError(t, err)
		assert.Equal(t, []changelog.Revision{rev}, revs, "listed, for the sweep")
	})
}
