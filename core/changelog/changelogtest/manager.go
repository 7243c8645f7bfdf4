package changelogtest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

// RunManager runs the suite of changelog.Manager and changelog.KVBlobs
// against the stores open makes, with the same rules as Run: a name opened
// again is the same database, no sleeping, a fake clock, and few enough
// store calls per subtest for IndexedDB. Values are small (1 KiB chunks,
// large values of a few KiB), so that chunked blob writes happen without
// much data.
func RunManager(t *testing.T, open kvtest.Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open kvtest.Opener)
	}{
		{"KVBlobs", testKVBlobs},
		{"Basics", testManagerBasics},
		{"LostAnswer", testLostAnswer},
		{"Crash", testCrash},
		{"Fenced", testManagerFenced},
		{"RecoverSkipsLive", testRecoverSkipsLive},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ReadDuringOverwrite", testReadDuringOverwrite},
		{"Model", testModel},
		{"FailedBlobAfterClaim", testFailedBlobAfterClaim},
		{"StrandedClaim", testStrandedClaim},
		{"RegisteredWithLock", testRegisteredWithLock},
		{"Sweep", testSweep},
		{"FencedAfterCAS", testFencedAfterCAS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// The shapes of the Manager tests: 1 KiB blob chunks, values above 512
// bytes go to the blob tier.
const (
	chunkSize = 1 << 10
	inlineMax = 512
)

// refsTable and blobsTable are the Manager's tables of the default prefix.
const (
	refsTable  = changelog.DefaultPrefix + "/refs"
	blobsTable = changelog.DefaultPrefix + "/blobs"
)

// menv is an env whose database has every table of the change log, the
// reference tier and the blob tier, created on its first handle before
// any other handle opens (in IndexedDB, creating a table is an upgrade).
type menv struct {
	*env
	first kv.Store
}

func newMEnv(t testing.TB, open kvtest.Opener) *menv {
	t.Helper()
	e := newEnv(t, open)
	s := e.handle(t)
	require.NoError(t, s.CreateTables(ctx, instancesTable, changesTable, refsTable, blobsTable))
	return &menv{env: e, first: s}
}

// peerOpts shape a peer: its Manager's hook, its KVBlobs' AfterChunk, and
// a wrapper around the blob store its Manager uses.
type peerOpts struct {
	hook       func(changelog.Step, string) error
	afterChunk func(changelog.Revision, int) error
	wrap       func(changelog.BlobStore) changelog.BlobStore
	store      func(kv.Store) kv.Store // wraps the peer's handle
}

// peer is one instance (a tab): a handle, its log, its blob store and its
// Manager.
type peer struct {
	s     kv.Store
	log   *changelog.Durable
	blobs *changelog.KVBlobs
	m     *changelog.Manager
}

// peer opens an instance with a Manager on a handle of its own. Its log is
// closed when the test ends, not before: a crashed peer is abandoned.
func (e *menv) peer(t testing.TB, o peerOpts) *peer {
	t.Helper()
	s := e.handle(t)
	if o.store != nil {
		s = o.store(s)
	}
	d := openLog(t, s, e.opts())
	blobs, err := changelog.NewKVBlobs(ctx, s, "", chunkSize)
	require.NoError(t, err)
	blobs.AfterChunk = o.afterChunk
	var bs changelog.BlobStore = blobs
	if o.wrap != nil {
		bs = o.wrap(bs)
	}
	m, err := changelog.NewManager(ctx, s, d, bs, changelog.ManagerOptions{InlineMax: inlineMax, Hook: o.hook})
	require.NoError(t, err)
	return &peer{s: s, log: d, blobs: blobs, m: m}
}

// expire lets every instance that does not beat now die: the clock passes
// the expiry and the live ones beat.
func (e *menv) expire(t testing.TB, live ...*peer) {
	t.Helper()
	e.clock.Add(expiry + time.Millisecond)
	for _, p := range live {
		require.NoError(t, p.log.Heartbeat(ctx))
	}
}

// value is n bytes that differ from every other tag's.
func value(tag string, n int) []byte {
	out := make([]byte, 0, n+len(tag))
	for len(out) < n {
		out = append(out, tag...)
		out = append(out, '|')
	}
	return out[:n]
}

// large and small are values of tag on either side of inlineMax: a large
// one spans several chunks.
func large(tag string) []byte { return value(tag, 4*chunkSize+chunkSize/3) }

func small(tag string) []byte { return value(tag, 100) }

func sortRevs(rs []changelog.Revision) []changelog.Revision {
	slices.SortFunc(rs, func(a, b changelog.Revision) int { return bytes.Compare(a[:], b[:]) })
	return rs
}

// revisions lists the revisions of the blob tier of e, complete or not.
func (e *menv) revisions(t testing.TB) []changelog.Revision {
	t.Helper()
	blobs, err := changelog.NewKVBlobs(ctx, e.first, "", chunkSize)
	require.NoError(t, err)
	rs, err := blobs.Revisions(ctx)
	require.NoError(t, err)
	return sortRevs(rs)
}

// requireNoLog checks that no instance has an outstanding entry: the whole
// changes table is empty.
func (e *menv) requireNoLog(t testing.TB, msgAndArgs ...any) {
	t.Helper()
	rows, err := e.first.Scan(ctx, changesTable, kv.Range{})
	require.NoError(t, err)
	require.Empty(t, rows, msgAndArgs...)
}

// requireGet checks that m reads want for object (nil: ErrNotFound).
func requireGet(t testing.TB, m *changelog.Manager, object string, want []byte, msgAndArgs ...any) {
	t.Helper()
	got, err := m.Get(ctx, object)
	if want == nil {
		require.ErrorIs(t, err, changelog.ErrNotFound, msgAndArgs...)
		return
	}
	require.NoError(t, err, msgAndArgs...)
	require.True(t, bytes.Equal(want, got), "%s: got %d bytes %.24q, want %d bytes %.24q",
		fmt.Sprint(msgAndArgs...), len(got), got, len(want), want)
}

// requireState checks the end state of every test: each object reads its
// value (nil: absent), the blob tier holds exactly one revision per large
// value (every large object reads, so no revision is unreferenced), and no
// entry is outstanding.
func (e *menv) requireState(t testing.TB, m *changelog.Manager, want map[string][]byte, msg string) {
	t.Helper()
	nlarge := 0
	for object, v := range want {
		requireGet(t, m, object, v, msg, " ", object)
		if len(v) > inlineMax {
			nlarge++
		}
	}
	require.Len(t, e.revisions(t), nlarge, "%s: one blob per large object, none unreferenced", msg)
	e.requireNoLog(t, msg)
}

// blobRevisions lists the revisions of a KVBlobs or a MemoryBlobs.
func blobRevisions(t testing.TB, b changelog.BlobStore) []changelog.Revision {
	t.Helper()
	var rs []changelog.Revision
	var err error
	switch b := b.(type) {
	case *changelog.KVBlobs:
		rs, err = b.Revisions(ctx)
	case *changelog.MemoryBlobs:
		rs, err = b.Revisions(ctx)
	default:
		t.Fatalf("blob store %T lists no revisions", b)
	}
	require.NoError(t, err)
	return sortRevs(rs)
}
