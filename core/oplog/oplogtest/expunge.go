package oplogtest

import (
	"crypto/sha256"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

// pullAllFrom applies every entry src holds of peer to dst.
func pullAllFrom(t testing.TB, dst, src *oplog.Processor, peer uuid.UUID) {
	t.Helper()
	b, err := oplog.DecodeBatch(oplog.EncodeBatch(readAll(t, src, peer)))
	require.NoError(t, err)
	mustApplyBatch(t, dst, b)
}

// requireMarker checks that peer's entry at idx is the marker of orig.
func requireMarker(t testing.TB, p *oplog.Processor, orig oplog.Entry, msg string) {
	t.Helper()
	got := readAll(t, p, orig.Peer)
	require.Greater(t, len(got), int(orig.Idx), msg)
	m := got[orig.Idx]
	require.True(t, m.Expunged(), "%s: the entry is a marker", msg)
	assert.Equal(t, orig.Hash(), m.ExpungedHash(), msg)
	assert.Equal(t, canon([]oplog.Entry{oplog.Marker(orig.Peer, orig.Idx, orig.Hash())}), []oplog.Entry{m},
		"%s: a marker keeps no timestamp, user, op or salt", msg)
}

// testExpunge: the expunged entry's content is gone from the log and its
// effect from the state (the key reads as the surviving entries decide),
// and the expunge is an entry of the expunging replica's own log.
func testExpunge(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	peer, x := r.p.Peer(), peerID(1)
	mustExec(t, r.p, oplog.Put("a", []byte("1")), oplog.Put("a", []byte("2")), oplog.Put("b", []byte{}), oplog.Delete("c"), oplog.Put("d", []byte("4")))
	r.clock.Add(1)
	mustExec(t, r.p, oplog.Put("c", []byte("3")), oplog.Delete("d"))
	attributed := put(x, 0, stamp(baseMs-10, 0), "x", "by a user")
	attributed.User = peerID(99)
	require.True(t, mustApply(t, r.p, attributed))
	orig := readAll(t, r.p, peer)
	require.Len(t, orig, 7)

	steps := []struct {
		name   string
		target oplog.Entry
		key    string
		want   string // "" with ok false: absent
		ok     bool
	}{
		{"WinnerFallsBackToTheEarlierWrite", orig[1], "a", "1", true},
		{"LastWriteGoneKeyAbsent", orig[0], "a", "", false},
		{"EmptyValue", orig[2], "b", "", false},
		{"NotTheWinnerStateStays", orig[3], "c", "3", true},
		{"DeleteWinnerGoneWriteComesBack", orig[6], "d", "4", true},
		{"Attributed", attributed, "x", "", false},
	}
	next := uint64(len(orig))
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			require.NoError(t, r.p.Expunge(ctx, st.target.Peer, st.target.Idx))
			requireMarker(t, r.p, st.target, st.name)
			v, ok := getValue(t, r.p, st.key)
			assert.Equal(t, st.ok, ok, "%s present", st.key)
			assert.Equal(t, st.want, v)

			next++
			assert.Equal(t, next, cursors(t, r.p)[peer], "the expunge is the expunging replica's next entry")
			log := readAll(t, r.p, peer)
			ref, ok := log[next-1].Op.ExpungeRef()
			require.True(t, ok)
			assert.Equal(t, oplog.ExpungeRef{Peer: st.target.Peer, Idx: st.target.Idx, Hash: st.target.Hash()}, ref)

			require.NoError(t, r.p.Expunge(ctx, st.target.Peer, st.target.Idx), "expunging a marker is a no-op")
			assert.Equal(t, next, cursors(t, r.p)[peer], "and writes nothing")
		})
	}
	assert.Equal(t, orig[4], readAll(t, r.p, peer)[4], "entries not expunged are intact")
	for _, tc := range []struct {
		name string
		peer uuid.UUID
		idx  uint64
	}{{"PastCursor", peer, 100}, {"FarPast", peer, 1 << 40}, {"UnseenPeer", peerID(2), 0}} {
		assert.ErrorIs(t, r.p.Expunge(ctx, tc.peer, tc.idx), oplog.ErrNotFound, tc.name)
	}
}

// testExpungeTravels: the expunge reaches replicas through ordinary
// cursors. One that already holds the entry replaces it and undoes it; one
// that gets the expunge first stores the entry as its marker when it comes,
// from whichever replica sends it; one that gets the marker keeps it.
func testExpungeTravels(t *testing.T, open kvtest.Opener) {
	author := newReplica(t, open, uuid.Nil)
	mustExec(t, author.p, oplog.Put("note", []byte("draft")), oplog.Put("pin", []byte("1234")))
	secret := readAll(t, author.p, author.p.Peer())[1]
	r := newReplica(t, open, uuid.Nil)   // expunges
	had := newReplica(t, open, uuid.Nil) // held the entry before the expunge
	late := newReplica(t, open, uuid.Nil)
	for _, dst := range []*replica{r, had} {
		pullAllFrom(t, dst.p, author.p, author.p.Peer())
	}
	require.NoError(t, r.p.Expunge(ctx, secret.Peer, secret.Idx))

	// had: gets r's log; the expunge replaces its copy.
	pullAllFrom(t, had.p, r.p, r.p.Peer())
	requireMarker(t, had.p, secret, "a replica that held the entry")
	_, ok := getValue(t, had.p, "pin")
	assert.False(t, ok, "its state forgets the value")
	v, _ := getValue(t, had.p, "note")
	assert.Equal(t, "draft", v)

	// late: gets the expunge first, then the entry itself from its author,
	// who never heard of the expunge.
	pullAllFrom(t, late.p, r.p, r.p.Peer())
	pullAllFrom(t, late.p, author.p, author.p.Peer())
	requireMarker(t, late.p, secret, "a replica that got the expunge first")
	_, ok = getValue(t, late.p, "pin")
	assert.False(t, ok, "the content never reaches its state")
	assert.Equal(t, readAll(t, had.p, author.p.Peer()), readAll(t, late.p, author.p.Peer()))

	// A replica holding the marker that is offered the full entry keeps
	// the marker; so does the author once it hears of the expunge.
	res := mustApplyBatch(t, late.p, readAll(t, author.p, author.p.Peer()))
	assert.Equal(t, 2, res.Skipped)
	requireMarker(t, late.p, secret, "offered the full entry again")
	pullAllFrom(t, author.p, r.p, r.p.Peer())
	requireMarker(t, author.p, secret, "the author")
	_, ok = getValue(t, author.p, "pin")
	assert.False(t, ok)
}

// testExpungePendingAcrossTabs: a tab that has not seen another tab's
// pending expunge cannot store the expunged entry's content.
func testExpungePendingAcrossTabs(t *testing.T, open kvtest.Opener) {
	author := newReplica(t, open, uuid.Nil)
	mustExec(t, author.p, oplog.Put("pin", []byte("1234")))
	secret := readAll(t, author.p, author.p.Peer())[0]
	r := newReplica(t, open, uuid.Nil)
	pullAllFrom(t, r.p, author.p, author.p.Peer())
	require.NoError(t, r.p.Expunge(ctx, secret.Peer, secret.Idx))

	db := newReplica(t, open, uuid.Nil)
	tab2 := openProc(t, kvtest.OpenStore(t, open, db.name), oplog.Options{Now: db.clock.Now})
	pullAllFrom(t, db.p, r.p, r.p.Peer())           // tab 1: the expunge, pending
	pullAllFrom(t, tab2, author.p, author.p.Peer()) // tab 2, opened before: the entry
	requireMarker(t, tab2, secret, "stored by the tab that missed the pending expunge")
	_, ok := getValue(t, db.p, "pin")
	assert.False(t, ok)
}

// testExpungeSalted: an entry's hash covers a salt of its own, so a marker
// cannot be matched against guesses of a short value.
func testExpungeSalted(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	mustExec(t, r.p, oplog.Put("pin", []byte("1234")))
	e := readAll(t, r.p, r.p.Peer())[0]
	require.Len(t, e.Salt, oplog.SaltSize, "Exec salts every entry")
	require.NoError(t, r.p.Expunge(ctx, e.Peer, e.Idx))
	marker := readAll(t, r.p, r.p.Peer())[0]

	guess := e
	guess.Salt = nil
	assert.NotEqual(t, guess.Hash(), marker.ExpungedHash(), "without the salt the content does not hash to the marker")
	unsalted := sha256.Sum256([]byte("1234"))
	assert.NotEqual(t, unsalted, marker.ExpungedHash())

	mustExec(t, r.p, oplog.Put("pin", []byte("1234")))
	again := readAll(t, r.p, r.p.Peer())
	assert.NotEqual(t, again[1].Salt, again[2].Salt, "every entry gets a salt of its own")
}

// testForkAgainstMarker: an entry differing from a stored marker's hash is
// a fork too.
func testForkAgainstMarker(t *testing.T, open kvtest.Opener) {
	r := newReplica(t, open, uuid.Nil)
	x := peerID(3)
	e := put(x, 0, stamp(baseMs-5, 0), "k", "v")
	require.True(t, mustApply(t, r.p, e))
	require.NoError(t, r.p.Expunge(ctx, x, 0))
	_, err := r.p.Apply(ctx, put(x, 0, stamp(baseMs-5, 0), "k", "forged"))
	require.ErrorIs(t, err, oplog.ErrForked)
	got, err := r.p.Apply(ctx, e)
	require.NoError(t, err)
	assert.False(t, got.New, "the entry the marker stands for is already here")
	requireMarker(t, r.p, e, "kept")
}

// testOlderBuildEntries: entries and markers written by builds before
// salts (no salt, the user in the hash's user slot zero) still apply,
// compare, expunge and travel.
func testOlderBuildEntries(t *testing.T, open kvtest.Opener) {
	x := peerID(4)
	old := []oplog.Entry{
		put(x, 0, stamp(baseMs-30, 0), "a", "1"),
		put(x, 1, stamp(baseMs-20, 0), "b", "2"),
		put(x, 2, stamp(baseMs-10, 0), "c", "3"),
	}
	// The hash an older build gave an unattributed entry: the documented
	// encoding with no salt.
	oldMarker := oplog.Marker(x, 1, old[1].Hash())
	r := newReplica(t, open, uuid.Nil)
	mustApplyBatch(t, r.p, []oplog.Entry{old[0], oldMarker, old[2]})
	res := mustApplyBatch(t, r.p, old)
	assert.Equal(t, 3, res.Skipped, "the entry an older build's marker stands for is the same entry")
	requireMarker(t, r.p, old[1], "the older marker is kept")

	require.NoError(t, r.p.Expunge(ctx, x, 2))
	requireMarker(t, r.p, old[2], "an unsalted entry expunges")
	_, ok := getValue(t, r.p, "c")
	assert.False(t, ok)
	r2 := newReplica(t, open, uuid.Nil)
	mustApplyBatch(t, r2.p, old)
	pullAllFrom(t, r2.p, r.p, r.p.Peer())
	requireMarker(t, r2.p, old[2], "and the expunge reaches a replica holding it")
}
