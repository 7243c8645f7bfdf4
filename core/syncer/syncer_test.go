package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/hlc/hlctest"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
)

var ctx = context.Background()

// base is the fake wall time every replica starts from.
var base = time.UnixMilli(1_700_000_000_000)

// errTransport stands for a transport failure of a remote replica.
var errTransport = errors.New("transport down")

// peerID is a fixed, non-nil peer id for n; ids sort by n.
func peerID(n int) uuid.UUID {
	return uuid.UUID{0xa0, byte(n >> 8), byte(n), 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 1}
}

// node is a Processor over a memkv store of its own, with its own fake
// wall clock, and its Local replica.
type node struct {
	p     *oplog.Processor
	clock *hlctest.Wall
	r     syncer.Replica
}

func newNode(t testing.TB, n int) *node {
	t.Helper()
	clock := hlctest.NewWall(base)
	p, err := oplog.Open(ctx, memkv.New(), oplog.Options{Peer: peerID(n), Now: clock.Now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return &node{p: p, clock: clock, r: syncer.Local(p)}
}

func (n *node) peer() uuid.UUID { return n.p.Peer() }

func (n *node) exec(t testing.TB, ops ...oplog.Op) {
	t.Helper()
	_, err := n.p.Exec(ctx, ops...)
	require.NoError(t, err)
}

// write execs count puts of keys prefix0 … prefix<mod-1> (wrapping), ten ops
// per entry batch, the clock a millisecond on between batches.
func (n *node) write(t testing.TB, count, mod int, prefix string) {
	t.Helper()
	for done := 0; done < count; {
		ops := make([]oplog.Op, min(10, count-done))
		for i := range ops {
			ops[i] = oplog.Put(fmt.Sprintf("%s%d", prefix, (done+i)%mod), []byte(fmt.Sprint(done+i)))
		}
		n.exec(t, ops...)
		n.clock.Add(time.Millisecond)
		done += len(ops)
	}
}

func (n *node) cursors(t testing.TB) oplog.PeerCursors {
	t.Helper()
	c, err := n.p.Cursors(ctx)
	require.NoError(t, err)
	return c
}

// state is the whole live LWW state, values normalized to non-nil.
func (n *node) state(t testing.TB) []oplog.Value {
	t.Helper()
	vs, err := n.p.Reducer().(*oplog.LWW).Scan(ctx, "", 0)
	require.NoError(t, err)
	for i := range vs {
		if vs[i].Value == nil {
			vs[i].Value = []byte{}
		}
	}
	return vs
}

// log is every entry of peer, values normalized to nil when empty.
func (n *node) log(t testing.TB, peer uuid.UUID) []oplog.Entry {
	t.Helper()
	es, err := n.p.ReadSince(ctx, peer, 0, 0)
	require.NoError(t, err)
	for i := range es {
		if len(es[i].Op.Value) == 0 {
			es[i].Op.Value = nil
		}
	}
	return es
}

// copyInto applies every entry of src's peers to dst through ApplyBatch,
// without the syncer, to set up sources holding the same entries.
func copyInto(t testing.TB, dst, src *node) {
	t.Helper()
	for peer := range src.cursors(t) {
		_, err := dst.p.ApplyBatch(ctx, src.log(t, peer))
		require.NoError(t, err)
	}
}

// snapshot is what a replica holds: its cursors, state and logs.
type snapshot struct {
	Cursors oplog.PeerCursors
	State   []oplog.Value
	Logs    map[uuid.UUID][]oplog.Entry
}

func (n *node) snapshot(t testing.TB) snapshot {
	t.Helper()
	s := snapshot{Cursors: n.cursors(t), State: n.state(t), Logs: make(map[uuid.UUID][]oplog.Entry)}
	for peer := range s.Cursors {
		s.Logs[peer] = n.log(t, peer)
	}
	return s
}

// requireConverged checks every node holds what the first one does.
func requireConverged(t testing.TB, nodes ...*node) {
	t.Helper()
	want := nodes[0].snapshot(t)
	for i, n := range nodes[1:] {
		require.Equal(t, want, n.snapshot(t), "node %d holds what node 0 does", i+1)
	}
}

// spy wraps a Replica, records the calls Pull makes and lets a test
// replace any of them.
type spy struct {
	inner     syncer.Replica
	cursors   func(ctx context.Context) (oplog.PeerCursors, error)
	readSince func(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error)
	apply     func(ctx context.Context, batch []byte) (oplog.BatchResult, error)

	mu      sync.Mutex
	reads   []read // every ReadSince answered without error
	applies []int  // the entries of every Apply that succeeded
}

type read struct {
	limit int // asked for
	got   int // entries in the page
}

func (s *spy) Cursors(ctx context.Context) (oplog.PeerCursors, error) {
	if s.cursors != nil {
		return s.cursors(ctx)
	}
	return s.inner.Cursors(ctx)
}

func (s *spy) ReadSince(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error) {
	var page []byte
	var err error
	if s.readSince != nil {
		page, err = s.readSince(ctx, peer, from, limit)
	} else {
		page, err = s.inner.ReadSince(ctx, peer, from, limit)
	}
	if err == nil {
		es, _ := oplog.DecodeBatch(page)
		s.mu.Lock()
		s.reads = append(s.reads, read{limit: limit, got: len(es)})
		s.mu.Unlock()
	}
	return page, err
}

func (s *spy) Apply(ctx context.Context, batch []byte) (oplog.BatchResult, error) {
	var res oplog.BatchResult
	var err error
	if s.apply != nil {
		res, err = s.apply(ctx, batch)
	} else {
		res, err = s.inner.Apply(ctx, batch)
	}
	if err == nil {
		s.mu.Lock()
		s.applies = append(s.applies, res.Applied+res.Skipped)
		s.mu.Unlock()
	}
	return res, err
}

func TestSync(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, a, b *node)
		want  syncer.Result
	}{
		{"BothEmpty", func(*testing.T, *node, *node) {}, syncer.Result{}},
		{"OneWay", func(t *testing.T, a, _ *node) { a.write(t, 25, 7, "k") }, syncer.Result{ToB: 25}},
		{"OtherWay", func(t *testing.T, _, b *node) { b.write(t, 3, 7, "k") }, syncer.Result{ToA: 3}},
		{"AlreadyEqual", func(t *testing.T, a, b *node) {
			a.write(t, 4, 2, "k")
			copyInto(t, b, a)
		}, syncer.Result{}},
		{"ConcurrentEditsOfSameKeys", func(t *testing.T, a, b *node) {
			// Interleaved writes of the same keys, with b's clock a little
			// behind, and ties broken by value and by deletes.
			b.clock.Add(-3 * time.Millisecond)
			for i := range 10 {
				a.exec(t, oplog.Put(fmt.Sprint("k", i%4), []byte("a")), oplog.Put("x", []byte(fmt.Sprint("a", i))))
				b.exec(t, oplog.Put(fmt.Sprint("k", i%3), []byte("b")), oplog.Delete("x"))
				a.clock.Add(time.Millisecond)
				b.clock.Add(2 * time.Millisecond)
			}
			a.exec(t, oplog.Delete("k0"))
		}, syncer.Result{ToA: 20, ToB: 21}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newNode(t, 1), newNode(t, 2)
			tc.setup(t, a, b)
			res, err := syncer.Sync(ctx, a.r, b.r, syncer.Options{})
			require.NoError(t, err)
			assert.Equal(t, tc.want, res)
			requireConverged(t, a, b)

			res, err = syncer.Sync(ctx, a.r, b.r, syncer.Options{})
			require.NoError(t, err)
			assert.Equal(t, syncer.Result{}, res, "a second sync moves nothing")
		})
	}
}

// pagingSource is one replica holding 1,000 + 800 + 700 entries of three
// peers writing overlapping keys.
func pagingSource(t *testing.T) (*node, map[uuid.UUID]int) {
	src, b, c := newNode(t, 1), newNode(t, 2), newNode(t, 3)
	b.clock.Add(-time.Second)
	src.write(t, 1000, 50, "k")
	b.write(t, 800, 70, "k")
	c.write(t, 700, 30, "k")
	copyInto(t, src, b)
	copyInto(t, src, c)
	return src, map[uuid.UUID]int{src.peer(): 1000, b.peer(): 800, c.peer(): 700}
}

func TestPaging(t *testing.T) {
	src, lens := pagingSource(t)
	tests := []struct {
		name     string
		pageSize int
		bound    int // the largest page expected
	}{
		{"One", 1, 1},
		{"Seven", 7, 7},
		{"Thousand", 1000, 1000},
		{"ZeroIsDefault", 0, syncer.DefaultPageSize},
		{"LargerThanEveryRange", 5000, 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := newNode(t, 9)
			from := &spy{inner: src.r}
			into := &spy{inner: dst.r}
			n, err := syncer.Pull(ctx, into, from, syncer.Options{PageSize: tc.pageSize})
			require.NoError(t, err)
			assert.Equal(t, 2500, n)
			requireConverged(t, src, dst)

			pages := 0
			for _, l := range lens {
				pages += (l + tc.bound - 1) / tc.bound
			}
			assert.Len(t, from.reads, pages, "one read per page")
			assert.Len(t, into.applies, pages, "one apply (transaction) per page")
			for _, r := range from.reads {
				assert.LessOrEqual(t, r.limit, tc.bound)
				assert.Positive(t, r.limit)
				assert.Equal(t, r.limit, r.got, "the source answers full pages")
			}
			for _, a := range into.applies {
				assert.LessOrEqual(t, a, tc.bound)
			}

			n, err = syncer.Pull(ctx, dst.r, src.r, syncer.Options{PageSize: tc.pageSize})
			require.NoError(t, err)
			assert.Zero(t, n)
		})
	}
}

func TestChain(t *testing.T) {
	a, b, c := newNode(t, 1), newNode(t, 2), newNode(t, 3)
	a.write(t, 12, 5, "k")
	b.write(t, 5, 5, "k")
	c.write(t, 9, 5, "k")
	opts := syncer.Options{PageSize: 4}

	res, err := syncer.Sync(ctx, a.r, b.r, opts)
	require.NoError(t, err)
	assert.Equal(t, syncer.Result{ToA: 5, ToB: 12}, res)

	res, err = syncer.Sync(ctx, b.r, c.r, opts)
	require.NoError(t, err)
	assert.Equal(t, syncer.Result{ToA: 9, ToB: 17}, res)
	assert.Equal(t, a.log(t, a.peer()), c.log(t, a.peer()), "a's entries reach c via b")

	res, err = syncer.Sync(ctx, a.r, b.r, opts)
	require.NoError(t, err)
	assert.Equal(t, syncer.Result{ToA: 9}, res, "c's entries reach a via b")
	requireConverged(t, a, b, c)
}

func TestInterrupt(t *testing.T) {
	// b holds 30 + 20 entries of two peers: five pages of 10 for a. a holds
	// 5 entries of its own for b.
	tests := []struct {
		name        string
		cancelAfter int // cancel the context after this many applies to a
		wantToA     int
	}{
		{"AfterFirstPage", 1, 10},
		{"MidRange", 2, 20},
		{"BetweenRanges", 3, 30},
		{"AfterLastPageOfA", 5, 50}, // a is complete; b's pull does not start
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b, other := newNode(t, 1), newNode(t, 2), newNode(t, 3)
			a.write(t, 5, 3, "k")
			b.write(t, 30, 4, "k")
			other.write(t, 20, 6, "k")
			copyInto(t, b, other)

			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			applies := 0
			into := &spy{inner: a.r}
			into.apply = func(ctx context.Context, batch []byte) (oplog.BatchResult, error) {
				res, err := a.r.Apply(ctx, batch)
				if applies++; applies == tc.cancelAfter {
					cancel()
				}
				return res, err
			}
			from := &spy{inner: b.r}
			res, err := syncer.Sync(cctx, into, from, syncer.Options{PageSize: 10})
			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, context.Canceled, err, "a cancel between pages is ctx.Err() itself")
			assert.Equal(t, syncer.Result{ToA: tc.wantToA}, res)
			assert.Len(t, into.applies, tc.cancelAfter, "no apply after the cancel")
			assert.Len(t, from.reads, tc.cancelAfter, "no read after the cancel")
			var applied uint64
			for _, n := range a.cursors(t) {
				applied += n
			}
			assert.Equal(t, uint64(5+tc.wantToA), applied, "what was applied stays applied")

			again, err := syncer.Sync(ctx, a.r, b.r, syncer.Options{PageSize: 10})
			require.NoError(t, err)
			assert.Equal(t, syncer.Result{ToA: 50 - tc.wantToA, ToB: 5}, again, "the second sync resumes: exactly once")
			requireConverged(t, a, b)
		})
	}

	t.Run("CancelledBeforeStart", func(t *testing.T) {
		a, b := newNode(t, 1), newNode(t, 2)
		b.write(t, 3, 3, "k")
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		n, err := syncer.Pull(cctx, a.r, b.r, syncer.Options{})
		assert.Equal(t, context.Canceled, err, "the error is ctx.Err() itself")
		assert.Zero(t, n)
		assert.Empty(t, a.cursors(t))
	})
}

func TestConcurrentPull(t *testing.T) {
	tests := []struct {
		name      string
		twoSource bool
	}{
		{"TwoSourcesWithSameEntries", true},
		{"SameSourceTwice", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 5 {
				src1, x, y := newNode(t, 1), newNode(t, 2), newNode(t, 3)
				src1.write(t, 300, 20, "k")
				x.write(t, 200, 20, "k")
				y.write(t, 100, 20, "k")
				copyInto(t, src1, x)
				copyInto(t, src1, y)
				src2 := src1
				if tc.twoSource {
					src2 = newNode(t, 4)
					copyInto(t, src2, src1)
				}
				// dst already holds part of x's log and entries of its own.
				dst := newNode(t, 5)
				_, err := dst.p.ApplyBatch(ctx, x.log(t, x.peer())[:50])
				require.NoError(t, err)
				dst.write(t, 10, 20, "own")
				lacked := 600 - 50

				var wg sync.WaitGroup
				counts := make([]int, 2)
				errs := make([]error, 2)
				for i, src := range []*node{src1, src2} {
					wg.Go(func() {
						counts[i], errs[i] = syncer.Pull(ctx, dst.r, src.r, syncer.Options{PageSize: 7 + i})
					})
				}
				wg.Wait()
				require.NoError(t, errs[0])
				require.NoError(t, errs[1])
				assert.Equal(t, lacked, counts[0]+counts[1], "round %d: every lacking entry applied exactly once", round)

				want := src1.snapshot(t)
				got := dst.snapshot(t)
				delete(got.Logs, dst.peer())
				delete(got.Cursors, dst.peer())
				assert.Equal(t, want.Cursors, got.Cursors)
				assert.Equal(t, want.Logs, got.Logs)
			}
		})
	}
}

func TestCursorMismatch(t *testing.T) {
	t.Run("RetriedFromFreshCursors", func(t *testing.T) {
		src, dst := newNode(t, 1), newNode(t, 2)
		src.write(t, 20, 5, "k")
		stale := true
		into := &spy{inner: dst.r}
		into.cursors = func(ctx context.Context) (oplog.PeerCursors, error) {
			c, err := dst.r.Cursors(ctx)
			if stale {
				// Claims 5 entries of src it does not hold, once.
				stale = false
				c[src.peer()] += 5
			}
			return c, err
		}
		n, err := syncer.Pull(ctx, into, src.r, syncer.Options{PageSize: 6})
		require.NoError(t, err)
		assert.Equal(t, 20, n)
		requireConverged(t, src, dst)
	})

	t.Run("PersistentIsAnError", func(t *testing.T) {
		src, dst := newNode(t, 1), newNode(t, 2)
		src.write(t, 20, 5, "k")
		calls := 0
		into := &spy{inner: dst.r}
		into.apply = func(context.Context, []byte) (oplog.BatchResult, error) {
			calls++
			return oplog.BatchResult{}, &oplog.CursorMismatchError{Expected: 0, Actual: 3}
		}
		n, err := syncer.Pull(ctx, into, src.r, syncer.Options{PageSize: 6})
		require.ErrorIs(t, err, oplog.ErrCursorMismatch)
		var gap *oplog.CursorMismatchError
		require.ErrorAs(t, err, &gap)
		assert.Equal(t, uint64(3), gap.Actual)
		assert.Contains(t, err.Error(), "to dst")
		assert.Zero(t, n)
		assert.Equal(t, 2, calls, "retried once")
		assert.Empty(t, dst.cursors(t))
	})
}

func TestBadPages(t *testing.T) {
	// src holds 20 entries of its own peer; pages are of 5.
	const pageSize = 5
	encode := func(es []oplog.Entry) []byte { return oplog.EncodeBatch(es) }
	tests := []struct {
		name  string
		lie   func(read func(from uint64, limit int) []oplog.Entry, good []byte, from uint64, limit int) []byte
		from  int // the read from which on the source lies
		isErr error
	}{
		{"WrongPeer", func(read func(uint64, int) []oplog.Entry, _ []byte, from uint64, limit int) []byte {
			es := read(from, limit)
			es[len(es)-1].Peer = peerID(99)
			return encode(es)
		}, 0, syncer.ErrBadPage},
		{"Gap", func(read func(uint64, int) []oplog.Entry, _ []byte, from uint64, limit int) []byte {
			es := read(from, limit+1)
			return encode(append(es[:2], es[3:]...))
		}, 0, syncer.ErrBadPage},
		{"OffsetStart", func(read func(uint64, int) []oplog.Entry, _ []byte, from uint64, limit int) []byte {
			return encode(read(from+1, limit))
		}, 0, syncer.ErrBadPage},
		{"Duplicate", func(read func(uint64, int) []oplog.Entry, _ []byte, from uint64, limit int) []byte {
			es := read(from, limit)
			return encode(append(es[:1], es[:limit-1]...))
		}, 0, syncer.ErrBadPage},
		{"Backwards", func(read func(uint64, int) []oplog.Entry, _ []byte, from uint64, limit int) []byte {
			es := read(from, limit)
			es[0], es[1] = es[1], es[0]
			return encode(es)
		}, 0, syncer.ErrBadPage},
		{"TooMany", func(read func(uint64, int) []oplog.Entry, _ []byte, from uint64, limit int) []byte {
			return encode(read(from, limit+1))
		}, 0, syncer.ErrBadPage},
		{"Empty", func(func(uint64, int) []oplog.Entry, []byte, uint64, int) []byte {
			return encode(nil)
		}, 0, syncer.ErrBadPage},
		{"NilBytes", func(func(uint64, int) []oplog.Entry, []byte, uint64, int) []byte {
			return nil
		}, 0, oplog.ErrCorrupt},
		{"AlteredBytes", func(_ func(uint64, int) []oplog.Entry, good []byte, _ uint64, _ int) []byte {
			good[len(good)/2] ^= 0x40
			return good
		}, 0, oplog.ErrCorrupt},
		{"Truncated", func(_ func(uint64, int) []oplog.Entry, good []byte, _ uint64, _ int) []byte {
			return good[:len(good)-3]
		}, 0, oplog.ErrCorrupt},
		{"Garbage", func(func(uint64, int) []oplog.Entry, []byte, uint64, int) []byte {
			return []byte("not a batch")
		}, 0, oplog.ErrCorrupt},
		{"GapOnThirdPage", func(read func(uint64, int) []oplog.Entry, _ []byte, from uint64, limit int) []byte {
			es := read(from, limit+1)
			return encode(append(es[:1], es[2:]...))
		}, 2, syncer.ErrBadPage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := newNode(t, 1), newNode(t, 2)
			src.write(t, 20, 5, "k")
			dst.write(t, 3, 5, "own")
			before := dst.snapshot(t)

			reads := 0
			from := &spy{inner: src.r}
			from.readSince = func(ctx context.Context, peer uuid.UUID, at uint64, limit int) ([]byte, error) {
				good, err := src.r.ReadSince(ctx, peer, at, limit)
				require.NoError(t, err)
				if reads++; reads <= tc.from {
					return good, nil
				}
				read := func(at uint64, limit int) []oplog.Entry {
					es, err := src.p.ReadSince(ctx, peer, at, limit)
					require.NoError(t, err)
					return es
				}
				return tc.lie(read, good, at, limit), nil
			}
			into := &spy{inner: dst.r}
			n, err := syncer.Pull(ctx, into, from, syncer.Options{PageSize: pageSize})
			require.ErrorIs(t, err, tc.isErr)
			assert.Contains(t, err.Error(), fmt.Sprintf("page of peer %s [%d, %d) from src", src.peer(), tc.from*pageSize, (tc.from+1)*pageSize))
			assert.Equal(t, tc.from*pageSize, n)
			assert.Len(t, into.applies, tc.from, "nothing of the bad page reaches Apply")

			after := dst.snapshot(t)
			if tc.from == 0 {
				assert.Equal(t, before, after, "dst is unchanged")
			} else {
				assert.Equal(t, uint64(tc.from*pageSize), after.Cursors.Get(src.peer()), "the good pages stay applied")
			}

			// An honest source then completes the pull.
			n, err = syncer.Pull(ctx, dst.r, src.r, syncer.Options{PageSize: pageSize})
			require.NoError(t, err)
			assert.Equal(t, 20-tc.from*pageSize, n)
		})
	}
}

func TestErrorsPropagate(t *testing.T) {
	fail := func(context.Context) (oplog.PeerCursors, error) { return nil, errTransport }
	failRead := func(context.Context, uuid.UUID, uint64, int) ([]byte, error) { return nil, errTransport }
	failApply := func(context.Context, []byte) (oplog.BatchResult, error) { return oplog.BatchResult{}, errTransport }
	tests := []struct {
		name    string
		sync    bool // Sync(dst, src) instead of Pull(dst, src)
		dst     func(s *spy)
		src     func(s *spy)
		message string // with %s for src's peer
	}{
		{"DstCursors", false, func(s *spy) { s.cursors = fail }, nil, "syncer: cursors of dst: transport down"},
		{"SrcCursors", false, nil, func(s *spy) { s.cursors = fail }, "syncer: cursors of src: transport down"},
		{"SrcReadSince", false, nil, func(s *spy) { s.readSince = failRead }, "syncer: some peer ranges failed: syncer: read peer %s [0, 4) from src: transport down"},
		{"DstApply", false, func(s *spy) { s.apply = failApply }, nil, "syncer: some peer ranges failed: syncer: apply peer %s [0, 4) to dst: transport down"},
		{"SyncReadFromB", true, nil, func(s *spy) { s.readSince = failRead }, "syncer: some peer ranges failed: syncer: read peer %s [0, 4) from b: transport down"},
		{"SyncApplyToA", true, func(s *spy) { s.apply = failApply }, nil, "syncer: some peer ranges failed: syncer: apply peer %s [0, 4) to a: transport down"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := newNode(t, 1), newNode(t, 2)
			src.write(t, 10, 5, "k")
			into, from := &spy{inner: dst.r}, &spy{inner: src.r}
			for s, hook := range map[*spy]func(*spy){into: tc.dst, from: tc.src} {
				if hook != nil {
					hook(s)
				}
			}
			opts := syncer.Options{PageSize: 4}
			var err error
			if tc.sync {
				_, err = syncer.Sync(ctx, into, from, opts)
			} else {
				_, err = syncer.Pull(ctx, into, from, opts)
			}
			require.ErrorIs(t, err, errTransport)
			want := tc.message
			if strings.Contains(want, "%s") {
				want = fmt.Sprintf(want, src.peer())
			}
			assert.Equal(t, want, err.Error())
			assert.Empty(t, dst.cursors(t)[src.peer()])
		})
	}
}

func TestClockSkew(t *testing.T) {
	tests := []struct {
		name  string
		ahead time.Duration // how far src's clock is ahead of dst's
		skew  bool
	}{
		{"Behind", -time.Hour, false},
		{"WithinLimit", 59 * time.Second, false},
		{"PastLimit", 61 * time.Second, true},
		{"FarAhead", time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newNode(t, 1), newNode(t, 2)
			b.write(t, 2, 5, "b")
			b.clock.Add(tc.ahead)
			b.exec(t, oplog.Put("k", []byte("ahead")))

			res, err := syncer.Sync(ctx, a.r, b.r, syncer.Options{})
			if !tc.skew {
				require.NoError(t, err)
				assert.Equal(t, syncer.Result{ToA: 3}, res)
				requireConverged(t, a, b)
				return
			}
			require.ErrorIs(t, err, hlc.ErrClockSkew)
			require.ErrorIs(t, err, syncer.ErrIncomplete)
			assert.Contains(t, err.Error(), "to a")
			assert.Zero(t, res.ToA, "the page holding the skewed entry is not applied")
			assert.Zero(t, res.ToB)
			require.Len(t, res.Errors, 1)
			assert.Equal(t, "a", res.Errors[0].Side)
			assert.Equal(t, b.peer(), res.Errors[0].Peer)
			assert.ErrorIs(t, res.Errors[0], hlc.ErrClockSkew)
			assert.Empty(t, a.cursors(t))

			// Once a's clock has caught up the same sync goes through.
			a.clock.Add(tc.ahead)
			res, err = syncer.Sync(ctx, a.r, b.r, syncer.Options{})
			require.NoError(t, err)
			assert.Equal(t, syncer.Result{ToA: 3}, res)
			requireConverged(t, a, b)
		})
	}
}

func TestExpungedMarkers(t *testing.T) {
	a, b, c := newNode(t, 1), newNode(t, 2), newNode(t, 3)
	a.exec(t, oplog.Put("k0", []byte("0")), oplog.Put("k1", []byte("secret")), oplog.Put("k2", []byte("2")))
	hidden := a.log(t, a.peer())[1]
	require.NoError(t, a.p.Expunge(ctx, a.peer(), 1))

	n, err := syncer.Pull(ctx, b.r, a.r, syncer.Options{PageSize: 2})
	require.NoError(t, err)
	assert.Equal(t, 4, n, "a marker occupies its index and is counted; the expunge is an entry")
	n, err = syncer.Pull(ctx, c.r, b.r, syncer.Options{})
	require.NoError(t, err)
	assert.Equal(t, 4, n)

	for _, dst := range []*node{b, c} {
		wire, err := dst.r.ReadSince(ctx, a.peer(), 0, 0)
		require.NoError(t, err)
		es, err := oplog.DecodeBatch(wire)
		require.NoError(t, err)
		require.Len(t, es, 4)
		assert.False(t, es[0].Expunged())
		assert.Equal(t, oplog.Marker(a.peer(), 1, hidden.Hash()), es[1], "the marker replicates as a marker")
		assert.False(t, es[2].Expunged())
		ref, ok := es[3].Op.ExpungeRef()
		require.True(t, ok, "the expunge travels")
		assert.Equal(t, oplog.ExpungeRef{Peer: a.peer(), Idx: 1, Hash: hidden.Hash()}, ref)
		assert.Equal(t, a.log(t, a.peer()), dst.log(t, a.peer()))
		assert.Equal(t, oplog.PeerCursors{a.peer(): 4}, dst.cursors(t))
		_, err = dst.p.Reducer().(*oplog.LWW).Get(ctx, "k1")
		assert.ErrorIs(t, err, oplog.ErrNotFound, "the expunged op reaches no other replica's state")
	}
	_, err = a.p.Reducer().(*oplog.LWW).Get(ctx, "k1")
	assert.ErrorIs(t, err, oplog.ErrNotFound, "nor the expunging replica's")
}

func TestSourceGrowsDuringPull(t *testing.T) {
	src, dst := newNode(t, 1), newNode(t, 2)
	src.write(t, 10, 5, "k")
	grew := false
	from := &spy{inner: src.r}
	from.readSince = func(ctx context.Context, peer uuid.UUID, at uint64, limit int) ([]byte, error) {
		if !grew {
			grew = true
			src.write(t, 3, 5, "late")
		}
		return src.r.ReadSince(ctx, peer, at, limit)
	}
	n, err := syncer.Pull(ctx, dst.r, from, syncer.Options{PageSize: 4})
	require.NoError(t, err)
	assert.Equal(t, 10, n, "what was missing at the start is pulled")
	assert.Equal(t, oplog.PeerCursors{src.peer(): 10}, dst.cursors(t), "later entries wait")

	n, err = syncer.Pull(ctx, dst.r, src.r, syncer.Options{PageSize: 4})
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	requireConverged(t, src, dst)
}

func TestLocal(t *testing.T) {
	a, b := newNode(t, 1), newNode(t, 2)
	a.write(t, 5, 5, "k")

	wire, err := a.r.ReadSince(ctx, a.peer(), 1, 2)
	require.NoError(t, err)
	es, err := oplog.DecodeBatch(wire)
	require.NoError(t, err)
	assert.Equal(t, a.log(t, a.peer())[1:3], es)

	wire, err = a.r.ReadSince(ctx, a.peer(), 0, 0)
	require.NoError(t, err)
	es, err = oplog.DecodeBatch(wire)
	require.NoError(t, err)
	assert.Len(t, es, 5, "limit 0 is no limit")

	res, err := b.r.Apply(ctx, wire)
	require.NoError(t, err)
	assert.Equal(t, oplog.BatchResult{Applied: 5, Keys: []string{"k0", "k1", "k2", "k3", "k4"}}, res)
	res, err = b.r.Apply(ctx, wire)
	require.NoError(t, err)
	assert.Equal(t, oplog.BatchResult{Skipped: 5}, res, "a redelivered batch is skipped")

	_, err = b.r.Apply(ctx, wire[:len(wire)-1])
	assert.ErrorIs(t, err, oplog.ErrCorrupt)

	c, err := b.r.Cursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, oplog.PeerCursors{a.peer(): 5}, c)
}

// TestLocalServesDecodableBatches: a local replica never serves a batch
// the other side's decoder refuses: past oplog.MaxBatchEntries entries, or
// oplog.MaxBatchBytes bytes, it answers a shorter page.
func TestLocalServesDecodableBatches(t *testing.T) {
	a := newNode(t, 1)
	ops := make([]oplog.Op, oplog.MaxBatchEntries+10)
	for i := range ops {
		ops[i] = oplog.Put("k", nil)
	}
	a.exec(t, ops...)
	big := make([]byte, 20<<20)
	a.exec(t, oplog.Put("big", big), oplog.Put("big", big), oplog.Put("big", big), oplog.Put("big", big))

	for _, limit := range []int{0, oplog.MaxBatchEntries + 1} {
		wire, err := a.r.ReadSince(ctx, a.peer(), 0, limit)
		require.NoError(t, err)
		es, err := oplog.DecodeBatch(wire)
		require.NoError(t, err, "limit %d", limit)
		assert.Len(t, es, oplog.MaxBatchEntries, "limit %d", limit)
	}
	from := uint64(len(ops))
	wire, err := a.r.ReadSince(ctx, a.peer(), from, 4)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(wire), oplog.MaxBatchBytes)
	es, err := oplog.DecodeBatch(wire)
	require.NoError(t, err)
	assert.Len(t, es, 2, "four 20 MiB values make a page of two")

	b := newNode(t, 2)
	n, err := syncer.Pull(ctx, b.r, a.r, syncer.Options{PageSize: oplog.MaxBatchEntries * 2})
	require.NoError(t, err, "a pull with pages past the bounds still goes through")
	assert.Equal(t, len(ops)+4, n)
}

// TestSyncGoesOnPastAFailingPeer: a peer two hours ahead (CLOCK_SKEW) no
// longer keeps an honest peer's entries, nor the other direction, from
// moving; the failure is reported for that peer alone.
func TestSyncGoesOnPastAFailingPeer(t *testing.T) {
	a, b, honest := newNode(t, 1), newNode(t, 2), newNode(t, 3)
	honest.write(t, 30, 7, "h")
	_, err := syncer.Pull(ctx, b.r, honest.r, syncer.Options{})
	require.NoError(t, err)
	b.clock.Add(2 * time.Hour)
	b.write(t, 5, 5, "b")
	a.write(t, 12, 4, "a")

	res, err := syncer.Sync(ctx, a.r, b.r, syncer.Options{PageSize: 8})
	require.ErrorIs(t, err, syncer.ErrIncomplete)
	require.ErrorIs(t, err, hlc.ErrClockSkew)
	assert.Equal(t, 30, res.ToA, "the honest peer's entries reach a")
	assert.Equal(t, 12, res.ToB, "a's writes reach b")
	require.Len(t, res.Errors, 1, "one failure: b's own range, to a")
	var re *syncer.RangeError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, syncer.RangeError{Side: "a", Peer: b.peer(), From: 0, To: 5, Err: re.Err}, *re)
	assert.Equal(t, oplog.PeerCursors{a.peer(): 12, honest.peer(): 30}, a.cursors(t))
	assert.Equal(t, oplog.PeerCursors{a.peer(): 12, b.peer(): 5, honest.peer(): 30}, b.cursors(t))
}

// TestReusedPeerIDIsAFork: a database opened afresh with a peer id whose
// old history others hold writes at indexes they already have. Where the
// two histories meet, the sync finds a fork of that peer (on whichever side
// lags), refuses its range, and syncs the other peers.
func TestReusedPeerIDIsAFork(t *testing.T) {
	tests := []struct {
		name   string
		writes int // of the reborn replica, against 10 of the old history
		side   string
	}{
		{"FewerThanTheOldHistory", 3, "a"},
		{"MoreThanTheOldHistory", 15, "b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old, other := newNode(t, 1), newNode(t, 2)
			old.write(t, 10, 10, "old")
			_, err := syncer.Pull(ctx, other.r, old.r, syncer.Options{})
			require.NoError(t, err)
			other.write(t, 4, 4, "other")

			reborn := newNode(t, 1) // the same peer id, a new store
			require.Equal(t, old.peer(), reborn.peer())
			reborn.write(t, tc.writes, 10, "new")
			res, err := syncer.Sync(ctx, reborn.r, other.r, syncer.Options{PageSize: 4})
			require.ErrorIs(t, err, oplog.ErrForked)
			require.Len(t, res.Errors, 1)
			assert.Equal(t, tc.side, res.Errors[0].Side)
			assert.Equal(t, old.peer(), res.Errors[0].Peer)
			var fork *oplog.ForkError
			require.ErrorAs(t, err, &fork)
			assert.Equal(t, old.peer(), fork.Peer)
			assert.Equal(t, 4, res.ToA, "the other peer's entries still reach the reborn replica")
			assert.Equal(t, uint64(tc.writes), reborn.cursors(t)[old.peer()], "nothing of the old history is appended to the new")
			assert.Equal(t, uint64(10), other.cursors(t)[old.peer()], "nor of the new to the old")
		})
	}
}

// TestRandomConvergence runs replicas that write random keys with
// wandering clocks and sync in random pairs with random page sizes; after a
// full round of syncs all hold the same log and state, and each entry was
// applied exactly once to each replica.
func TestRandomConvergence(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("Seed", seed), func(t *testing.T) { converge(t, seed) })
	}
}

func converge(t *testing.T, seed uint64) {
	const replicas, rounds = 4, 25
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	nodes := make([]*node, replicas)
	for i := range nodes {
		nodes[i] = newNode(t, 10+i)
	}
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5"}
	values := []string{"", "a", "b", "ab"}
	steps := []time.Duration{0, 0, time.Millisecond, 3 * time.Millisecond, -2 * time.Millisecond, 250 * time.Millisecond, -time.Second}
	written := make([]int, replicas) // entries each replica authored
	applied := make([]int, replicas) // entries the syncer applied to each

	syncPair := func(i, j, pageSize int) {
		res, err := syncer.Sync(ctx, nodes[i].r, nodes[j].r, syncer.Options{PageSize: pageSize})
		require.NoError(t, err)
		applied[i] += res.ToA
		applied[j] += res.ToB
	}
	for range rounds {
		for i, n := range nodes {
			n.clock.Add(steps[rng.IntN(len(steps))])
			if rng.IntN(4) == 0 {
				continue
			}
			ops := make([]oplog.Op, 1+rng.IntN(3))
			for k := range ops {
				key := keys[rng.IntN(len(keys))]
				if rng.IntN(4) == 0 {
					ops[k] = oplog.Delete(key)
				} else {
					ops[k] = oplog.Put(key, []byte(values[rng.IntN(len(values))]))
				}
			}
			n.exec(t, ops...)
			written[i] += len(ops)
		}
		for range 1 + rng.IntN(3) {
			i, j := rng.IntN(replicas), rng.IntN(replicas)
			if i == j {
				continue
			}
			if rng.IntN(3) == 0 {
				n, err := syncer.Pull(ctx, nodes[i].r, nodes[j].r, syncer.Options{PageSize: 1 + rng.IntN(8)})
				require.NoError(t, err)
				applied[i] += n
				continue
			}
			syncPair(i, j, 1+rng.IntN(8))
		}
	}

	// A full round: the first replica gathers everything, then hands it out.
	for pass := range 2 {
		for j := 1; j < replicas; j++ {
			syncPair(0, j, 1+pass*10)
		}
	}
	requireConverged(t, nodes...)
	total := 0
	for _, w := range written {
		total += w
	}
	require.Len(t, nodes[0].cursors(t), replicas)
	for i := range nodes {
		assert.Equal(t, total-written[i], applied[i], "replica %d: every entry of others applied once", i)
	}
}
