package changelogtest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

func testReopen(t *testing.T, open kvtest.Opener) {
	for _, closeFirst := range []bool{false, true} {
		name := "Crash"
		if closeFirst {
			name = "CloseWithEntries"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open)
			s1 := e.open(t, e.name)
			old, err := changelog.OpenDurable(ctx, s1, e.opts())
			require.NoError(t, err)
			want := record(t, old, 3)
			gone := record(t, old, 1)
			require.NoError(t, old.Remove(ctx, gone[0].ID))
			if closeFirst {
				require.NoError(t, old.Close(), "Close with entries keeps the row")
			}
			require.NoError(t, s1.Close())

			s2 := e.handle(t)
			d := openLog(t, s2, e.opts())
			assert.Empty(t, scan(t, d), "another instance's entries are not scanned")
			assert.Equal(t, 3, rawCount(t, s2, old.Instance()), "entries survive the reopen")
			in := view(t, d, old.Instance())
			assert.False(t, in.Dead, "not dead before expiry")
			assert.Equal(t, uint64(1), in.Epoch)
			assert.True(t, in.Heartbeat.Equal(base), "heartbeat %v", in.Heartbeat)
			assert.Equal(t, uuid.Nil, in.ClaimedBy)
			_, err = d.Claim(ctx, old.Instance())
			require.ErrorIs(t, err, changelog.ErrAlive)
			n, err := d.ClaimDead(ctx)
			require.NoError(t, err)
			assert.Zero(t, n)

			e.clock.Add(expiry) // exactly the expiry: still alive
			assert.False(t, view(t, d, old.Instance()).Dead)
			e.clock.Add(time.Millisecond)
			require.NoError(t, d.Heartbeat(ctx))
			assert.True(t, view(t, d, old.Instance()).Dead)
			n, err = d.ClaimDead(ctx)
			require.NoError(t, err)
			assert.Equal(t, 3, n)
			requireEntries(t, d, want)
			assert.Zero(t, rawCount(t, s2, old.Instance()), "the old range is empty")
			in = view(t, d, old.Instance())
			assert.Equal(t, d.Instance(), in.ClaimedBy)
			assert.Equal(t, uint64(2), in.Epoch)

			n, err = d.ClaimDead(ctx)
			require.NoError(t, err)
			assert.Zero(t, n, "a claimed instance is not claimed again")
			_, err = d.Claim(ctx, old.Instance())
			require.ErrorIs(t, err, kv.ErrConflict)
			requireEntries(t, d, want)

			// The claimed entries are the claimer's own now.
			for _, w := range want {
				require.NoError(t, d.Remove(ctx, w.ID))
			}
			assert.Empty(t, scan(t, d))
		})
	}
}

func testTwoLive(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	a, b := e.instance(t), e.instance(t)
	ea, eb := record(t, a, 2), record(t, b, 1)
	requireEntries(t, a, ea, "each instance scans its own entries")
	requireEntries(t, b, eb)

	for i := range 3 {
		e.clock.Add(interval)
		require.NoError(t, a.Heartbeat(ctx))
		require.NoError(t, b.Heartbeat(ctx))
		ib := view(t, a, b.Instance())
		assert.False(t, ib.Dead, "beat %d", i)
		assert.True(t, ib.Heartbeat.Equal(e.clock.Now()), "beat %d: %v", i, ib.Heartbeat)
		assert.Equal(t, uint64(1), ib.Epoch)
		assert.Equal(t, uuid.Nil, ib.ClaimedBy)
		assert.False(t, view(t, b, a.Instance()).Dead)
	}
	e.clock.Add(expiry - time.Millisecond)
	_, err := a.Claim(ctx, b.Instance())
	require.ErrorIs(t, err, changelog.ErrAlive)
	n, err := a.ClaimDead(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	n, err = b.ClaimDead(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	_, err = a.Claim(ctx, uuid.New())
	require.Error(t, err, "claiming an unknown instance fails")
	_, err = a.Claim(ctx, a.Instance())
	require.Error(t, err, "an instance does not claim itself")

	requireEntries(t, a, ea)
	requireEntries(t, b, eb)
	require.NoError(t, b.Record(ctx, newID(t), changelog.Change{Object: "still writes"}))
	require.NoError(t, a.Heartbeat(ctx))
}

func testLockHeld(t *testing.T, open kvtest.Opener) {
	cases := []struct {
		name         string
		held, known  bool
		advance      time.Duration
		wantDead     bool
		unclaimedErr error
	}{
		{"FreeBeforeExpiry", false, true, 0, true, nil},
		{"HeldAfterExpiry", true, true, 10 * expiry, false, changelog.ErrAlive},
		{"UnknownBeforeExpiry", false, false, expiry - time.Millisecond, false, changelog.ErrAlive},
		{"UnknownAfterExpiry", true, false, expiry + time.Millisecond, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, open)
			x := e.instance(t)
			want := record(t, x, 1)
			opts := e.opts()
			var asked atomic.Int64
			opts.LockHeld = func(_ context.Context, id uuid.UUID) (bool, bool) {
				if id != x.Instance() {
					return false, false
				}
				asked.Add(1)
				return tc.held, tc.known
			}
			r := openLog(t, e.handle(t), opts)
			e.clock.Add(tc.advance)
			require.NoError(t, r.Heartbeat(ctx))
			assert.Equal(t, tc.wantDead, view(t, r, x.Instance()).Dead)
			assert.NotZero(t, asked.Load(), "LockHeld was asked")
			n, err := r.ClaimDead(ctx)
			require.NoError(t, err)
			if tc.wantDead {
				assert.Equal(t, 1, n)
				requireEntries(t, r, want)
				require.ErrorIs(t, x.Heartbeat(ctx), changelog.ErrFenced)
			} else {
				assert.Zero(t, n)
				_, err = r.Claim(ctx, x.Instance())
				require.ErrorIs(t, err, tc.unclaimedErr)
				require.NoError(t, x.Heartbeat(ctx))
				requireEntries(t, x, want)
			}
		})
	}
}

func testClose(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	obs := e.instance(t)
	empty := e.instance(t)
	busy := e.instance(t)
	emptied := e.instance(t)
	want := record(t, busy, 2)
	tmp := record(t, emptied, 1)
	require.NoError(t, emptied.Remove(ctx, tmp[0].ID))

	for _, d := range []*changelog.Durable{empty, busy, emptied} {
		require.NoError(t, d.Close())
		require.NoError(t, d.Close(), "Close is idempotent")
	}
	ins := instances(t, obs)
	assert.NotContains(t, ins, empty.Instance(), "an instance without entries removes its row")
	assert.NotContains(t, ins, emptied.Instance(), "an instance whose entries were removed removes its row")
	assert.Contains(t, ins, busy.Instance(), "an instance with entries keeps its row")
	assert.False(t, ins[busy.Instance()].Dead)

	for _, d := range []*changelog.Durable{empty, busy} {
		calls := map[string]error{
			"Record":    d.Record(ctx, newID(t), changelog.Change{Object: "x"}),
			"Remove":    d.Remove(ctx, newID(t)),
			"Heartbeat": d.Heartbeat(ctx),
		}
		_, calls["Scan"] = d.Scan(ctx)
		_, calls["Instances"] = d.Instances(ctx)
		_, calls["Claim"] = d.Claim(ctx, obs.Instance())
		_, calls["ClaimDead"] = d.ClaimDead(ctx)
		for name, err := range calls {
			assert.ErrorIs(t, err, changelog.ErrClosed, "%s after Close", name)
		}
		d.Start() // a no-op after Close
		require.NoError(t, d.Close())
	}
	assert.Equal(t, 2, rawCount(t, e.handle(t), busy.Instance()), "Close keeps the entries")

	// The closed instance's entries go to whoever claims it once it expires.
	e.clock.Add(expiry + time.Millisecond)
	require.NoError(t, obs.Heartbeat(ctx))
	n, err := obs.ClaimDead(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	requireEntries(t, obs, want)
}

// manualTimer is a DurableOptions.After the test fires by hand. calls
// receives the interval of every call, that is every time the loop is
// about to wait: the beat before it is done.
type manualTimer struct {
	tick  chan time.Time
	calls chan time.Duration
}

func newManualTimer() *manualTimer {
	return &manualTimer{tick: make(chan time.Time), calls: make(chan time.Duration, 64)}
}

func (m *manualTimer) After(d time.Duration) <-chan time.Time {
	m.calls <- d
	return m.tick
}

func testStart(t *testing.T, open kvtest.Opener) {
	e := newEnv(t, open)
	obs := e.instance(t)
	timer := newManualTimer()
	opts := e.opts()
	opts.After = timer.After
	d := openLog(t, e.handle(t), opts)
	d.Start()
	d.Start() // idempotent: still one loop
	assert.Equal(t, interval, <-timer.calls, "the loop waits one interval")

	for i := 1; i <= 3; i++ {
		e.clock.Add(interval)
		timer.tick <- e.clock.Now()
		assert.Equal(t, interval, <-timer.calls) // the beat is done
		in := view(t, obs, d.Instance())
		assert.True(t, in.Heartbeat.Equal(base.Add(time.Duration(i)*interval)), "beat %d: %v", i, in.Heartbeat)
		assert.False(t, in.Dead)
	}
	assert.Empty(t, timer.calls, "one loop, one timer")

	// Past the expiry, one beat brings the instance back to life.
	e.clock.Add(expiry + time.Millisecond)
	assert.True(t, view(t, obs, d.Instance()).Dead)
	timer.tick <- e.clock.Now()
	<-timer.calls
	assert.False(t, view(t, obs, d.Instance()).Dead)
	require.NoError(t, d.Record(ctx, newID(t), changelog.Change{Object: "x"}), "a beat does not fence the instance")

	closed := make(chan error, 1)
	go func() { closed <- d.Close() }()
	require.NoError(t, <-closed, "Close stops the loop and returns")
	select {
	case timer.tick <- e.clock.Now():
		t.Fatal("the loop still runs after Close")
	default:
	}

	// A loop whose instance was claimed while it lived registers afresh
	// and goes on beating under its new id.
	e2 := newEnv(t, open)
	timer2 := newManualTimer()
	opts2 := e2.opts()
	opts2.After = timer2.After
	f := openLog(t, e2.handle(t), opts2)
	f.Start()
	<-timer2.calls
	old := f.Instance()
	r := e2.instance(t)
	e2.clock.Add(expiry + time.Millisecond)
	require.NoError(t, r.Heartbeat(ctx))
	_, err := r.Claim(ctx, old)
	require.NoError(t, err)
	timer2.tick <- e2.clock.Now() // the beat is fenced: the instance renews
	select {
	case <-timer2.calls:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop stopped: a claimed instance that lives must go on")
	}
	renewed := f.Instance()
	assert.NotEqual(t, old, renewed, "under a new id")
	assert.True(t, view(t, r, old).Heartbeat.Equal(base), "the fenced beat wrote nothing to the claimed row")
	assert.False(t, view(t, r, renewed).Dead, "the new registration is alive")
	require.NoError(t, f.Close())
}
