package oplogtest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog"
)

// tabs opens name twice, a Processor on each handle, like two tabs on one
// database. The second handle is opened after the first Processor created
// the tables, so it needs no schema upgrade.
func tabs(t *testing.T, open kvtest.Opener, optsA, optsB oplog.Options) (a, b *oplog.Processor, name string) {
	t.Helper()
	name = freshName(t)
	a = openProc(t, kvtest.OpenStore(t, open, name), optsA)
	b = openProc(t, kvtest.OpenStore(t, open, name), optsB)
	return a, b, name
}

func testTwoTabsApply(t *testing.T, open kvtest.Opener) {
	clk := newClock(base)
	a, b, _ := tabs(t, open, oplog.Options{Now: clk.Now}, oplog.Options{Now: clk.Now})
	require.Equal(t, a.Peer(), b.Peer(), "both tabs write as the database's peer")
	x := peerID(1)

	const rounds = 10
	for i := range uint64(rounds) {
		e := put(x, i, stamp(baseMs-1000+i, 0), fmt.Sprintf("k%d", i%3), fmt.Sprint(i))
		news, err := race(2, func(w int) (bool, error) {
			got, err := []*oplog.Processor{a, b}[w].Apply(ctx, e)
			return got.New, err
		})
		require.NoError(t, err, "round %d", i)
		assert.Equal(t, 1, news, "round %d: exactly one tab ingests the entry", i)
	}

	// Overlapping batches from both tabs: each entry is ingested once.
	var batch []oplog.Entry
	for i := uint64(rounds); i < rounds+20; i++ {
		batch = append(batch, put(x, i, stamp(baseMs-500+i, 0), fmt.Sprintf("k%d", i%3), fmt.Sprint(i)))
	}
	results := make([]oplog.BatchResult, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for w, p := range []*oplog.Processor{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[w], errs[w] = p.ApplyBatch(ctx, batch)
		}()
	}
	wg.Wait()
	for w := range 2 {
		require.NoError(t, errs[w], "tab %d", w)
		assert.Equal(t, len(batch), results[w].Applied+results[w].Skipped, "tab %d", w)
	}
	assert.Equal(t, len(batch), results[0].Applied+results[1].Applied, "each entry of the batch is ingested once")

	ca, cb := cursors(t, a), cursors(t, b)
	assert.Equal(t, oplog.PeerCursors{x: rounds + 20}, ca)
	assert.Equal(t, ca, cb, "both tabs end at the same cursors")
	got := readAll(t, a, x)
	require.Len(t, got, rounds+20)
	for i, e := range got {
		assert.Equal(t, uint64(i), e.Idx)
	}
	assert.Equal(t, got, readAll(t, b, x))
	assert.Equal(t, state(t, a), state(t, b))
}

func testTwoTabsExec(t *testing.T, open kvtest.Opener) {
	// Tab b's wall clock is 10 s behind tab a's: the peer's timestamps must
	// still increase with the index, whichever tab wrote.
	clkA, clkB := newClock(base), newClock(base.Add(-10*time.Second))
	a, b, _ := tabs(t, open, oplog.Options{Now: clkA.Now}, oplog.Options{Now: clkB.Now})
	peer := a.Peer()
	require.NotEqual(t, uuid.Nil, peer)
	require.Equal(t, peer, b.Peer(), "both tabs see the same peer id")

	const execs = 20 // per tab; every other Exec writes two ops
	written := make([][]oplog.Written, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w, p := range []*oplog.Processor{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range execs {
				ops := []oplog.Op{oplog.Put(fmt.Sprintf("tab%d/%02d", w, i), []byte{byte(w), byte(i)})}
				if i%2 == 1 {
					ops = append(ops, oplog.Put(fmt.Sprintf("tab%d/%02d+", w, i), nil))
				}
				wr, err := p.Exec(ctx, ops...)
				if err != nil {
					errs[w] = fmt.Errorf("exec %d: %w", i, err)
					return
				}
				written[w] = append(written[w], wr)
			}
		}()
	}
	close(start)
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])

	const total = 2 * (execs + execs/2)
	var all []oplog.Written
	for w := range 2 {
		all = append(all, written[w]...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].From < all[j].From })
	next := uint64(0)
	for _, wr := range all {
		assert.Equal(t, peer, wr.Peer)
		require.Equal(t, next, wr.From, "the Execs of both tabs tile the log: no index taken twice, none skipped")
		require.Greater(t, wr.To, wr.From)
		next = wr.To
	}
	assert.Equal(t, uint64(total), next)

	for _, p := range []*oplog.Processor{a, b} {
		assert.Equal(t, uint64(total), cursors(t, p).Get(peer), "the local cursor counts every op")
	}
	got := readAll(t, a, peer)
	require.Len(t, got, total)
	keys := make(map[string]bool)
	for i, e := range got {
		assert.Equal(t, uint64(i), e.Idx)
		assert.Equal(t, peer, e.Peer)
		if i > 0 {
			assert.Greater(t, e.TS, got[i-1].TS, "timestamps increase with the index (index %d)", i)
		}
		keys[e.Op.Key] = true
	}
	assert.Len(t, keys, total, "every op is readable")
	assert.Equal(t, got, readAll(t, b, peer))
	assert.Len(t, state(t, b), total)
}

// testTwoTabsCausality checks that the clock belongs to the database, not
// to a tab: a write in one tab orders after a remote entry another tab
// already ingested, and the persisted clock never goes back when a tab with
// an older clock writes last, even when another tab commits between its
// read of the clock and its commit.
func testTwoTabsCausality(t *testing.T, open kvtest.Opener) {
	clk := newClock(base)
	name := freshName(t)
	a := openProc(t, kvtest.OpenStore(t, open, name), oplog.Options{Now: clk.Now})
	hooked := &hookStore{Store: kvtest.OpenStore(t, open, name)}
	b := openProc(t, hooked, oplog.Options{Now: clk.Now})
	x := peerID(1)
	// reopenedClock is the clock a new Processor on the database starts from.
	reopenedClock := func() hlc.Timestamp {
		return openProc(t, kvtest.OpenStore(t, open, name), oplog.Options{Now: clk.Now}).Clock()
	}

	// A remote peer whose clock runs ahead writes k; tab a ingests it.
	remote := put(x, 0, stamp(baseMs+30_000, 0), "k", "remote")
	require.True(t, mustApply(t, a, remote))
	v, ok := getValue(t, b, "k")
	require.True(t, ok)
	require.Equal(t, "remote", v, "tab b sees the remote value")

	// Tab b overwrites the value it sees: its write must win.
	mustExec(t, b, oplog.Put("k", []byte("local")))
	mine := readAll(t, b, b.Peer())
	require.Len(t, mine, 1)
	assert.Greater(t, mine[0].TS, remote.TS, "a write orders after what the database had seen")
	v, ok = getValue(t, a, "k")
	assert.True(t, ok)
	assert.Equal(t, "local", v, "the later write wins")

	// Tab a ingests a later remote entry; tab b, whose clock is older, ends
	// x's log with a marker (its heads row then holds no timestamp) and so
	// writes the stored clock last.
	later := put(x, 1, stamp(baseMs+50_000, 0), "k", "later")
	require.True(t, mustApply(t, a, later))
	require.True(t, mustApply(t, b, oplog.Marker(x, 2, later.Hash())))
	assert.GreaterOrEqual(t, reopenedClock(), later.TS, "the persisted clock keeps what any tab observed")

	// Tab a commits between tab b's read of the clock and tab b's commit.
	latest := put(x, 3, stamp(baseMs+55_000, 0), "j", "latest")
	hooked.before(func() {
		mustApplyBatch(t, a, []oplog.Entry{latest, oplog.Marker(x, 4, latest.Hash())})
	})
	w := mustExec(t, b, oplog.Put("k2", nil))
	require.True(t, hooked.fired())
	assert.Equal(t, oplog.Written{Peer: b.Peer(), From: 1, To: 2}, w)
	assert.GreaterOrEqual(t, reopenedClock(), latest.TS, "a racing tab cannot write the clock back")
	again := readAll(t, a, a.Peer())
	require.Len(t, again, 2)
	assert.Greater(t, again[1].TS, latest.TS, "the write that lost the race is restamped after the winner")
}

// hookStore runs a function once, just before the next Commit reaches the
// store: a deterministic way to put another writer's commit between a
// Processor's reads and its commit.
type hookStore struct {
	kv.Store
	mu   sync.Mutex
	hook func()
	done bool
}

func (h *hookStore) before(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hook, h.done = f, false
}

func (h *hookStore) fired() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.done
}

func (h *hookStore) Commit(ctx context.Context, b *kv.Batch) error {
	h.mu.Lock()
	f := h.hook
	h.hook = nil
	if f != nil {
		h.done = true
	}
	h.mu.Unlock()
	if f != nil {
		f()
	}
	return h.Store.Commit(ctx, b)
}
