package oplog_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog"
)

// goldenWall is the fake wall time of the golden fixture.
const goldenWall = 1_700_000_000_000

func goldenTS(ms uint64, counter uint16) hlc.Timestamp {
	ts, err := hlc.New(ms, counter)
	if err != nil {
		panic(err)
	}
	return ts
}

// goldenLog opens a Processor over a fresh memkv holding the golden
// fixture: peer id(1) ingested through ApplyBatch (salted puts, an
// attributed entry, a delete, an unsalted empty put as older builds wrote
// it, a long key with a value past 255 bytes, a marker, an expunge op);
// peer id(2) as raw rows in the bytes older builds wrote (no salt field; a
// zero-length value written as an empty bin, which reads back as no value;
// a marker; a delete).
func goldenLog(t *testing.T) *oplog.Processor {
	t.Helper()
	ctx := context.Background()
	store := memkv.New()
	p, err := oplog.Open(ctx, store, oplog.Options{Peer: id(0x10), Now: func() time.Time { return time.UnixMilli(goldenWall) }})
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })

	x, user, gone := id(1), id(9), sha256.Sum256([]byte("gone"))
	salt := func(n byte) []byte { return []byte(strings.Repeat(string(rune('a'+n)), oplog.SaltSize)) }
	_, err = p.ApplyBatch(ctx, []oplog.Entry{
		{Peer: x, Idx: 0, TS: goldenTS(goldenWall-9, 0), Op: oplog.Put("a", []byte("1")), Salt: salt(0)},
		{Peer: x, Idx: 1, TS: goldenTS(goldenWall-8, 1), User: user, Op: oplog.Put("b", []byte("2")), Salt: salt(1)},
		{Peer: x, Idx: 2, TS: goldenTS(goldenWall-7, 0), Op: oplog.Delete("a"), Salt: salt(2)},
		{Peer: x, Idx: 3, TS: goldenTS(goldenWall-6, 0), Op: oplog.Put("e", []byte{})},
		{Peer: x, Idx: 4, TS: goldenTS(goldenWall-5, 0), Op: oplog.Put(strings.Repeat("k", 40), []byte(strings.Repeat("v", 300))), Salt: salt(4)},
		oplog.Marker(x, 5, gone),
		{Peer: x, Idx: 6, TS: goldenTS(goldenWall-4, 0), Op: oplog.Expunge(oplog.ExpungeRef{Peer: id(3), Idx: 7, Hash: gone}), Salt: salt(6)},
	})
	require.NoError(t, err)

	// Rows of peer id(2) as the first build (3800182) wrote them: a msgp map
	// of t, u (when attributed), g, k (when set), v (when not nil).
	y := id(2)
	var b kv.Batch
	log := oplog.Tables("")[0]
	for idx, row := range oldRows {
		v, err := hex.DecodeString(row)
		require.NoError(t, err)
		b.Put(log, oplog.EntryKey(y, uint64(idx)), v)
	}
	require.NoError(t, store.Commit(ctx, &b))
	return p
}

// oldRows are the oplog rows of peer id(2) in goldenLog, as the first build
// wrote them (no salt field).
var oldRows = []string{
	// {t: 1, g: 1, k: "old", v: "x"}
	"84" + "a174" + "01" + "a167" + "01" + "a16b" + "a36f6c64" + "a176" + "c40178",
	// {t: 2, u: id(9), g: 1, k: "o2", v: []byte{}}: an empty value the first
	// build wrote as a zero-length bin; it reads back as no value.
	"85" + "a174" + "02" + "a175" + "c410" + "09ee0000000040008000000000000009" + "a167" + "01" + "a16b" + "a26f32" + "a176" + "c400",
	// the marker {t: 0, g: 0xff, v: sha256("gone")}
	"83" + "a174" + "00" + "a167" + "ccff" + "a176" + "c420" + "283bb9deef02e6843abfb538efa1eca70801bd8a701c3f98191e123496339247",
	// {t: 0x1234567, g: 2, k: "old"}: a delete
	"83" + "a174" + "ce01234567" + "a167" + "02" + "a16b" + "a36f6c64",
}

// goldenReads are the wire batches the golden fixture served before reads
// forwarded stored bytes (EncodeBatch of ReadSince's entries, at 9fc8b64):
// their size and SHA-256.
var goldenReads = []struct {
	peer        uuid.UUID
	from, limit int
	size        int
	sum         string
}{
	{id(1), 0, 0, 896, "4b78bd7e5b70858ca7f2a35d615ab769cc96cc0eccbc40c0354621c1c7f4ca2f"},
	{id(1), 0, 3, 261, "beb171033f40f7459688f900b61690829bfc31de359883ec112c2522c611bd61"},
	{id(1), 2, 2, 149, "08a0a34e6915f79086a77e34b8f2946cd4a13cb9b71cdfedf61d0fa90cbca89c"},
	{id(1), 5, 10, 230, "e01e1f4d428bf690d80f2e789e5d161aff0e1c0fd74f0f011f9b40afe8399cb4"},
	{id(1), 9, 1, 45, "ecde715bd40aa9f3999ff2cd8ea9da13952f5d4994cbc6d550a55cf95495d6a9"},
	{id(2), 0, 0, 248, "fcd5bff2ebf3d9a8c3213fc902e62016ada7c4771789d1d323398720714a4b46"},
	{id(2), 0, 3, 208, "40a26d70899419d49faafc8b038a65986f534300c359a615abf0ecdc72043cc4"},
	{id(2), 2, 2, 152, "8c46c0abecf0cea295b0010ff88ade87c1448a1cc245a801f38354b685d3c392"},
	{id(2), 5, 10, 45, "ecde715bd40aa9f3999ff2cd8ea9da13952f5d4994cbc6d550a55cf95495d6a9"},
	{id(3), 0, 0, 45, "ecde715bd40aa9f3999ff2cd8ea9da13952f5d4994cbc6d550a55cf95495d6a9"},
}

// goldenOldBatch is the whole read of peer id(2), the rows of the first
// build, as it was served before reads forwarded stored bytes: the entry
// with the empty bin comes out with no value ("a16ba26f32" then the next
// entry), the marker with its hash and a zero timestamp, the attributed
// entry with its user.
const goldenOldBatch = "83a16601a165c4cc94" +
	"86a170c41002ee0000000040008000000000000002a16900a17401a16701a16ba36f6c64a176c40178" +
	"86a170c41002ee0000000040008000000000000002a16901a17402a175c41009ee0000000040008000000000000009a16701a16ba26f32" +
	"85a170c41002ee0000000040008000000000000002a16902a17400a167ccffa176c420283bb9deef02e6843abfb538efa1eca70801bd8a701c3f98191e123496339247" +
	"85a170c41002ee0000000040008000000000000002a16903a174ce01234567a16702a16ba36f6c64" +
	"a173c420cd872fa8e479fe7bdb5d7c4d98958409989fdff9e37adad5a9f867a54c8be6e8"

// TestReadBatchGolden: ReadBatch serves, byte for byte, the batches reads
// served before they forwarded stored bytes, and what EncodeBatch makes of
// ReadSince's entries: entries, markers, attributed entries, an expunge
// op, rows an older build wrote.
func TestReadBatchGolden(t *testing.T) {
	ctx := context.Background()
	p := goldenLog(t)
	for _, g := range goldenReads {
		got, err := p.ReadBatch(ctx, g.peer, uint64(g.from), g.limit)
		require.NoError(t, err)
		sum := sha256.Sum256(got)
		assert.Equal(t, g.size, len(got), "peer %v from %d limit %d", g.peer, g.from, g.limit)
		assert.Equal(t, g.sum, hex.EncodeToString(sum[:]), "peer %v from %d limit %d", g.peer, g.from, g.limit)

		es, err := p.ReadSince(ctx, g.peer, uint64(g.from), g.limit)
		require.NoError(t, err)
		assert.Equal(t, hex.EncodeToString(oplog.EncodeBatch(es)), hex.EncodeToString(got), "peer %v from %d limit %d", g.peer, g.from, g.limit)
	}
	got, err := p.ReadBatch(ctx, id(2), 0, 0)
	require.NoError(t, err)
	assert.Equal(t, goldenOldBatch, hex.EncodeToString(got))
}

// countingTracker is an IndexTracker that is not a BatchReader: the
// Processor encodes its entries itself.
type countingTracker struct {
	oplog.Tracker
	reads int
}

func (c *countingTracker) ReadEntries(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]oplog.Entry, error) {
	c.reads++
	return c.Tracker.ReadEntries(ctx, peer, from, limit)
}

// TestReadBatchWithoutBatchReader: over a tracker that is not a
// BatchReader, ReadBatch encodes ReadEntries' entries, with the same
// bounds: the same bytes.
func TestReadBatchWithoutBatchReader(t *testing.T) {
	ctx := context.Background()
	want := goldenLog(t)
	tr := &countingTracker{Tracker: &oplog.IndexTracker{}}
	p, err := oplog.Open(ctx, memkv.New(), oplog.Options{Peer: id(0x11), Tracker: tr, Now: func() time.Time { return time.UnixMilli(goldenWall) }})
	require.NoError(t, err)
	defer p.Close()
	for _, peer := range []uuid.UUID{id(1), id(2)} {
		es, err := want.ReadSince(ctx, peer, 0, 0)
		require.NoError(t, err)
		// Through Apply, the older build's empty bin is gone: compare with
		// what the golden log serves.
		_, err = p.ApplyBatch(ctx, es)
		require.NoError(t, err)
	}
	for _, g := range goldenReads {
		reads := tr.reads
		got, err := p.ReadBatch(ctx, g.peer, uint64(g.from), g.limit)
		require.NoError(t, err)
		sum := sha256.Sum256(got)
		assert.Equal(t, g.sum, hex.EncodeToString(sum[:]), "peer %v from %d limit %d", g.peer, g.from, g.limit)
		assert.Equal(t, reads+1, tr.reads, "read through ReadEntries")
	}
}
